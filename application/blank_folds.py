"""Folds over the blank ledger's events for the queries: a serial's history, the
spoiled blanks awaiting destruction, the day's movements, the stock figure.

Pure functions of events (no store), so the read models of a later issue can
run the very same folds inside their projections.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import singledispatch
from uuid import UUID

from ektp.application.blank_transitions import Track, serials_of, transition
from ektp.application.blank_views import (
    BlankHistoryEntry,
    LastCountView,
    SpoiledBlank,
    StockFigure,
)
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.interval_set import IntervalSet
from ektp.domain.blank_stock.source import describe_source
from ektp.domain.blank_stock.state import Ledger
from ektp.domain.blank_stock.vocabulary import BlankState, LoanDirection


@singledispatch
def summarise(event: ev.LedgerEvent) -> str:
    """A one-line description of a ledger event (witness names are not shown)."""
    return type(event).__name__


@summarise.register
def _(e: ev.ConsignmentReceived) -> str:
    return f"received {e.count:,} from {describe_source(e.source, e.source_office)} (BAST {e.bast})"


@summarise.register
def _(e: ev.BlankAllocated) -> str:
    return f"allocated to card {e.card_id}"


@summarise.register
def _(e: ev.BlankConsumed) -> str:
    return f"consumed: card {e.card_id} printed on it"


@summarise.register
def _(e: ev.BlankSpoiled) -> str:
    where = f"printing card {e.card_id}" if e.card_id else "in stock"
    return f"spoiled ({e.reason.value}) {where}"


@summarise.register
def _(e: ev.BlankReleased) -> str:
    return f"back in stock: card {e.card_id} was cancelled before printing"


@summarise.register
def _(e: ev.BlanksLent) -> str:
    return f"lent to {e.counterpart} (record {e.record_number}, {e.count:,} blanks)"


@summarise.register
def _(e: ev.BlanksBorrowed) -> str:
    return f"borrowed from {e.counterpart} (record {e.record_number}, {e.count:,} blanks)"


@summarise.register
def _(e: ev.LoanReturned) -> str:
    if e.direction is LoanDirection.BACK_TO_US:
        return f"came back from {e.counterpart} (record {e.record_number})"
    return f"given back to its lender {e.counterpart} (record {e.record_number})"


@summarise.register
def _(e: ev.SpoiledDestroyed) -> str:
    roles = ", ".join(w.role for w in e.witnesses)
    return (f"destroyed ({e.method.value}) under record {e.record_number} before "
            f"{len(e.witnesses)} witnesses ({roles})")


@summarise.register
def _(e: ev.StockCounted) -> str:
    return f"stock counted: {e.counted:,} against {e.book:,} on the books ({e.difference:+,})"


@summarise.register
def _(e: ev.BlankReportedMissing) -> str:
    return f"reported missing (police report {e.police_report})"


def entry(event: ev.LedgerEvent, broke_rule: str | None = None) -> BlankHistoryEntry:
    """The history line of one ledger event."""
    return BlankHistoryEntry(
        version=event.originator_version, time=event.timestamp, event=type(event).__name__,
        actor_id=event.actor.id, actor_role=event.actor.role.value, summary=summarise(event),
        broke_rule=broke_rule,
    )


def serial_history(
    events: Iterable[ev.LedgerEvent], serial: str
) -> tuple[tuple[BlankHistoryEntry, ...], Track | None]:
    """Every ledger event that moved `serial`, oldest first, and where it is now."""
    entries: list[BlankHistoryEntry] = []
    track: Track | None = None
    for event in events:
        if any(serial in r for r in serials_of(event)):
            track, broken = transition(track, event)
            entries.append(entry(event, broken))
    return tuple(entries), track


def spoiled_awaiting(events: Iterable[ev.LedgerEvent], now: dt.datetime) -> tuple[SpoiledBlank, ...]:
    """Spoiled blanks not yet destroyed, oldest first, with their age in whole days."""
    spoiled: dict[str, tuple[dt.datetime, str, UUID | None]] = {}
    for event in events:
        if isinstance(event, ev.BlankSpoiled):
            spoiled[event.serial] = (event.timestamp, event.reason.value, event.card_id)
        elif isinstance(event, ev.SpoiledDestroyed):
            gone = IntervalSet.of(event.ranges)
            spoiled = {s: v for s, v in spoiled.items() if s not in gone}
    return tuple(
        SpoiledBlank(serial, at, max(0, (now - at).days), reason, card)
        for serial, (at, reason, card) in sorted(spoiled.items(), key=lambda kv: (kv[1][0], kv[0]))
    )


def movements(events: Iterable[ev.LedgerEvent]) -> dict[str, int]:
    """How many blanks each kind of movement moved over `events`."""
    moved: Counter[str] = Counter()
    for e in events:
        if isinstance(e, ev.ConsignmentReceived):
            moved["received"] += e.count
        elif isinstance(e, ev.BlanksBorrowed):
            moved["borrowed"] += e.count
        elif isinstance(e, ev.BlankAllocated):
            moved["allocated"] += 1
        elif isinstance(e, ev.BlankConsumed):
            moved["consumed"] += 1
        elif isinstance(e, ev.BlankSpoiled):
            moved["spoiled"] += 1
        elif isinstance(e, ev.BlankReleased):
            moved["released"] += 1
        elif isinstance(e, ev.BlanksLent):
            moved["lent"] += e.count
        elif isinstance(e, ev.LoanReturned):
            key = "came_back" if e.direction is LoanDirection.BACK_TO_US else "given_back"
            moved[key] += e.count
        elif isinstance(e, ev.SpoiledDestroyed):
            moved["destroyed"] += e.count
        elif isinstance(e, ev.BlankReportedMissing):
            moved["missing"] += 1
    return {key: moved[key] for key in MOVEMENTS}


MOVEMENTS = ("received", "borrowed", "allocated", "consumed", "spoiled", "released", "lent",
             "came_back", "given_back", "destroyed", "missing")


def stock_figure(
    ledger: Ledger, day: dt.date, as_of: dt.datetime, day_events: Iterable[ev.LedgerEvent],
    office: str, office_name: str,
) -> StockFigure:
    """The published daily figure from the ledger as of `as_of` and that day's events."""
    count = ledger.last_count
    return StockFigure(
        office=office, office_name=office_name, day=day, as_of=as_of,
        counts={state.value: n for state, n in ledger.counts().items()},
        received=ledger.received, borrowed=ledger.borrowed_held,
        borrowed_total=ledger.borrowed_total, given_back=ledger.given_back_total,
        conserved=ledger.conserved(), movements=movements(day_events),
        last_count=None if count is None else LastCountView(
            count.at, count.counted, count.book, count.difference),
    )


def counts_by_state(tracks: Mapping[str, Track]) -> dict[str, int]:
    """How many serials are in each of the seven states (given-back ones are off the books)."""
    tally = Counter(t.state for t in tracks.values())
    return {state.value: tally[state] for state in BlankState}
