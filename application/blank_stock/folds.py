"""Folds over the blank ledger's events for the queries: a serial's history, the
spoiled blanks awaiting destruction, the day's movements, the stock figure.

Pure functions of events (no store), so the read models of a later issue can
run the very same folds inside their projections.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import assert_never, cast
from uuid import UUID

from ektp.application.blank_stock.transitions import Track, serials_of, transition
from ektp.application.blank_stock.views import (
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


def summarise(event: ev.LedgerEvent) -> str:
    """A one-line description of a ledger event (witness names are not shown)."""
    e = cast(ev.AnyLedgerEvent, event)
    match e:
        case ev.ConsignmentReceived():
            return f"received {e.count:,} from {describe_source(e.source, e.source_office)} (BAST {e.bast})"
        case ev.BlankAllocated():
            return f"allocated to card {e.card_id}"
        case ev.BlankConsumed():
            return f"consumed: card {e.card_id} printed on it"
        case ev.BlankSpoiled():
            where = f"printing card {e.card_id}" if e.card_id else "in stock"
            return f"spoiled ({e.reason.value}) {where}"
        case ev.BlankReleased():
            return f"back in stock: card {e.card_id} was cancelled before printing"
        case ev.BlanksLent():
            return f"lent to {e.counterpart} (record {e.record_number}, {e.count:,} blanks)"
        case ev.BlanksBorrowed():
            return f"borrowed from {e.counterpart} (record {e.record_number}, {e.count:,} blanks)"
        case ev.LoanReturned() if e.direction is LoanDirection.BACK_TO_US:
            return f"came back from {e.counterpart} (record {e.record_number})"
        case ev.LoanReturned():
            return f"given back to its lender {e.counterpart} (record {e.record_number})"
        case ev.SpoiledDestroyed():
            roles = ", ".join(w.role for w in e.witnesses)
            return (f"destroyed ({e.method.value}) under record {e.record_number} before "
                    f"{len(e.witnesses)} witnesses ({roles})")
        case ev.StockCounted():
            return f"stock counted: {e.counted:,} against {e.book:,} on the books ({e.difference:+,})"
        case ev.BlankReportedMissing():
            return f"reported missing (police report {e.police_report})"
        case _:
            assert_never(e)


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
    for event in events:
        e = cast(ev.AnyLedgerEvent, event)
        match e:
            case ev.ConsignmentReceived():
                moved["received"] += e.count
            case ev.BlanksBorrowed():
                moved["borrowed"] += e.count
            case ev.BlankAllocated():
                moved["allocated"] += 1
            case ev.BlankConsumed():
                moved["consumed"] += 1
            case ev.BlankSpoiled():
                moved["spoiled"] += 1
            case ev.BlankReleased():
                moved["released"] += 1
            case ev.BlanksLent():
                moved["lent"] += e.count
            case ev.LoanReturned():
                moved["came_back" if e.direction is LoanDirection.BACK_TO_US else "given_back"] += e.count
            case ev.SpoiledDestroyed():
                moved["destroyed"] += e.count
            case ev.BlankReportedMissing():
                moved["missing"] += 1
            case ev.StockCounted():
                pass  # a count moves no blank
            case _:
                assert_never(e)
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
