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
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs

from ektp.application.audit.canonical import format_time
from ektp.domain.erased import Erased
from ektp.domain.event import ADDED

ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "actor", "office"})


def jsonable(value: Any) -> Any:
    """`value` as JSON values only; a float is refused (the format has none).

    str, int and None are themselves; every other value is converted by what its type
    is (`_converter_of`, decided once per type, since it is on every write's path):
    an enum by its value, a str or int subclass as str or itself, a UUID, Decimal as
    its string, a datetime by `format_time`, a date in ISO form, a list or tuple as a
    list, a dict with string keys, an attrs value object as an object of its fields; an
    erased field (`ektp.domain.erased.Erased`) as its leaf form (`LeafText`).
    """
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    converter = _CONVERTERS.get(kind)
    if converter is None:
        converter = _CONVERTERS[kind] = _converter_of(kind)
    return converter(value)


def _itself(value: Any) -> Any:
    return value


def _enum(value: Any) -> Any:
    return jsonable(value._value_)  # what `.value` returns, without the property's lookup


def _isoformat(value: Any) -> Any:
    return value.isoformat()


def _sequence(value: Any) -> Any:
    return [jsonable(v) for v in value]


def _mapping(value: Any) -> Any:
    return {str(k): jsonable(v) for k, v in value.items()}


class LeafText(str):
    """The leaf form of an erased field (`ektp.domain.erased`): already in the form the
    journal's leaf holds, so the pseudonymiser leaves it as it is."""


def _erased(value: Any) -> Any:
    return LeafText(value.leaf)


def _refuse_float(value: Any) -> Any:
    raise TypeError("the audit format has no floats: store decimals as strings")


def _converter_of(kind: type[Any]) -> Callable[[Any], Any]:
    """How values of `kind` become JSON values (the order of the checks matters: a
    StrEnum is a str, a bool an int, a datetime a date)."""
    if issubclass(kind, Erased):
        return _erased
    if issubclass(kind, enum.Enum):
        return _enum
    if kind is type(None) or issubclass(kind, (bool, int)):
        return _itself
    if issubclass(kind, str):
        return str
    if issubclass(kind, float):
        return _refuse_float
    if issubclass(kind, (UUID, Decimal)):
        return str
    if issubclass(kind, dt.datetime):
        return format_time
    if issubclass(kind, dt.date):
        return _isoformat
    if issubclass(kind, (list, tuple)):
        return _sequence
    if issubclass(kind, dict):
        return _mapping
    if attrs.has(kind):
        names = tuple(f.name for f in attrs.fields(kind))

        def value_object(value: Any) -> Any:
            return {name: jsonable(getattr(value, name)) for name in names}

        return value_object

    def refuse(value: Any) -> Any:
        raise TypeError(f"cannot export a {kind.__name__}")

    return refuse


_CONVERTERS: dict[type[Any], Callable[[Any], Any]] = {}


_PLAIN = frozenset({str, int, type(None)})  # JSON values as they are (what `jsonable` returns first)


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
    """The facts of `event` as the line's ``data`` (`jsonable` of each, with its first
    test inlined: on every write's path). A field added to its class after events of it
    were stored (`ektp.domain.event.added_field`) is left out while it is None, so the
    leaf of an event written before the field existed is what it was when written."""
    added = _left_out_when_none(type(event))
    if not added:
        return {k: v if type(v) in _PLAIN else jsonable(v) for k, v in vars(event).items()
                if k not in ENVELOPE}
    return {k: v if type(v) in _PLAIN else jsonable(v) for k, v in vars(event).items()
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
