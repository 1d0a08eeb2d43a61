"""An event's facts as JSON values (the line's ``data``), and back to the event.

``data`` holds every field of the event except the envelope (stream id,
version, timestamp, actor, office), which the line carries in its own keys:
UUIDs as strings, times as UTC ISO 8601, enums as their values, small value
objects as objects, tuples as lists. Rebuilding calls the event class's own
constructor, whose converters restore the types (docs/development.md).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs

from ektp.application.audit.canonical import format_time
from ektp.domain.event import ADDED

ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "actor", "office"})


def jsonable(value: Any) -> Any:
    """`value` as JSON values only; a float is refused (the format has none)."""
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    if value is None or isinstance(value, (bool, int)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        raise TypeError("the audit format has no floats: store decimals as strings")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if attrs.has(type(value)):
        return {f.name: jsonable(getattr(value, f.name)) for f in attrs.fields(type(value))}
    raise TypeError(f"cannot export a {type(value).__name__}")


_ADDED_FIELDS: dict[type[Any], frozenset[str]] = {}


def _left_out_when_none(cls: type[Any]) -> frozenset[str]:
    """The fields `added_field` added to `cls` after events of it were stored: their keys
    are left out while they hold None (cached per class: every journal write asks)."""
    added = _ADDED_FIELDS.get(cls)
    if added is None:
        added = (frozenset(f.name for f in attrs.fields(cls) if f.metadata.get(ADDED))
                 if attrs.has(cls) else frozenset())
        _ADDED_FIELDS[cls] = added
    return added


def event_data(event: object) -> dict[str, Any]:
    """The facts of `event` as the line's ``data``. A field added to its class after events
    of it were stored (`ektp.domain.event.added_field`) is left out while it is None, so the
    leaf of an event written before the field existed is what it was when written."""
    added = _left_out_when_none(type(event))
    if not added:
        return {k: jsonable(v) for k, v in vars(event).items() if k not in ENVELOPE}
    return {k: jsonable(v) for k, v in vars(event).items()
            if k not in ENVELOPE and not (v is None and k in added)}


def rebuild_event(
    event_class: type[Any],
    *,
    stream: str,
    version: int,
    time: dt.datetime,
    actor: dict[str, Any],
    office: str,
    data: dict[str, Any],
) -> Any:
    """The domain event a line describes, through the class's constructor."""
    return event_class(
        originator_id=UUID(stream), originator_version=version, timestamp=time,
        actor=actor, office=office, **data,
    )
