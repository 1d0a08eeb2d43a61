"""The blank stock use cases: one method per command of `ektp blanks`, and its queries.

Card-driven moves (allocate, print, print failure, cancel) are in `card_blanks`;
this desk records what arrives, leaves, breaks, is destroyed, counted or lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from ektp.application.blank_views import (
    BlankMovement,
    BlankView,
    Reconciliation,
    SpoiledBlank,
    StockFigure,
)
from ektp.application.ledger_access import load_ledger, retrying, save_ledger
from ektp.application.office_base import OfficeBase
from ektp.application.stale_retry import write_use_case
from ektp.application.store_access import store_errors
from ektp.domain.actor import Actor
from ektp.domain.blank_stock import commands as lc
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.decide import decide
from ektp.domain.blank_stock.serial_range import parse_ranges
from ektp.domain.blank_stock.snapshot import project
from ektp.domain.blank_stock.source import parse_source
from ektp.domain.blank_stock.state import Ledger, empty_ledger, evolve, ledger_id
from ektp.domain.blank_stock.vocabulary import DestructionMethod, LoanDirection
from ektp.domain.blank_stock.witness import parse_witnesses
from ektp.domain.card.vocabulary import PrintFailureReason
from ektp.domain.choice import parse_choice
from ektp.domain.errors import InvalidStockCount, InvalidText, UnknownSerial
from ektp.domain.serial import parse_serial
from ektp.domain.text import parse_reference

LedgerFactory = Callable[..., lc.LedgerCommand]


class BlankDesk(OfficeBase):
    """Consignments, loans, spoilage, destruction, counts and losses of blanks."""

    @write_use_case
    def receive_blanks(
        self, actor: Actor, *, bast: str, source: str, ranges: Iterable[str]
    ) -> BlankMovement:
        """Take a consignment into stock: its BAST number, source and serial ranges."""
        kind, office = parse_source(source)
        return self._ledger_change(actor, partial(
            lc.ReceiveConsignment, bast=parse_reference(bast, "BAST number"), source=kind,
            source_office=office, ranges=parse_ranges(ranges)))

    @write_use_case
    def lend_blanks(
        self, actor: Actor, *, to: str, record: str, ranges: Iterable[str]
    ) -> BlankMovement:
        """Lend blanks in stock to another office (head of office)."""
        return self._ledger_change(actor, partial(
            lc.LendBlanks, counterpart=parse_reference(to, "office"),
            record_number=parse_reference(record, "record number"), ranges=parse_ranges(ranges)))

    @write_use_case
    def borrow_blanks(
        self, actor: Actor, *, lender: str, record: str, ranges: Iterable[str]
    ) -> BlankMovement:
        """Take blanks borrowed from another office into stock."""
        return self._ledger_change(actor, partial(
            lc.BorrowBlanks, counterpart=parse_reference(lender, "office"),
            record_number=parse_reference(record, "record number"), ranges=parse_ranges(ranges)))

    @write_use_case
    def return_loan(
        self, actor: Actor, *, counterpart: str, record: str, ranges: Iterable[str],
        direction: str | LoanDirection,
    ) -> BlankMovement:
        """Lent blanks came back (``back-to-us``) or borrowed ones went back (``back-to-lender``)."""
        return self._ledger_change(actor, partial(
            lc.ReturnLoan, counterpart=parse_reference(counterpart, "office"),
            record_number=parse_reference(record, "record number"),
            direction=parse_choice(LoanDirection, direction, "direction"),
            ranges=parse_ranges(ranges)))

    @write_use_case
    def spoil_blanks(
        self, actor: Actor, serials: Iterable[str], reason: str | PrintFailureReason
    ) -> BlankMovement:
        """Record blanks in stock found spoiled (e.g. physically damaged)."""
        the_reason = parse_choice(PrintFailureReason, reason, "reason")
        the_serials = self._serials(serials)
        return self._ledger_change(actor, *(
            partial(lc.SpoilBlank, serial=s, reason=the_reason) for s in the_serials))

    @write_use_case
    def destroy_spoiled(
        self, actor: Actor, *, record: str, method: str | DestructionMethod,
        witnesses: Iterable[str], serials: Iterable[str] = (), all_spoiled: bool = False,
    ) -> BlankMovement:
        """Destroy spoiled blanks (these serials, or all) under a record, before witnesses."""
        chosen = tuple(serials)
        if bool(chosen) == all_spoiled:
            raise InvalidText(field="the blanks to destroy",
                              reason="name the SERIALs or give --all-spoiled (not both)")
        return self._ledger_change(actor, partial(
            lc.DestroySpoiled, record_number=parse_reference(record, "record number"),
            method=parse_choice(DestructionMethod, method, "method"),
            witnesses=parse_witnesses(witnesses),
            serials=None if all_spoiled else self._serials(chosen)))

    @write_use_case
    def count_blanks(self, actor: Actor, counted: int) -> BlankMovement:
        """Record a physical count of the blanks in stock; a difference is a discrepancy."""
        if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
            raise InvalidStockCount(value=str(counted)[:20])
        return self._ledger_change(actor, partial(lc.CountStock, counted=counted))

    @write_use_case
    def report_missing(
        self, actor: Actor, serials: Iterable[str], police_report: str
    ) -> BlankMovement:
        """Record blanks in stock that cannot be found, with the police report number."""
        report = parse_reference(police_report, "police report number")
        return self._ledger_change(actor, *(
            partial(lc.ReportMissing, serial=s, police_report=report)
            for s in self._serials(serials)))

    @staticmethod
    def _serials(serials: Iterable[str]) -> tuple[str, ...]:
        chosen = tuple(dict.fromkeys(parse_serial(s) for s in serials))
        if not chosen:
            raise InvalidText(field="SERIAL", reason="name at least one blank serial")
        return chosen

    def _ledger_change(self, actor: Actor, *builds: LedgerFactory) -> BlankMovement:
        def attempt(fresh: bool) -> BlankMovement:
            ledger = load_ledger(self, fresh)
            at = self._now()
            events: list[ev.LedgerEvent] = []
            after = ledger
            for build in builds:
                new = decide(after, build(actor=actor, at=at, office=self._config.office_code))
                for event in new:
                    after = evolve(after, event)
                events += new
            save_ledger(self, events, ref="the blank ledger", before=ledger, after=after)
            return _movement(events, after)

        return retrying(self, attempt)

    # --- queries -----------------------------------------------------------------

    def blank_ledger(self) -> Ledger:
        """The ledger's state now (read fresh from the store)."""
        return load_ledger(self, fresh=True)

    def _ledger_events(self, **bounds: int) -> Iterator[ev.LedgerEvent]:
        stream = ledger_id(self._config.office_code)
        with store_errors():
            for event in self._store.events.get(stream, **bounds):  # type: ignore[arg-type]
                yield event  # type: ignore[misc]

    def blank_stock(self, day: str | dt.date | None = None) -> StockFigure:
        """The daily stock figure: blanks per state at the end of `day` (default: now)
        and that day's movements, in the office's time zone."""
        from ektp.application.blank_folds import stock_figure

        today = self._today()
        the_day = _parse_day(day, today) if day else today
        tz = self._config.timezone
        start = dt.datetime.combine(the_day, dt.time(), tz)
        end = start + dt.timedelta(days=1)
        if the_day == today:
            ledger = self.blank_ledger()
            day_events = list(self._events_since(start))
            as_of = self._now()
        else:
            ledger = empty_ledger(ledger_id(self._config.office_code))
            day_events = []
            for event in self._ledger_events():
                if event.timestamp >= end:
                    break
                ledger = evolve(ledger, event)
                if event.timestamp >= start:
                    day_events.append(event)
            as_of = end
        return stock_figure(ledger, the_day, as_of, day_events,
                            self._config.office_code, self._config.office_name)

    def _events_since(self, start: dt.datetime) -> Iterator[ev.LedgerEvent]:
        """The ledger's events from `start` on, oldest first, read newest first in pages."""
        page, found, upper = 200, [], None
        while True:
            bounds = {"desc": True, "limit": page, **({"lte": upper} if upper else {})}
            batch = list(self._ledger_events(**bounds))
            fresh = [e for e in batch if e.timestamp >= start]
            found += fresh
            if len(fresh) < len(batch) or len(batch) < page:
                return reversed(found)
            upper = batch[-1].originator_version - 1

    def spoiled_blanks(self) -> tuple[SpoiledBlank, ...]:
        """Spoiled blanks not yet destroyed, oldest first, with their age in days."""
        from ektp.application.blank_folds import spoiled_awaiting

        return spoiled_awaiting(self._ledger_events(), self._now())

    def blank(self, serial: str) -> BlankView:
        """One blank serial: where it is now and its whole history."""
        from ektp.application.blank_folds import serial_history
        from ektp.application.blank_transitions import GIVEN_BACK

        the_serial = parse_serial(serial)
        history, track = serial_history(self._ledger_events(), the_serial)
        if track is None:
            raise UnknownSerial(serial=the_serial)
        state = "RETURNED_TO_LENDER" if track.state == GIVEN_BACK else str(track.state)
        return BlankView(the_serial, state, track.card_id, history)

    def reconcile_blanks(self) -> Reconciliation:
        """Recompute the ledger from the full history; list every rule broken."""
        from eventsourcing.utils import get_topic

        from ektp.application.blank_reconcile import reconcile
        from ektp.application.event_feed import events_after
        from ektp.domain.card import events as ce

        classes = [*ev.LedgerEvent.__subclasses__(),
                   ce.BlankAllocated, ce.Printed, ce.PrintFailed, ce.Cancelled]
        topics = tuple(get_topic(c) for c in classes)
        stream = ledger_id(self._config.office_code)
        events = (e for _, e in events_after(self._store, topics=topics)
                  if isinstance(e, ce.CardEvent) or e.originator_id == stream)
        return reconcile(events, self.blank_ledger())  # type: ignore[arg-type]


def _parse_day(day: str | dt.date, today: dt.date) -> dt.date:
    if isinstance(day, dt.date):
        the_day = day
    else:
        try:
            the_day = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise InvalidText(field="date", reason="write it as YYYY-MM-DD") from None
    if the_day > today:
        raise InvalidText(field="date", reason="it is in the future")
    return the_day


def _movement(events: list[ev.LedgerEvent], after: Ledger) -> BlankMovement:
    from ektp.application.blank_transitions import serials_of

    ranges = [r for e in events for r in serials_of(e)]
    first = events[0]
    facts: dict[str, object] = {}
    if isinstance(first, ev.StockCounted):
        facts = {"counted": first.counted, "book": first.book, "difference": first.difference}
    elif isinstance(first, ev.ConsignmentReceived):
        facts = {"bast": first.bast, "source": first.source.value, "source_office": first.source_office}
    return BlankMovement(
        event=type(first).__name__, count=sum(r.count for r in ranges),
        ranges=tuple(str(r) for r in ranges), in_stock=after.in_stock.count,
        conserved=after.conserved(), facts=facts,
    )

