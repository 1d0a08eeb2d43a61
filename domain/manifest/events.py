"""The manifest's events. Their module path is stored with every event: never move
or rename one without registering the old topic.

The acting officer of each event is its `actor`: who opened the manifest, who
dispatched it (the dispatching officer), who checked the returns in (the
receiving officer)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, TypeAlias
from uuid import UUID

import attrs

from ektp.domain.event import (
    DomainEvent,
    added_field,
    courier_not_recorded,
    happened_when_recorded,
    occurred_at,
    to_optional_datetime,
    to_uuid,
)
from ektp.domain.manifest.vocabulary import Outcome


def to_date(value: dt.date | str) -> dt.date:
    """Accept a date or its ISO 8601 string form."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def to_uuid_tuple(value: Any) -> tuple[UUID, ...]:
    """Stored lists of ids come back as lists of strings; events hold tuples of UUIDs."""
    return tuple(to_uuid(v) for v in value)


def to_code_tuple(value: Any) -> tuple[str, ...]:
    """Stored lists come back as lists; events hold tuples."""
    return tuple(str(v) for v in value)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class ManifestEvent(DomainEvent):
    """Base of the manifest's events."""


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Opened(ManifestEvent):
    """A manifest was opened for a courier's run on `date` through `villages`."""

    courier: str
    date: dt.date = attrs.field(converter=to_date)
    villages: tuple[str, ...] = attrs.field(converter=to_code_tuple)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class CardAssigned(ManifestEvent):
    """A printed (or returned) card of one of the villages was put on the manifest."""

    card_id: UUID = attrs.field(converter=to_uuid)
    village: str


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class CardRemoved(ManifestEvent):
    """A card was taken off the manifest before dispatch."""

    card_id: UUID = attrs.field(converter=to_uuid)
    reason: str | None


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Dispatched(ManifestEvent):
    """The courier left with `card_count` cards under seal `seal_number`."""

    card_count: int
    seal_number: str


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class AttemptRecorded(ManifestEvent):
    """The courier's report for one card: handed over, a failed attempt, or coming back.

    The `actor` is who recorded it: the courier's own login, or an officer on the
    courier's behalf; `courier` is the manifest's courier (version 2; None in
    events recorded before it).
    """

    class_version: ClassVar[int] = 3

    card_id: UUID = attrs.field(converter=to_uuid)
    outcome: Outcome = attrs.field(converter=Outcome)
    attempt: int | None  # the card's failed-attempt number, across manifests
    reason: str | None
    recipient: str | None  # owner or proxy, for a hand-over
    evidence: str | None
    courier: str | None = added_field()
    # Version 3 (issue 15): when it happened on the round, given when it was recorded
    # later (`timestamp` is always the recording time); None: at the recording time.
    happened_at: dt.datetime | None = added_field(to_optional_datetime)

    upcast_v1_v2 = staticmethod(courier_not_recorded)
    upcast_v2_v3 = staticmethod(happened_when_recorded)
    occurred_at = property(occurred_at)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Returned(ManifestEvent):
    """An officer other than the courier checked the undelivered cards back in."""

    seal_intact: bool
    returned_cards: tuple[UUID, ...] = attrs.field(converter=to_uuid_tuple)
    note: str | None


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Closed(ManifestEvent):
    """The manifest was settled under a signed hand-over record (BAST)."""

    record_number: str


# Every concrete manifest event: `evolve` matches on this closed union, so mypy
# reports an event class added here without a rule there. Add every new
# ManifestEvent subclass to it.
AnyManifestEvent: TypeAlias = (
    Opened
    | CardAssigned
    | CardRemoved
    | Dispatched
    | AttemptRecorded
    | Returned
    | Closed
)
