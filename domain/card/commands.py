"""What users ask of a card. Values arrive already validated (Nik, VillageCode...).

Commands are messages, never compared, so they skip attrs' equality methods
(less code generated at import: the CLI starts faster)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import attrs

from ektp.domain.actor import Actor
from ektp.domain.address import VillageCode
from ektp.domain.card.recipient import Recipient
from ektp.domain.card.vocabulary import (
    AttemptFailureReason,
    Channel,
    HandOverPlace,
    PrintFailureReason,
    RequestReason,
    Verification,
)
from ektp.domain.nik import KkNumber, Nik



@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class CardCommand:
    """Who asks, when, and in which office."""

    actor: Actor
    at: dt.datetime
    office: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RequestCard(CardCommand):
    """Open a new card request for a resident."""

    card_id: UUID
    nik: Nik
    name: str
    kk: KkNumber
    village: VillageCode
    rt: str | None = None
    rw: str | None = None
    reason: RequestReason = RequestReason.NEW
    evidence: str | None = None
    channel: Channel = Channel.OFFICE


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ConfirmPrintReadiness(CardCommand):
    """Record that the central PRR status was seen."""

    reference: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class AllocateBlank(CardCommand):
    """Set a blank aside for the card."""

    serial: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RecordPrinted(CardCommand):
    """The card was printed on its allocated blank (serial checked when given)."""

    station: str
    serial: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RecordPrintFailure(CardCommand):
    """A print try failed and spoiled the allocated blank."""

    reason: PrintFailureReason
    serial: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class AssignToManifest(CardCommand):
    """Put the card on a delivery manifest."""

    manifest_id: UUID


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RemoveFromManifest(CardCommand):
    """Take the card off a manifest that has not been dispatched."""

    manifest_id: UUID
    reason: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class Dispatch(CardCommand):
    """Hand the card to a courier for delivery."""

    courier: str
    manifest_id: UUID | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RecordFailedAttempt(CardCommand):
    """A delivery attempt did not reach the resident."""

    reason: AttemptFailureReason
    evidence: str | None = None
    manifest_id: UUID | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class HandOver(CardCommand):
    """The card was given to its owner or a proxy."""

    recipient: Recipient
    verified_by: Verification
    place: HandOverPlace
    evidence: str | None = None
    old_card_serial: str | None = None
    manifest_id: UUID | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReturnToOffice(CardCommand):
    """Check an undelivered card back in at the office."""

    reason: str
    manifest_id: UUID | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class Cancel(CardCommand):
    """Withdraw a request before printing."""

    reason: str
    record_number: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class DeclareUncollected(CardCommand):
    """Close the holding period of a returned card."""


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class Destroy(CardCommand):
    """Destroy an uncollected card under a signed record."""

    reason: str
    record_number: str
