"""Hypothesis strategies for every event class of the domain, found by walking
the package, so a new event type is covered by the round-trip test at once."""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import pkgutil
import types
import typing
from typing import Any
from uuid import UUID

import attrs
from hypothesis import strategies as st

import ektp.domain
from ektp.domain.actor import Actor, Role
from ektp.domain.blank_stock.serial_range import SerialRange
from ektp.domain.blank_stock.witness import Witness
from ektp.domain.card.recipient import Recipient
from ektp.domain.event import DomainEvent

TIMES = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
    timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=7))]),
)
ACTORS = st.builds(Actor, id=st.from_regex(r"[a-z][a-z0-9.]{0,20}", fullmatch=True),
                   role=st.sampled_from(list(Role)))


@st.composite
def serial_ranges(draw: st.DrawFn) -> SerialRange:
    """A well-formed serial range: both ends of one width (6-16 digits), FROM <= TO."""
    width = draw(st.integers(6, 16))
    lo = draw(st.integers(0, 10**width - 1))
    hi = draw(st.integers(lo, min(10**width - 1, lo + 50_000)))
    return SerialRange.of(width, lo, hi)


WITNESSES = st.builds(Witness, name=st.text(min_size=1, max_size=30),
                      role=st.text(min_size=1, max_size=20))


def all_event_classes() -> list[type[DomainEvent]]:
    """Every concrete event class under ektp.domain (imports every module)."""
    for module in pkgutil.walk_packages(ektp.domain.__path__, "ektp.domain."):
        importlib.import_module(module.name)
    found: list[type[DomainEvent]] = []
    pending = [DomainEvent]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            found.append(sub)
    return sorted(set(found), key=lambda c: c.__module__ + c.__qualname__)


def for_type(tp: Any) -> st.SearchStrategy[Any]:
    """A strategy for one field type."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(for_type(arg) for arg in typing.get_args(tp)))
    if origin is tuple:
        return st.lists(for_type(typing.get_args(tp)[0]), max_size=4).map(tuple)
    if tp is type(None):
        return st.none()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=30),
        int: st.integers(0, 10**9),
        bool: st.booleans(),
        UUID: st.uuids(),
        dt.datetime: TIMES,
        dt.date: st.dates(),
        Actor: ACTORS,
        Recipient: st.builds(Recipient),
        SerialRange: serial_ranges(),
        Witness: WITNESSES,
    }
    if tp in simple:
        return simple[tp]
    if attrs.has(tp):
        return builds(tp)
    raise NotImplementedError(f"no strategy for {tp!r}")


def builds(cls: type[Any]) -> st.SearchStrategy[Any]:
    """A strategy for any attrs class, field by field."""
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: for_type(hints[f.name]) for f in attrs.fields(cls)})
