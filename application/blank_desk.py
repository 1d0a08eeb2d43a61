"""The blank stock use cases: one method per command of `ektp blanks`, and its queries.

Card-driven moves (allocate, print, print failure, cancel) are in `card_blanks`;
this desk records what arrives, leaves, breaks, is destroyed, counted or lost.
The ledger's modules are imported inside the methods: `Office` includes this
desk, and a card command that moves no blank (`card ready`) should not pay for
loading them at start-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ektp.application.office_base import OfficeBase
from ektp.application.stale_retry import write_use_case

if TYPE_CHECKING:
    from ektp.application.blank_views import (
        BlankMovement,
        BlankView,
        Reconciliation,
        SpoiledBlank,
        StockFigure,
    )
    from ektp.domain.actor import Actor
    from ektp.domain.blank_stock import events as ev
    from ektp.domain.blank_stock.state import Ledger
    from ektp.domain.blank_stock.vocabulary import DestructionMethod, LoanDirection
    from ektp.domain.card.vocabulary import PrintFailureReason


class BlankDesk(OfficeBase):
    """Consignments, loans, spoilage, destruction, counts and losses of blanks."""

    @write_use_case
    def receive_blanks(
        self, actor: Actor, *, bast: str, source: str, ranges: Iterable[str]
    ) -> BlankMovement:
        """Take a consignment into stock: its BAST number, source and serial ranges."""
        from ektp.application import blank_commands as bc

        return bc.apply(self, actor, bc.receive(bast, source, ranges))

    @write_use_case
    def lend_blanks(
        self, actor: Actor, *, to: str, record: str, ranges: Iterable[str]
    ) -> BlankMovement:
        """Lend blanks in stock to another office (head of office)."""
        from ektp.application import blank_commands as bc

        return bc.apply(self, actor, bc.lend(to, record, ranges))

    @write_use_case
    def borrow_blanks(
        self, actor: Actor, *, lender: str, record: str, ranges: Iterable[str]
    ) -> BlankMovement:
        """Take blanks borrowed from another office into stock."""
        from ektp.application import blank_commands as bc

        return bc.apply(self, actor, bc.borrow(lender, record, ranges))

    @write_use_case
    def return_loan(
        self, actor: Actor, *, counterpart: str, record: str, ranges: Iterable[str],
        direction: str | LoanDirection,
    ) -> BlankMovement:
        """Lent blanks came back (``back-to-us``) or borrowed ones went back (``back-to-lender``)."""
        from ektp.application import blank_commands as bc

        return bc.apply(self, actor, bc.return_loan(counterpart, record, ranges, direction))

    @write_use_case
    def spoil_blanks(
        self, actor: Actor, serials: Iterable[str], reason: str | PrintFailureReason
    ) -> BlankMovement:
        """Record blanks in stock found spoiled (e.g. physically damaged)."""
        from ektp.application import blank_commands as bc

        return bc.apply(self, actor, bc.spoil(serials, reason))

    @write_use_case
    def destroy_spoiled(
        self, actor: Actor, *, record: str, method: str | DestructionMethod,
        witnesses: Iterable[str], serials: Iterable[str] = (), all_spoiled: bool = False,
    ) -> BlankMovement:
        """Destroy spoiled blanks (these serials, or all) under a record, before witnesses."""
        from ektp.application import blank_commands as bc

        return bc.apply(self, actor, bc.destroy(record, method, witnesses, serials, all_spoiled))

    @write_use_case
    def count_blanks(self, actor: Actor, counted: int) -> BlankMovement:
        """Record a physical count of the blanks in stock; a difference is a discrepancy."""
        from ektp.application import blank_commands as bc

        return bc.apply(self, actor, bc.count(counted))

    @write_use_case
    def report_missing(
        self, actor: Actor, serials: Iterable[str], police_report: str
    ) -> BlankMovement:
        """Record blanks in stock that cannot be found, with the police report number."""
        from ektp.application import blank_commands as bc

        return bc.apply(self, actor, bc.missing(serials, police_report))

    # --- queries -----------------------------------------------------------------

    def blank_ledger(self) -> Ledger:
        """The ledger's state now (read fresh from the store)."""
        from ektp.application.ledger_access import load_ledger

        return load_ledger(self, fresh=True)

    def _ledger_events(self, **bounds: int) -> Iterator[ev.LedgerEvent]:
        from ektp.application.store_access import store_errors
        from ektp.domain.blank_stock.state import ledger_id

        stream = ledger_id(self._config.office_code)
        with store_errors():
            for event in self._store.events.get(stream, **bounds):  # type: ignore[arg-type]
                yield event  # type: ignore[misc]

    def blank_stock(self, day: str | dt.date | None = None) -> StockFigure:
        """The daily stock figure: blanks per state at the end of `day` (default: now)
        and that day's movements, in the office's time zone."""
        from ektp.application.blank_folds import stock_figure
        from ektp.domain.blank_stock.state import empty_ledger, evolve, ledger_id

        today = self._today()
        the_day = _parse_day(day, today) if day else today
        start = dt.datetime.combine(the_day, dt.time(), self._config.timezone)
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
        page, upper = 200, None
        found: list[ev.LedgerEvent] = []
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
        from ektp.application.blank_views import BlankView
        from ektp.domain.errors import UnknownSerial
        from ektp.domain.serial import parse_serial

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
        from ektp.domain.blank_stock import events as ledger_events
        from ektp.domain.blank_stock.state import ledger_id
        from ektp.domain.card import events as ce

        classes = [*ledger_events.LedgerEvent.__subclasses__(),
                   ce.BlankAllocated, ce.Printed, ce.PrintFailed, ce.Cancelled]
        topics = tuple(get_topic(c) for c in classes)
        stream = ledger_id(self._config.office_code)
        events = (e for _, e in events_after(self._store, topics=topics)
                  if isinstance(e, ce.CardEvent) or e.originator_id == stream)
        return reconcile(events, self.blank_ledger())  # type: ignore[arg-type]


def _parse_day(day: str | dt.date, today: dt.date) -> dt.date:
    from ektp.domain.errors import InvalidText

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
