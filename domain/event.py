"""The base of every stored event: which stream, which version, when, who, where.

Events are frozen attrs classes with ``slots=False`` because eventsourcing's
mapper reads ``vars(event)``. Fields hold plain values (str, int, UUID,
datetime, StrEnum) or small value objects; converters let an event be rebuilt
from its stored JSON form with the class's own constructor. Events carry no
validators: validation happens once, in decide, never when reading history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import attrs

from ektp.domain.actor import Actor, to_actor


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


def to_str_tuple(value: Any) -> tuple[str, ...]:
    """Stored lists come back as lists; events hold tuples."""
    return tuple(str(v) for v in value)


@attrs.frozen(slots=False, kw_only=True)
class DomainEvent:
    """What every event carries: stream id, version in the stream, time, actor, office."""

    originator_id: UUID = attrs.field(converter=to_uuid)
    originator_version: int
    timestamp: dt.datetime = attrs.field(converter=to_datetime)
    actor: Actor = attrs.field(converter=to_actor)
    office: str
