"""`decide`: the ledger's rules. Given the state and a command, the new events or
a named refusal. Pure: no clock, no I/O; a refusal leaves nothing behind.

Rules (domain.md, "Blank stock"): a serial is never received twice; only a blank
in stock is allocated, lent, spoiled from stock or reported missing; only the
card holding an allocated blank consumes, spoils or releases it; a spoiled blank
can only be destroyed, before at least two witnesses; loans come back only from
(or go back only to) the office named on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar, assert_never, cast
from uuid import UUID

from ektp.domain.actor import require_permission
from ektp.domain.blank_stock import commands as cmd
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.interval_set import EMPTY_SET, IntervalSet
from ektp.domain.blank_stock.serial_range import SerialRange, range_count
from ektp.domain.blank_stock.state import Ledger, evolve
from ektp.domain.blank_stock.vocabulary import BlankState, LoanDirection
from ektp.domain.errors import (
    BlankAlreadyHeld,
    BlankNotAvailable,
    BlankNotHeldByCard,
    CardAlreadyHoldsBlank,
    NoBlankInStock,
    NothingToDestroy,
    NotOnLoan,
    SerialAlreadyReceived,
    UnknownSerial,
)

E = TypeVar("E", bound=ev.LedgerEvent)


def decide(ledger: Ledger, command: cmd.LedgerCommand) -> list[ev.LedgerEvent]:
    """The events `command` produces on `ledger`, or raise the named refusal."""
    # Callers hold commands typed by the base class; the match is over the closed
    # union, so that mypy reports (at assert_never) a command class without a case.
    c = cast("cmd.AnyLedgerCommand", command)
    require_permission(c.actor, c.action)  # before anything else: roles come first
    match c:
        case cmd.ReceiveConsignment():
            return _receive(ledger, c)
        case cmd.AllocateBlank():
            return _allocate(ledger, c)
        case cmd.ConsumeBlank():
            return _consume(ledger, c)
        case cmd.SpoilBlank():
            return _spoil(ledger, c)
        case cmd.ReleaseBlank():
            return _release(ledger, c)
        case cmd.LendBlanks():
            return _lend(ledger, c)
        case cmd.BorrowBlanks():
            return _borrow(ledger, c)
        case cmd.ReturnLoan():
            return _return_loan(ledger, c)
        case cmd.DestroySpoiled():
            return _destroy(ledger, c)
        case cmd.CountStock():
            return _count(ledger, c)
        case cmd.ReportMissing():
            return _missing(ledger, c)
        case _:
            assert_never(c)


def _new(event_type: type[E], ledger: Ledger, c: cmd.LedgerCommand, offset: int = 1,
         **facts: Any) -> E:
    return event_type(
        originator_id=ledger.id,
        originator_version=ledger.version + offset,
        timestamp=c.at,
        actor=c.actor,
        office=c.office,
        **facts,
    )


def _require_in(ledger: Ledger, serials: IntervalSet, pool: IntervalSet, action: str,
                needed: BlankState) -> None:
    """Refuse unless every serial of `serials` is in `pool`, naming the first that is not."""
    stray = pool.first_missing(serials)
    if stray is None:
        return
    _refuse(ledger, stray, action, needed.value)


def _refuse(ledger: Ledger, serial: str, action: str, needed: str) -> None:
    if serial not in ledger.held:
        raise UnknownSerial(serial=serial)
    raise BlankNotAvailable(action=action, serial=serial, state=ledger.place_of(serial),
                            needed=needed)


def _receive(s: Ledger, c: cmd.ReceiveConsignment) -> list[ev.LedgerEvent]:
    clash = s.known.intersection(IntervalSet.of(c.ranges)).first()
    if clash is not None:
        raise SerialAlreadyReceived(serial=clash)
    return [_new(ev.ConsignmentReceived, s, c, bast=c.bast, source=c.source,
                 source_office=c.source_office, ranges=c.ranges, count=range_count(c.ranges))]


def _allocate(s: Ledger, c: cmd.AllocateBlank) -> list[ev.LedgerEvent]:
    held = s.card_blank(c.card_id)
    if held is not None:
        raise CardAlreadyHoldsBlank(card_id=c.card_id, serial=held)
    serial = c.serial if c.serial is not None else s.next_in_stock()
    if serial is None:
        raise NoBlankInStock()
    if serial not in s.in_stock:
        _refuse(s, serial, "allocate a blank", "IN_STOCK")
    return [_new(ev.BlankAllocated, s, c, serial=serial, card_id=c.card_id)]


def _require_held_by(s: Ledger, serial: str, card_id: UUID) -> None:
    if s.holder_of(serial) != card_id:
        if serial not in s.held:
            raise UnknownSerial(serial=serial)
        holder = s.holder_of(serial)
        state = f"allocated to card {holder}" if holder else s.place_of(serial)
        raise BlankNotHeldByCard(serial=serial, card_id=card_id, state=state)


def _consume(s: Ledger, c: cmd.ConsumeBlank) -> list[ev.LedgerEvent]:
    _require_held_by(s, c.serial, c.card_id)
    return [_new(ev.BlankConsumed, s, c, serial=c.serial, card_id=c.card_id)]


def _spoil(s: Ledger, c: cmd.SpoilBlank) -> list[ev.LedgerEvent]:
    if c.card_id is not None:
        _require_held_by(s, c.serial, c.card_id)
    elif c.serial not in s.in_stock:
        _refuse(s, c.serial, "spoil a blank in stock", "IN_STOCK")
    return [_new(ev.BlankSpoiled, s, c, serial=c.serial, reason=c.reason, card_id=c.card_id)]


def _release(s: Ledger, c: cmd.ReleaseBlank) -> list[ev.LedgerEvent]:
    _require_held_by(s, c.serial, c.card_id)
    return [_new(ev.BlankReleased, s, c, serial=c.serial, card_id=c.card_id)]


def _lend(s: Ledger, c: cmd.LendBlanks) -> list[ev.LedgerEvent]:
    _require_in(s, IntervalSet.of(c.ranges), s.in_stock, "lend blanks", BlankState.IN_STOCK)
    return [_new(ev.BlanksLent, s, c, counterpart=c.counterpart, record_number=c.record_number,
                 ranges=c.ranges, count=range_count(c.ranges))]


def _borrow(s: Ledger, c: cmd.BorrowBlanks) -> list[ev.LedgerEvent]:
    clash = s.held.intersection(IntervalSet.of(c.ranges)).first()
    if clash is not None:
        raise BlankAlreadyHeld(serial=clash, state=s.place_of(clash))
    return [_new(ev.BlanksBorrowed, s, c, counterpart=c.counterpart,
                 record_number=c.record_number, ranges=c.ranges, count=range_count(c.ranges))]


def _return_loan(s: Ledger, c: cmd.ReturnLoan) -> list[ev.LedgerEvent]:
    wanted = IntervalSet.of(c.ranges)
    if c.direction is LoanDirection.BACK_TO_US:
        pool, relation = s.lent.get(c.counterpart, EMPTY_SET), "lent to"
    else:
        pool, relation = s.borrowed.get(c.counterpart, EMPTY_SET), "borrowed from"
    stray = pool.first_missing(wanted)
    if stray is not None:
        if stray not in s.held:
            raise UnknownSerial(serial=stray)
        raise NotOnLoan(serial=stray, relation=relation, counterpart=c.counterpart)
    if c.direction is LoanDirection.BACK_TO_LENDER:
        _require_in(s, wanted, s.in_stock, "give borrowed blanks back", BlankState.IN_STOCK)
    return [_new(ev.LoanReturned, s, c, counterpart=c.counterpart, record_number=c.record_number,
                 direction=c.direction, ranges=c.ranges, count=range_count(c.ranges))]


def _destroy(s: Ledger, c: cmd.DestroySpoiled) -> list[ev.LedgerEvent]:
    if c.serials is None:
        chosen = s.spoiled
        if not chosen:
            raise NothingToDestroy()
    else:
        chosen = IntervalSet.of_serials(c.serials)
        _require_in(s, chosen, s.spoiled, "destroy spoiled blanks", BlankState.SPOILED)
    ranges: tuple[SerialRange, ...] = chosen.ranges()
    return [_new(ev.SpoiledDestroyed, s, c, record_number=c.record_number, method=c.method,
                 witnesses=c.witnesses, ranges=ranges, count=chosen.count)]


def _count(s: Ledger, c: cmd.CountStock) -> list[ev.LedgerEvent]:
    book = s.in_stock.count
    return [_new(ev.StockCounted, s, c, counted=c.counted, book=book, difference=c.counted - book)]


def _missing(s: Ledger, c: cmd.ReportMissing) -> list[ev.LedgerEvent]:
    if c.serial not in s.in_stock:
        _refuse(s, c.serial, "report a blank missing", "IN_STOCK")
    return [_new(ev.BlankReportedMissing, s, c, serial=c.serial, police_report=c.police_report)]


def decide_all(
    ledger: Ledger, commands: Iterable[cmd.LedgerCommand]
) -> tuple[list[ev.LedgerEvent], Ledger]:
    """Decide several commands in order, each on the state the previous ones left;
    the events and the ledger after them."""
    events: list[ev.LedgerEvent] = []
    for command in commands:
        new = decide(ledger, command)
        for event in new:
            ledger = evolve(ledger, event)
        events += new
    return events, ledger
