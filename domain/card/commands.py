"""What users ask of a card. Values arrive already validated (Nik, VillageCode...).

Commands are messages, never compared, so they skip attrs' equality methods
(less code generated at import: the CLI starts faster).

Each command class names the permission its actor needs (`action`, a key of
`ektp.domain.actor.PERMISSIONS`): a class constant, not an attrs field, so it
is no constructor argument."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, TypeAlias
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

    # The permission the actor needs; each concrete command sets it.
    action: ClassVar[str]

    actor: Actor
    at: dt.datetime
    office: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RequestCard(CardCommand):
    """Open a new card request for a resident."""

    action: ClassVar[str] = "request a card"

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
    dusun: str | None = None
    phone: str | None = None  # national form (`ektp.domain.phone.parse_phone`)


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ConfirmPrintReadiness(CardCommand):
    """Record that the central PRR status was seen."""

    action: ClassVar[str] = "confirm print readiness"

    reference: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class AllocateBlank(CardCommand):
    """Set a blank aside for the card."""

    action: ClassVar[str] = "allocate a blank"

    serial: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RecordPrinted(CardCommand):
    """The card was printed on its allocated blank (serial checked when given)."""

    action: ClassVar[str] = "record printing"

    station: str
    serial: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RecordPrintFailure(CardCommand):
    """A print try failed and spoiled the allocated blank."""

    action: ClassVar[str] = "record a print failure"

    reason: PrintFailureReason
    serial: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class AssignToManifest(CardCommand):
    """Put the card on a delivery manifest."""

    action: ClassVar[str] = "assign a card to a manifest"

    manifest_id: UUID


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RemoveFromManifest(CardCommand):
    """Take the card off a manifest that has not been dispatched."""

    action: ClassVar[str] = "remove a card from a manifest"

    manifest_id: UUID
    reason: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class Dispatch(CardCommand):
    """Hand the card to a courier for delivery."""

    action: ClassVar[str] = "dispatch a card"

    courier: str
    manifest_id: UUID | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RecordFailedAttempt(CardCommand):
    """A delivery attempt did not reach the resident."""

    action: ClassVar[str] = "record a failed delivery attempt"

    reason: AttemptFailureReason
    evidence: str | None = None
    manifest_id: UUID | None = None
    happened_at: dt.datetime | None = None  # the courier's time, when not `at`


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class HandOver(CardCommand):
    """The card was given to its owner or a proxy."""

    action: ClassVar[str] = "record a hand-over"

    recipient: Recipient
    verified_by: Verification
    place: HandOverPlace
    evidence: str | None = None
    old_card_serial: str | None = None
    manifest_id: UUID | None = None
    happened_at: dt.datetime | None = None  # the courier's time, when not `at`


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReturnToOffice(CardCommand):
    """Check an undelivered card back in at the office."""

    action: ClassVar[str] = "check in a returned card"

    reason: str
    manifest_id: UUID | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class Cancel(CardCommand):
    """Withdraw a request before printing."""

    action: ClassVar[str] = "cancel a card"

    reason: str
    record_number: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class DeclareUncollected(CardCommand):
    """Close the holding period of a returned card."""

    action: ClassVar[str] = "declare a card uncollected"


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class Destroy(CardCommand):
    """Destroy an uncollected card under a signed record."""

    action: ClassVar[str] = "destroy a card"

    reason: str
    record_number: str


# Every concrete card command: `decide` matches on this closed union, so mypy
# reports a command class added here without a rule there.
AnyCardCommand: TypeAlias = (
    RequestCard
    | ConfirmPrintReadiness
    | AllocateBlank
    | RecordPrinted
    | RecordPrintFailure
    | AssignToManifest
    | RemoveFromManifest
    | Dispatch
    | RecordFailedAttempt
    | HandOver
    | ReturnToOffice
    | Cancel
    | DeclareUncollected
    | Destroy
)
