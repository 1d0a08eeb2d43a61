"""Ledger snapshots, and `project`: the projector that folds a snapshot and the
events after it.

The ledger's stream grows by two or three events per card printed, so rebuilding
it from its first event would cost more each day. The application stores a
snapshot of the (small) state every few events in the store's snapshot table;
the store's repository then hands `project` the latest snapshot followed by the
events after it, so a fresh process loads in time bounded by the snapshot
interval and the state's size, never by the history's length. Snapshots are
derived data, outside the notification log: deleting them loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

import attrs

from ektp.domain.blank_stock.events import LedgerEvent
from ektp.domain.blank_stock.interval_set import IntervalSet
from ektp.domain.blank_stock.state import LastCount, Ledger, evolve
from ektp.domain.event import to_datetime, to_uuid

# Bump when the state's shape changes; snapshots of another format are refused
# loudly (delete the stored snapshots: the ledger rebuilds from its events).
FORMAT = 1


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class LedgerSnapshot:
    """The ledger's whole state as of `originator_version`, in plain JSON values."""

    originator_id: UUID = attrs.field(converter=to_uuid)
    originator_version: int
    timestamp: dt.datetime = attrs.field(converter=to_datetime)
    state: Mapping[str, Any]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    __hash__ = None  # type: ignore[assignment]


def _intervals(s: IntervalSet) -> list[list[int]]:
    return [list(i) for i in s.intervals]


def _set(value: Iterable[Iterable[int]]) -> IntervalSet:
    return IntervalSet(tuple(i) for i in value)  # type: ignore[misc]


def take_snapshot(ledger: Ledger, at: dt.datetime) -> LedgerSnapshot:
    """A snapshot of `ledger`, stamped `at`."""
    count = ledger.last_count
    state = {
        "format": FORMAT,
        "known": _intervals(ledger.known),
        "in_stock": _intervals(ledger.in_stock),
        "allocated": {serial: str(card) for serial, card in ledger.allocated.items()},
        "spoiled": _intervals(ledger.spoiled),
        "missing": _intervals(ledger.missing),
        "given_back": _intervals(ledger.given_back),
        "lent": {k: _intervals(v) for k, v in ledger.lent.items()},
        "borrowed": {k: _intervals(v) for k, v in ledger.borrowed.items()},
        "totals": [ledger.received, ledger.borrowed_total, ledger.given_back_total,
                   ledger.consumed, ledger.destroyed],
        "last_count": None if count is None else [count.at.isoformat(), count.counted, count.book],
        "modified_at": ledger.modified_at.isoformat() if ledger.modified_at else None,
    }
    return LedgerSnapshot(originator_id=ledger.id, originator_version=ledger.version,
                          timestamp=at, state=state)


def restore(snapshot: LedgerSnapshot) -> Ledger:
    """The ledger a snapshot holds."""
    s = snapshot.state
    if s.get("format") != FORMAT:
        raise ValueError(f"ledger snapshot format {s.get('format')!r} is not {FORMAT}")
    received, borrowed_total, given_back_total, consumed, destroyed = s["totals"]
    count = s["last_count"]
    allocated = {serial: UUID(card) for serial, card in s["allocated"].items()}
    return Ledger(
        id=snapshot.originator_id,
        version=snapshot.originator_version,
        known=_set(s["known"]),
        in_stock=_set(s["in_stock"]),
        allocated=allocated,
        holders={card: serial for serial, card in allocated.items()},
        spoiled=_set(s["spoiled"]),
        missing=_set(s["missing"]),
        given_back=_set(s["given_back"]),
        lent={k: _set(v) for k, v in s["lent"].items()},
        borrowed={k: _set(v) for k, v in s["borrowed"].items()},
        received=received,
        borrowed_total=borrowed_total,
        given_back_total=given_back_total,
        consumed=consumed,
        destroyed=destroyed,
        last_count=None if count is None else LastCount(to_datetime(count[0]), count[1], count[2]),
        modified_at=to_datetime(s["modified_at"]) if s["modified_at"] else None,
    )


def project(
    ledger: Ledger | None, events: Iterable[LedgerEvent | LedgerSnapshot]
) -> Ledger | None:
    """Fold a snapshot (if the store has one) and the events after it."""
    for event in events:
        match event:
            case LedgerSnapshot():
                ledger = restore(event)
            case _:  # a ledger event: evolve's own match checks each has a rule
                ledger = evolve(ledger, event)
    return ledger
