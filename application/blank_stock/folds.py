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
from ektp.application.kernel.i18n import N_
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.interval_set import IntervalSet
from ektp.domain.blank_stock.source import describe_source
from ektp.domain.blank_stock.state import Ledger
from ektp.domain.blank_stock.vocabulary import BlankState, LoanDirection


def summarise(event: ev.LedgerEvent) -> str:
    """A one-line description of a ledger event (witness names are not shown): English,
    marked with its template and fields (`N_`), which the CLI says in the language in force
    (`say`); ``--json`` keeps the English."""
    e = cast(ev.AnyLedgerEvent, event)
    match e:
        case ev.ConsignmentReceived():
            return N_("received {count:,} from {source} (BAST {bast})",
                count=e.count, source=describe_source(e.source, e.source_office), bast=e.bast)
        case ev.BlankAllocated():
            return N_("allocated to card {card}", card=e.card_id)
        case ev.BlankConsumed():
            return N_("consumed: card {card} printed on it", card=e.card_id)
        case ev.BlankSpoiled():
            if e.card_id:
                return N_("spoiled ({reason}) printing card {card}",
                    reason=e.reason.value, card=e.card_id)
            return N_("spoiled ({reason}) in stock", reason=e.reason.value)
        case ev.BlankReleased():
            return N_("back in stock: card {card} was cancelled before printing", card=e.card_id)
        case ev.BlanksLent():
            return N_("lent to {office} (record {record}, {count:,} blanks)",
                office=e.counterpart, record=e.record_number, count=e.count)
        case ev.BlanksBorrowed():
            return N_("borrowed from {office} (record {record}, {count:,} blanks)",
                office=e.counterpart, record=e.record_number, count=e.count)
        case ev.LoanReturned() if e.direction is LoanDirection.BACK_TO_US:
            return N_("came back from {office} (record {record})",
                office=e.counterpart, record=e.record_number)
        case ev.LoanReturned():
            return N_("given back to its lender {office} (record {record})",
                office=e.counterpart, record=e.record_number)
        case ev.SpoiledDestroyed():
            roles = ", ".join(w.role for w in e.witnesses)
            return N_("destroyed ({method}) under record {record} before {witnesses} witnesses "
                     "({roles})",
                         method=e.method.value, record=e.record_number, witnesses=len(e.witnesses), roles=roles)
        case ev.StockCounted():
            return N_("stock counted: {counted:,} against {book:,} on the books "
                     "({difference:+,})", counted=e.counted, book=e.book, difference=e.difference)
        case ev.BlankReportedMissing():
            return N_("reported missing (police report {report})", report=e.police_report)
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
