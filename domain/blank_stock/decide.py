"""`decide`: the ledger's rules. Given the state and a command, the new events or
a named refusal. Pure: no clock, no I/O; a refusal leaves nothing behind.

Rules (domain.md, "Blank stock"): a serial is never received twice; only a blank
in stock is allocated, lent, spoiled from stock or reported missing; only the
card holding an allocated blank consumes, spoils or releases it; a spoiled blank
can only be destroyed, before at least two witnesses; loans come back only from
(or go back only to) the office named on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
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

C = TypeVar("C", bound=cmd.LedgerCommand)
E = TypeVar("E", bound=ev.LedgerEvent)
_Handler = Callable[[Ledger, Any], list[ev.LedgerEvent]]
_HANDLERS: dict[type[cmd.LedgerCommand], tuple[str, _Handler]] = {}


def _handles(
    command_type: type[C], action: str
) -> Callable[[Callable[[Ledger, C], list[ev.LedgerEvent]]], Any]:
    def register(fn: Callable[[Ledger, C], list[ev.LedgerEvent]]) -> Any:
        _HANDLERS[command_type] = (action, fn)
        return fn

    return register


def action_of(command: cmd.LedgerCommand) -> str:
    """The permission name of a command (see `ektp.domain.actor.PERMISSIONS`)."""
    if isinstance(command, cmd.SpoilBlank) and command.card_id is None:
        return "spoil a blank in stock"
    return _HANDLERS[type(command)][0]


def decide(ledger: Ledger, command: cmd.LedgerCommand) -> list[ev.LedgerEvent]:
    """The events `command` produces on `ledger`, or raise the named refusal."""
    require_permission(command.actor, action_of(command))
    return _HANDLERS[type(command)][1](ledger, command)


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


@_handles(cmd.ReceiveConsignment, "receive blanks")
def _receive(s: Ledger, c: cmd.ReceiveConsignment) -> list[ev.LedgerEvent]:
    clash = s.known.intersection(IntervalSet.of(c.ranges)).first()
    if clash is not None:
        raise SerialAlreadyReceived(serial=clash)
    return [_new(ev.ConsignmentReceived, s, c, bast=c.bast, source=c.source,
                 source_office=c.source_office, ranges=c.ranges, count=range_count(c.ranges))]


@_handles(cmd.AllocateBlank, "allocate a blank")
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


@_handles(cmd.ConsumeBlank, "record printing")
def _consume(s: Ledger, c: cmd.ConsumeBlank) -> list[ev.LedgerEvent]:
    _require_held_by(s, c.serial, c.card_id)
    return [_new(ev.BlankConsumed, s, c, serial=c.serial, card_id=c.card_id)]


@_handles(cmd.SpoilBlank, "record a print failure")
def _spoil(s: Ledger, c: cmd.SpoilBlank) -> list[ev.LedgerEvent]:
    if c.card_id is not None:
        _require_held_by(s, c.serial, c.card_id)
    elif c.serial not in s.in_stock:
        _refuse(s, c.serial, "spoil a blank in stock", "IN_STOCK")
    return [_new(ev.BlankSpoiled, s, c, serial=c.serial, reason=c.reason, card_id=c.card_id)]


@_handles(cmd.ReleaseBlank, "cancel a card")
def _release(s: Ledger, c: cmd.ReleaseBlank) -> list[ev.LedgerEvent]:
    _require_held_by(s, c.serial, c.card_id)
    return [_new(ev.BlankReleased, s, c, serial=c.serial, card_id=c.card_id)]


@_handles(cmd.LendBlanks, "lend blanks")
def _lend(s: Ledger, c: cmd.LendBlanks) -> list[ev.LedgerEvent]:
    _require_in(s, IntervalSet.of(c.ranges), s.in_stock, "lend blanks", BlankState.IN_STOCK)
    return [_new(ev.BlanksLent, s, c, counterpart=c.counterpart, record_number=c.record_number,
                 ranges=c.ranges, count=range_count(c.ranges))]


@_handles(cmd.BorrowBlanks, "borrow blanks")
def _borrow(s: Ledger, c: cmd.BorrowBlanks) -> list[ev.LedgerEvent]:
    clash = s.held.intersection(IntervalSet.of(c.ranges)).first()
    if clash is not None:
        raise BlankAlreadyHeld(serial=clash, state=s.place_of(clash))
    return [_new(ev.BlanksBorrowed, s, c, counterpart=c.counterpart,
                 record_number=c.record_number, ranges=c.ranges, count=range_count(c.ranges))]


@_handles(cmd.ReturnLoan, "record a loan return")
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


@_handles(cmd.DestroySpoiled, "destroy spoiled blanks")
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


@_handles(cmd.CountStock, "count the blank stock")
def _count(s: Ledger, c: cmd.CountStock) -> list[ev.LedgerEvent]:
    book = s.in_stock.count
    return [_new(ev.StockCounted, s, c, counted=c.counted, book=book, difference=c.counted - book)]


@_handles(cmd.ReportMissing, "report a blank missing")
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
