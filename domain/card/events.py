"""The card's events. Their module path is stored with every event: never move
or rename one without registering the old topic (see docs/embedding.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, TypeAlias
from uuid import UUID

import attrs

from ektp.domain.card.recipient import Recipient, to_recipient
from ektp.domain.card.vocabulary import (
    AttemptFailureReason,
    Channel,
    HandOverPlace,
    PrintFailureReason,
    RequestReason,
    Verification,
)
from ektp.domain.event import (
    DomainEvent,
    added_field,
    courier_not_recorded,
    happened_when_recorded,
    occurred_at,
    to_optional_datetime,
    to_optional_uuid,
    to_uuid,
)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class CardEvent(DomainEvent):
    """Base of the card's events."""


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Requested(CardEvent):
    """A resident asked for a card (the stream's first event).

    Version 2 (issue 15) added the `dusun` (hamlet) of the address, version 3 the
    resident's `phone` number (national form, personal data: sealed like the NIK);
    each None when not given and in events recorded before it.
    """

    nik: str
    name: str
    kk: str
    village: str
    rt: str | None
    rw: str | None
    reason: RequestReason = attrs.field(converter=RequestReason)
    evidence: str | None
    channel: Channel = attrs.field(converter=Channel)
    dusun: str | None = added_field()
    phone: str | None = added_field()

    class_version: ClassVar[int] = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 did not record the dusun."""
        state.setdefault("dusun", None)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Versions 1 and 2 did not record a phone number."""
        state.setdefault("phone", None)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class PrintReadinessConfirmed(CardEvent):
    """The central print-ready record (PRR) was seen: deduplication cleared.

    Version 2 (ektp 0.2) renamed ``reference`` to ``prr_reference``; events
    stored in version 1's shape are upcast when read (the worked example of
    docs/embedding.md, "Changing an event").
    """

    class_version: ClassVar[int] = 2

    prr_reference: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 called the PRR reference just ``reference``."""
        state["prr_reference"] = state.pop("reference", None)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class BlankAllocated(CardEvent):
    """A blank was set aside for this card."""

    serial: str


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class PrintFailed(CardEvent):
    """A print try spoiled its blank; the card needs a new one."""

    serial: str
    reason: PrintFailureReason = attrs.field(converter=PrintFailureReason)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Printed(CardEvent):
    """The card was printed and its chip encoded on the allocated blank."""

    serial: str
    station: str


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class AssignedToManifest(CardEvent):
    """The card was put on a courier's delivery manifest (it is on at most one)."""

    manifest_id: UUID = attrs.field(converter=to_uuid)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class RemovedFromManifest(CardEvent):
    """The card was taken off a manifest before the manifest was dispatched."""

    manifest_id: UUID = attrs.field(converter=to_uuid)
    reason: str | None


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Dispatched(CardEvent):
    """The card left the office with a courier."""

    courier: str
    manifest_id: UUID | None = attrs.field(default=None, converter=to_optional_uuid)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class DeliveryAttemptFailed(CardEvent):
    """A courier could not hand the card over.

    The `actor` is who recorded it: the courier themselves, or an officer on the
    courier's behalf; `courier` is the courier who carried the card (version 2;
    None in events recorded before it). `occurred_at`: when it happened;
    `timestamp`: when it was recorded.
    """

    attempt: int
    reason: AttemptFailureReason = attrs.field(converter=AttemptFailureReason)
    evidence: str | None
    manifest_id: UUID | None = attrs.field(default=None, converter=to_optional_uuid)
    courier: str | None = added_field()
    # Version 3 (issue 15): when the courier tried, given when it was recorded later
    # (`timestamp` is always the recording time); None: at the recording time.
    happened_at: dt.datetime | None = added_field(to_optional_datetime)

    class_version: ClassVar[int] = 3

    upcast_v1_v2 = staticmethod(courier_not_recorded)

    upcast_v2_v3 = staticmethod(happened_when_recorded)
    occurred_at = property(occurred_at)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class HandedOver(CardEvent):
    """The card reached its owner or a proxy from the same KK.

    The `actor` is who recorded it (the courier, or an officer on their behalf);
    `courier` is the courier who carried the card, None for a hand-over at the
    office (and in events recorded before version 2). `occurred_at`: when it
    happened; `timestamp`: when it was recorded.
    """

    recipient: Recipient = attrs.field(converter=to_recipient)
    verified_by: Verification = attrs.field(converter=Verification)
    evidence: str | None
    place: HandOverPlace = attrs.field(converter=HandOverPlace)
    old_card_serial: str | None
    manifest_id: UUID | None = attrs.field(default=None, converter=to_optional_uuid)
    courier: str | None = added_field()
    # Version 3 (issue 15): when the card changed hands, given when it was recorded later
    # (`timestamp` is always the recording time); None: at the recording time.
    happened_at: dt.datetime | None = added_field(to_optional_datetime)

    class_version: ClassVar[int] = 3

    upcast_v1_v2 = staticmethod(courier_not_recorded)

    upcast_v2_v3 = staticmethod(happened_when_recorded)
    occurred_at = property(occurred_at)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Returned(CardEvent):
    """The card came back to the office undelivered (the actor received it)."""

    reason: str
    manifest_id: UUID | None = attrs.field(default=None, converter=to_optional_uuid)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Cancelled(CardEvent):
    """The request was withdrawn before printing."""

    reason: str
    record_number: str | None


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class DeclaredUncollected(CardEvent):
    """A returned card was not collected within the holding period."""

    holding_days: int


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Destroyed(CardEvent):
    """An uncollected card was destroyed under a signed record."""

    reason: str
    record_number: str


# Every concrete card event: `evolve` matches on this closed union, so mypy
# reports an event class added here without a rule there. Add every new
# CardEvent subclass to it.
AnyCardEvent: TypeAlias = (
    Requested
    | PrintReadinessConfirmed
    | BlankAllocated
    | PrintFailed
    | Printed
    | AssignedToManifest
    | RemovedFromManifest
    | Dispatched
    | DeliveryAttemptFailed
    | HandedOver
    | Returned
    | Cancelled
    | DeclaredUncollected
    | Destroyed
)
