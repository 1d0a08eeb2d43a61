"""The base of every stored event: which stream, which version, when, who, where.

Events are frozen attrs classes with ``slots=False`` because eventsourcing's
mapper reads ``vars(event)``. Fields hold plain values (str, int, UUID,
datetime, StrEnum) or small value objects; converters let an event be rebuilt
from its stored JSON form with the class's own constructor. Events carry no
validators: validation happens once, in decide, never when reading history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol, TypeVar
from uuid import UUID

import attrs

from ektp.domain.actor import Actor, to_actor
from ektp.domain.errors import InvalidHappenedAt
from ektp.domain.messages import N_


def to_uuid(value: UUID | str) -> UUID:
    """Accept a UUID or its string form."""
    return value if isinstance(value, UUID) else UUID(value)


def to_optional_uuid(value: UUID | str | None) -> UUID | None:
    """Like `to_uuid`, letting None through."""
    return None if value is None else to_uuid(value)


def to_datetime(value: dt.datetime | str) -> dt.datetime:
    """Accept an aware datetime or its ISO 8601 string form."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def to_optional_datetime(value: dt.datetime | str | None) -> dt.datetime | None:
    """Like `to_datetime`, letting None through."""
    return None if value is None else to_datetime(value)


# The metadata key of a field added to an event class after events of it were stored.
ADDED = "ektp_added"


def added_field(converter: Any = None) -> Any:
    """An optional field added to an event class that already has stored events.

    The class's `class_version` goes up with it and its ``upcast_vN_vN+1`` sets the
    field to None in the older shape, so every stored event reads back in today's
    shape (None: the fact was not recorded then). The audit trail leaves the key out of
    an event's data while it is None (`ektp.application.audit.facts.event_data`): the
    journal leaf computed when an older event was written is still the leaf an export
    computes from it today, and an event that does not use the field looks exactly as
    it did before the field existed.
    """
    if converter is None:
        return attrs.field(default=None, metadata={ADDED: True})
    return attrs.field(default=None, converter=converter, metadata={ADDED: True})


def _shown(moment: dt.datetime, zone: dt.tzinfo | None) -> str:
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}" if offset else f"{local:%Y-%m-%d %H:%M}"


def check_happened_at(happened_at: dt.datetime | None, recorded_at: dt.datetime,
                      since: dt.datetime | None, since_what: str) -> None:
    """The rule for a time a courier gives (when an attempt or a hand-over happened, typed
    in later): not after the moment it is recorded, and not before `since` (the dispatch,
    the card's previous attempt, or its return to the office), `since_what` saying which.
    Times are shown in the given time's own zone (the application gives the office's)."""
    if happened_at is None:
        return
    zone = happened_at.tzinfo
    if happened_at > recorded_at:
        raise InvalidHappenedAt(given=_shown(happened_at, zone), reason=(
            N_("it is in the future (it is now {now})", now=_shown(recorded_at, zone))))
    if since is not None and happened_at < since:
        raise InvalidHappenedAt(given=_shown(happened_at, zone), reason=(
            N_("it is before {since_what} ({since})", since_what=since_what,
               since=_shown(since, zone))))



# A courier's report (a failed attempt, a hand-over, a manifest's per-card result) grew two
# added fields after events of it were stored: version 2 the `courier` who carried the card
# (beside the `actor` who recorded it), version 3 `happened_at`, the courier's time when it is
# typed in later. The three event classes share these upcasters and `occurred_at`.

def courier_not_recorded(state: dict[str, Any]) -> None:
    """Upcast to version 2: before it the courier was not recorded beside the recording actor."""
    state.setdefault("courier", None)


def happened_when_recorded(state: dict[str, Any]) -> None:
    """Upcast to version 3: before it there was no courier's time: it happened when recorded."""
    state["happened_at"] = None


class CourierTimed(Protocol):
    """An event that may carry the courier's time beside its recording time."""

    @property
    def happened_at(self) -> dt.datetime | None:
        """The courier's time, None when it happened as it was recorded."""

    @property
    def timestamp(self) -> dt.datetime:
        """When it was recorded."""


def occurred_at(event: CourierTimed) -> dt.datetime:
    """When it happened: the courier's time, else the recording time."""
    return event.happened_at or event.timestamp

# Events are declared with eq=False, repr=False: the two methods below serve every
# event class, so attrs generates (and compiles) less code per class at import,
# which keeps a single CLI command's start-up short.
@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class DomainEvent:
    """What every event carries: stream id, version in the stream, time, actor, office."""

    originator_id: UUID = attrs.field(converter=to_uuid)
    originator_version: int
    timestamp: dt.datetime = attrs.field(converter=to_datetime)
    actor: Actor = attrs.field(converter=to_actor)
    office: str

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    __hash__ = None  # type: ignore[assignment]  # equal by value, so not hashable

    def __repr__(self) -> str:
        fields = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in attrs.fields(type(self)))
        return f"{type(self).__name__}({fields})"


class Stamped(Protocol):
    """What every command carries: who asks, when, in which office."""

    @property
    def actor(self) -> Actor:
        """Who asks."""

    @property
    def at(self) -> dt.datetime:
        """When."""

    @property
    def office(self) -> str:
        """In which office."""


E = TypeVar("E", bound=DomainEvent)


def next_event(event_type: type[E], stream_id: UUID, version: int, command: Stamped, **facts: Any) -> E:
    """The event after `version` in stream `stream_id`, stamped with the command's who/when/where."""
    return event_type(
        originator_id=stream_id,
        originator_version=version + 1,
        timestamp=command.at,
        actor=command.actor,
        office=command.office,
        **facts,
    )
