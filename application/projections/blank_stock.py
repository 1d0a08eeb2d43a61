"""The blank stock figure: per office-local day, how many blanks entered and left
each state. The figure on any day is the sum of the deltas up to that day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ektp.application.projections.changes import AddTo, Change
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.vocabulary import LoanDirection

TABLE = "blank_stock_daily"
# Beside the seven states: what came in (received, borrowed) and what went back to lenders.
RECEIVED, BORROWED, GIVEN_BACK = "RECEIVED", "BORROWED", "GIVEN_BACK"


def _moves(event: ev.LedgerEvent) -> list[tuple[str, int]]:
    if isinstance(event, ev.ConsignmentReceived):
        return [(RECEIVED, event.count), ("IN_STOCK", event.count)]
    if isinstance(event, ev.BlankAllocated):
        return [("IN_STOCK", -1), ("ALLOCATED", 1)]
    if isinstance(event, ev.BlankConsumed):
        return [("ALLOCATED", -1), ("CONSUMED", 1)]
    if isinstance(event, ev.BlankSpoiled):
        return [("ALLOCATED" if event.card_id else "IN_STOCK", -1), ("SPOILED", 1)]
    if isinstance(event, ev.BlankReleased):
        return [("ALLOCATED", -1), ("IN_STOCK", 1)]
    if isinstance(event, ev.BlanksLent):
        return [("IN_STOCK", -event.count), ("LENT", event.count)]
    if isinstance(event, ev.BlanksBorrowed):
        return [(BORROWED, event.count), ("IN_STOCK", event.count)]
    if isinstance(event, ev.LoanReturned):
        if event.direction is LoanDirection.BACK_TO_US:
            return [("LENT", -event.count), ("IN_STOCK", event.count)]
        return [("IN_STOCK", -event.count), (GIVEN_BACK, event.count)]
    if isinstance(event, ev.SpoiledDestroyed):
        return [("SPOILED", -event.count), ("DESTROYED", event.count)]
    if isinstance(event, ev.BlankReportedMissing):
        return [("IN_STOCK", -1), ("MISSING", 1)]
    return []


def blank_stock_changes(event: object, timezone: dt.tzinfo) -> Iterator[Change]:
    """The day's state deltas `event` makes (none for other aggregates' events)."""
    if not isinstance(event, ev.LedgerEvent):
        return
    day = event.timestamp.astimezone(timezone).date()
    for state, amount in _moves(event):
        yield AddTo(TABLE, (day, state), "delta", amount)
