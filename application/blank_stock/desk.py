"""The blank desk: one method per command of `ektp blanks`, and its queries.

Card-driven moves (allocate, print, print failure, cancel) are the card desk's
(`card/blank_moves.py`); this desk records what arrives, leaves, breaks, is
destroyed, counted or lost, and answers where every blank is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from eventsourcing.utils import get_topic

from ektp.application.blank_stock import commands as bc
from ektp.application.blank_stock.folds import serial_history, spoiled_awaiting, stock_figure
from ektp.application.blank_stock.ledger import current_ledger
from ektp.application.blank_stock.reconcile import reconcile
from ektp.application.blank_stock.transitions import GIVEN_BACK
from ektp.application.blank_stock.views import (
    BlankMovement,
    BlankView,
    Reconciliation,
    SpoiledBlank,
    StockFigure,
)
from ektp.application.feed.pages import events_after
from ektp.application.kernel.dates import parse_day
from ektp.application.kernel.i18n import _
from ektp.application.kernel.services import Services
from ektp.domain.actor import Actor
from ektp.domain.blank_stock import commands as lc
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.state import Ledger, empty_ledger, evolve, ledger_id
from ektp.domain.blank_stock.vocabulary import DestructionMethod, LoanDirection
from ektp.domain.card import events as ce
from ektp.domain.card.vocabulary import PrintFailureReason
from ektp.domain.errors import InvalidText, UnknownSerial
from ektp.domain.serial import parse_serial

if TYPE_CHECKING:
    from ektp.application.blank_stock.destruction import DestructionRecord

# The card events that move a blank: reconciliation reads them beside the ledger's.
_CARD_BLANK_EVENTS = (ce.BlankAllocated, ce.Printed, ce.PrintFailed, ce.Cancelled)


class BlankDesk:
    """Consignments, loans, spoilage, destruction, counts and losses of blanks."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def _apply(self, actor: Actor, action: str, builds: Callable[[], list[bc.Build]]) -> BlankMovement:
        # What the clerk typed is checked first (a typo is exit 2 whoever types it),
        # then the door, then the ledger.
        commands = builds()
        self._services.authorise(actor, action)
        return bc.apply(self._services, actor, commands)

    def receive_blanks(
        self, actor: Actor, *, bast: str, source: str, ranges: Iterable[str]
    ) -> BlankMovement:
        """Take a consignment into stock: its BAST number, source and serial ranges."""
        return self._apply(actor, lc.ReceiveConsignment.action,
                           lambda: bc.receive(bast, source, ranges))

    def lend_blanks(self, actor: Actor, *, to: str, record: str, ranges: Iterable[str]) -> BlankMovement:
        """Lend blanks in stock to another office (head of office)."""
        return self._apply(actor, lc.LendBlanks.action, lambda: bc.lend(to, record, ranges))

    def borrow_blanks(
        self, actor: Actor, *, lender: str, record: str, ranges: Iterable[str]
    ) -> BlankMovement:
        """Take blanks borrowed from another office into stock."""
        return self._apply(actor, lc.BorrowBlanks.action, lambda: bc.borrow(lender, record, ranges))

    def return_loan(
        self, actor: Actor, *, counterpart: str, record: str, ranges: Iterable[str],
        direction: str | LoanDirection,
    ) -> BlankMovement:
        """Lent blanks came back (``back-to-us``) or borrowed ones went back (``back-to-lender``)."""
        return self._apply(actor, lc.ReturnLoan.action,
                           lambda: bc.return_loan(counterpart, record, ranges, direction))

    def spoil_blanks(
        self, actor: Actor, serials: Iterable[str], reason: str | PrintFailureReason
    ) -> BlankMovement:
        """Record blanks in stock found spoiled (e.g. physically damaged)."""
        return self._apply(actor, lc.SpoilBlank.action, lambda: bc.spoil(serials, reason))

    def destroy_spoiled(
        self, actor: Actor, *, record: str, method: str | DestructionMethod,
        witnesses: Iterable[str], serials: Iterable[str] = (), all_spoiled: bool = False,
    ) -> BlankMovement:
        """Destroy spoiled blanks (these serials, or all) under a record, before witnesses."""
        return self._apply(actor, lc.DestroySpoiled.action,
                           lambda: bc.destroy(record, method, witnesses, serials, all_spoiled))

    def count_blanks(self, actor: Actor, counted: int) -> BlankMovement:
        """Record a physical count of the blanks in stock; a difference is a discrepancy."""
        return self._apply(actor, lc.CountStock.action, lambda: bc.count(counted))

    def report_missing(
        self, actor: Actor, serials: Iterable[str], police_report: str
    ) -> BlankMovement:
        """Record blanks in stock that cannot be found, with the police report number."""
        return self._apply(actor, lc.ReportMissing.action,
                           lambda: bc.missing(serials, police_report))

    # --- queries -----------------------------------------------------------------
    def blank_ledger(self) -> Ledger:
        """The ledger's state now (read fresh from the store)."""
        return current_ledger(self._services)

    def _ledger_events(self, **bounds: int) -> Iterator[ev.LedgerEvent]:
        stream = ledger_id(self._services.config.office_code)
        return self._services.store.events(stream, **bounds)

    def blank_stock(self, day: str | dt.date | None = None) -> StockFigure:
        """The daily stock figure: blanks per state at the end of `day` (default: now)
        and that day's movements, in the office's time zone."""
        s = self._services
        today = s.today()
        the_day = parse_day(day, latest=today) if day else today
        start = dt.datetime.combine(the_day, dt.time(), s.config.timezone)
        end = start + dt.timedelta(days=1)
        if the_day == today:
            ledger = self.blank_ledger()
            day_events = list(self._events_since(start))
            as_of = s.now()
        else:
            ledger = empty_ledger(ledger_id(s.config.office_code))
            day_events = []
            for event in self._ledger_events():
                if event.timestamp >= end:
                    break
                ledger = evolve(ledger, event)
                if event.timestamp >= start:
                    day_events.append(event)
            as_of = end
        return stock_figure(ledger, the_day, as_of, day_events,
                            s.config.office_code, s.config.office_name)

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

    def destruction_record(self, start: str | dt.date | None = None,
                           end: str | dt.date | None = None, *,
                           day: str | dt.date | None = None) -> DestructionRecord:
        """Every blank serial and card destroyed on `day`, or from `start` to `end`
        (inclusive; `end` defaults to today), or today: for the berita acara pemusnahan."""
        from ektp.application.blank_stock.destruction import destruction_record
        from ektp.domain.card.state import project as card_project

        s = self._services
        today = s.today()
        if day is not None and (start is not None or end is not None):
            raise InvalidText(field="--date", reason=_("give either --date or --from/--to, not both"))
        if end is not None and start is None:
            raise InvalidText(field="--to", reason=_("give --from with it"))
        if day is not None:
            first = last = parse_day(day, "--date", latest=today)
        elif start is not None:
            first = parse_day(start, "--from", latest=today)
            last = parse_day(end, "--to", latest=today) if end is not None else today
            if last < first:
                raise InvalidText(field="--to", reason=_("it is before --from"))
        else:
            first = last = today
        begin = dt.datetime.combine(first, dt.time(), s.config.timezone)
        finish = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), s.config.timezone)
        cards = []
        for _position, event in events_after(s.store, topics=(get_topic(ce.Destroyed),)):
            if isinstance(event, ce.Destroyed) and begin <= event.timestamp < finish:
                card = s.store.load(event.originator_id, card_project)
                cards.append((event, getattr(card, "blank_serial", None)))
        return destruction_record(self._ledger_events(), cards, begin, finish, first, last,
                                  s.config.office_name)

    def spoiled_blanks(self) -> tuple[SpoiledBlank, ...]:
        """Spoiled blanks not yet destroyed, oldest first, with their age in days."""
        return spoiled_awaiting(self._ledger_events(), self._services.now())

    def blank(self, serial: str) -> BlankView:
        """One blank serial: where it is now and its whole history."""
        the_serial = parse_serial(serial)
        history, track = serial_history(self._ledger_events(), the_serial)
        if track is None:
            raise UnknownSerial(serial=the_serial)
        state = "RETURNED_TO_LENDER" if track.state == GIVEN_BACK else str(track.state)
        return BlankView(the_serial, state, track.card_id, history)

    def reconcile_blanks(self) -> Reconciliation:
        """Recompute the ledger from the full history; list every rule broken."""
        classes = [*ev.LedgerEvent.__subclasses__(), *_CARD_BLANK_EVENTS]
        topics = tuple(get_topic(c) for c in classes)
        stream = ledger_id(self._services.config.office_code)
        events = (e for _, e in events_after(self._services.store, topics=topics)
                  if isinstance(e, ce.CardEvent) or e.originator_id == stream)
        return reconcile(events, self.blank_ledger())  # type: ignore[arg-type]
