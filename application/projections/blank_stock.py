"""The blank stock figure: per office-local day, how many blanks entered and left
each state. The figure on any day is the sum of the deltas up to that day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import assert_never, cast

from ektp.application.projections.changes import AddTo, Change
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.vocabulary import LoanDirection

TABLE = "blank_stock_daily"
# Beside the seven states: what came in (received, borrowed) and what went back to lenders.
RECEIVED, BORROWED, GIVEN_BACK = "RECEIVED", "BORROWED", "GIVEN_BACK"


def _moves(event: ev.LedgerEvent) -> list[tuple[str, int]]:
    e = cast(ev.AnyLedgerEvent, event)
    match e:
        case ev.ConsignmentReceived():
            return [(RECEIVED, e.count), ("IN_STOCK", e.count)]
        case ev.BlankAllocated():
            return [("IN_STOCK", -1), ("ALLOCATED", 1)]
        case ev.BlankConsumed():
            return [("ALLOCATED", -1), ("CONSUMED", 1)]
        case ev.BlankSpoiled():
            return [("ALLOCATED" if e.card_id else "IN_STOCK", -1), ("SPOILED", 1)]
        case ev.BlankReleased():
            return [("ALLOCATED", -1), ("IN_STOCK", 1)]
        case ev.BlanksLent():
            return [("IN_STOCK", -e.count), ("LENT", e.count)]
        case ev.BlanksBorrowed():
            return [(BORROWED, e.count), ("IN_STOCK", e.count)]
        case ev.LoanReturned() if e.direction is LoanDirection.BACK_TO_US:
            return [("LENT", -e.count), ("IN_STOCK", e.count)]
        case ev.LoanReturned():
            return [("IN_STOCK", -e.count), (GIVEN_BACK, e.count)]
        case ev.SpoiledDestroyed():
            return [("SPOILED", -e.count), ("DESTROYED", e.count)]
        case ev.BlankReportedMissing():
            return [("IN_STOCK", -1), ("MISSING", 1)]
        case ev.StockCounted():
            return []  # a count moves no blank
        case _:
            assert_never(e)


def blank_stock_changes(event: object, timezone: dt.tzinfo) -> Iterator[Change]:
    """The day's state deltas `event` makes (none for other aggregates' events)."""
    if not isinstance(event, ev.LedgerEvent):
        return
    day = event.timestamp.astimezone(timezone).date()
    for state, amount in _moves(event):
        yield AddTo(TABLE, (day, state), "delta", amount)
