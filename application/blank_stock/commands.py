"""The blank ledger's write use cases, behind the blank desk: reading what the
clerk typed into ledger commands, and deciding and saving them (the ledger is a
shared stream: a conflict on it is decided again)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from ektp.application.blank_stock.ledger import RETRIES, load_ledger, record_ledger
from ektp.application.blank_stock.transitions import serials_of
from ektp.application.blank_stock.views import BlankMovement
from ektp.application.kernel.i18n import _
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Transaction
from ektp.domain.actor import Actor
from ektp.domain.blank_stock import commands as lc
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.decide import decide_all
from ektp.domain.blank_stock.serial_range import parse_ranges
from ektp.domain.blank_stock.source import parse_source
from ektp.domain.blank_stock.state import Ledger
from ektp.domain.blank_stock.vocabulary import DestructionMethod, LoanDirection
from ektp.domain.blank_stock.witness import parse_witnesses
from ektp.domain.card.vocabulary import PrintFailureReason
from ektp.domain.choice import parse_choice
from ektp.domain.errors import InvalidStockCount, InvalidText
from ektp.domain.serial import parse_serial
from ektp.domain.text import parse_reference

Build = Callable[..., lc.LedgerCommand]


def receive(bast: str, source: str, ranges: Iterable[str]) -> list[Build]:
    """A consignment: its BAST number, source and serial ranges."""
    kind, office = parse_source(source)
    return [partial(lc.ReceiveConsignment, bast=parse_reference(bast, "BAST number"),
                    source=kind, source_office=office, ranges=parse_ranges(ranges))]


def lend(to: str, record: str, ranges: Iterable[str]) -> list[Build]:
    """Blanks lent to another office."""
    return [partial(lc.LendBlanks, counterpart=parse_reference(to, "office"),
                    record_number=parse_reference(record, "record number"),
                    ranges=parse_ranges(ranges))]


def borrow(lender: str, record: str, ranges: Iterable[str]) -> list[Build]:
    """Blanks borrowed from another office."""
    return [partial(lc.BorrowBlanks, counterpart=parse_reference(lender, "office"),
                    record_number=parse_reference(record, "record number"),
                    ranges=parse_ranges(ranges))]


def return_loan(counterpart: str, record: str, ranges: Iterable[str],
                direction: str | LoanDirection) -> list[Build]:
    """A loan coming back to us, or going back to its lender."""
    return [partial(lc.ReturnLoan, counterpart=parse_reference(counterpart, "office"),
                    record_number=parse_reference(record, "record number"),
                    direction=parse_choice(LoanDirection, direction, "direction"),
                    ranges=parse_ranges(ranges))]


def spoil(serials: Iterable[str], reason: str | PrintFailureReason) -> list[Build]:
    """Blanks in stock found spoiled, one command each."""
    the_reason = parse_choice(PrintFailureReason, reason, "reason")
    return [partial(lc.SpoilBlank, serial=s, reason=the_reason) for s in _serials(serials)]


def destroy(record: str, method: str | DestructionMethod, witnesses: Iterable[str],
            serials: Iterable[str], all_spoiled: bool) -> list[Build]:
    """Spoiled blanks destroyed: the named ones, or all of them."""
    chosen = tuple(serials)
    if bool(chosen) == all_spoiled:
        raise InvalidText(field="the blanks to destroy",
                          reason=_("name the SERIALs or give --all-spoiled (not both)"))
    return [partial(lc.DestroySpoiled, record_number=parse_reference(record, "record number"),
                    method=parse_choice(DestructionMethod, method, "method"),
                    witnesses=parse_witnesses(witnesses),
                    serials=None if all_spoiled else _serials(chosen))]


# More blanks than any office holds (a whole province's population), and a figure that
# fits every 64-bit column it is stored in; a longer number is a typing slip.
MAX_COUNT = 10_000_000


def count(counted: int) -> list[Build]:
    """A physical count of the blanks in stock (0 to `MAX_COUNT`)."""
    if isinstance(counted, bool) or not isinstance(counted, int) or not 0 <= counted <= MAX_COUNT:
        raise InvalidStockCount(value=str(counted)[:20])
    return [partial(lc.CountStock, counted=counted)]


def missing(serials: Iterable[str], police_report: str) -> list[Build]:
    """Blanks in stock that cannot be found, one command each."""
    report = parse_reference(police_report, "police report number")
    return [partial(lc.ReportMissing, serial=s, police_report=report) for s in _serials(serials)]


def _serials(serials: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(parse_serial(s) for s in serials))
    if not chosen:
        raise InvalidText(field="SERIAL", reason=_("name at least one blank serial"))
    return chosen


def apply(services: Services, actor: Actor, builds: list[Build]) -> BlankMovement:
    """Decide the commands in order on the ledger and save their events in one transaction."""

    def attempt(tx: Transaction) -> BlankMovement:
        ledger = load_ledger(services, tx)
        stamp = services.stamp(actor)
        events, after = decide_all(ledger, [build(**stamp) for build in builds])
        record_ledger(services, tx, ledger, events, after)
        return movement(events, after)

    return services.store.transact(attempt, ref="the blank ledger", retries=RETRIES)


def movement(events: list[ev.LedgerEvent], after: Ledger) -> BlankMovement:
    """What a command's events did, for the clerk."""
    ranges = [r for e in events for r in serials_of(e)]
    first = events[0]
    facts: dict[str, object] = {}
    match first:
        case ev.StockCounted():
            facts = {"counted": first.counted, "book": first.book, "difference": first.difference}
        case ev.ConsignmentReceived():
            facts = {"bast": first.bast, "source": first.source.value,
                     "source_office": first.source_office}
        case _:
            pass  # the other movements are described by their ranges alone
    return BlankMovement(
        event=type(first).__name__, count=sum(r.count for r in ranges),
        ranges=tuple(str(r) for r in ranges), in_stock=after.in_stock.count,
        conserved=after.conserved(), facts=facts,
    )
