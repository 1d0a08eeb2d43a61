"""Immutable views of the blank ledger returned by its use cases and queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from uuid import UUID

import attrs


@attrs.frozen
class BlankMovement:
    """What one ledger command did: the event, the blanks it moved, the stock after."""

    event: str
    count: int
    ranges: tuple[str, ...]
    in_stock: int
    conserved: bool
    facts: Mapping[str, object] = attrs.field(factory=dict)


@attrs.frozen
class LastCountView:
    """The latest physical count of the stock."""

    at: dt.datetime
    counted: int
    book: int
    difference: int


@attrs.frozen
class StockFigure:
    """The daily stock figure: blanks per state at `as_of`, the day's movements, and
    whether conservation holds (received + borrowed = the sum of the states)."""

    office: str
    office_name: str
    day: dt.date
    as_of: dt.datetime
    counts: Mapping[str, int]
    received: int
    borrowed: int
    borrowed_total: int
    given_back: int
    conserved: bool
    movements: Mapping[str, int]
    last_count: LastCountView | None


@attrs.frozen
class SpoiledBlank:
    """A spoiled blank waiting to be destroyed."""

    serial: str
    spoiled_at: dt.datetime
    age_days: int
    reason: str
    card_id: UUID | None


@attrs.frozen
class BlankHistoryEntry:
    """One ledger event in a blank's history."""

    version: int
    time: dt.datetime
    event: str
    actor_id: str
    actor_role: str
    summary: str
    broke_rule: str | None = None


@attrs.frozen
class BlankView:
    """One blank serial: its state now (from its whole history) and that history."""

    serial: str
    state: str
    card_id: UUID | None
    history: tuple[BlankHistoryEntry, ...]


@attrs.frozen
class Problem:
    """Something the history does not account for: about one serial, or the whole ledger."""

    serial: str | None
    what: str


@attrs.frozen
class Reconciliation:
    """The ledger recomputed from its full history, and every rule it found broken."""

    counts: Mapping[str, int]
    received: int
    borrowed: int
    conserved: bool
    problems: tuple[Problem, ...]
    events_read: int

    @property
    def clean(self) -> bool:
        """True when every blank is accounted for."""
        return self.conserved and not self.problems
