"""The ledger's state, and `evolve`: how each event changes it.

Why one ledger per office with *interval sets*, not one aggregate per serial or
per consignment: the rules that matter ("never received twice", "never allocated
twice", "take the next serial in stock") are about the whole stock, so they are
checked in one consistency boundary, and two clerks racing for the next serial
collide on one stream version, which the store refuses for one of them. The
state holds serial sets only where a rule needs them (what is in stock, which
card holds which allocated blank, what is spoiled and not destroyed, what is
lent or borrowed, what was ever on the books) and plain counts for the terminal
states (consumed, destroyed). A consignment of 40,000 is one interval; taking
the next serial shortens it. The state's size therefore follows fragmentation
(consignments, open allocations, spoiled blanks awaiting destruction), never the
number of blanks received, and snapshots (`snapshot`) keep loading it independent
of the length of its history. benchmarks/bench_blanks.py measures both claims.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, assert_never, cast
from uuid import UUID, uuid5

import attrs

from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.interval_set import EMPTY_SET, IntervalSet
from ektp.domain.blank_stock.vocabulary import BlankState, LoanDirection

_NAMESPACE = UUID("5d0f6b0e-58a4-4c43-9f3e-2b1f1c1a7a11")  # fixed forever: stream ids depend on it
EMPTY = EMPTY_SET


@lru_cache(maxsize=64)
def ledger_id(office: str) -> UUID:
    """The stream id of `office`'s blank ledger."""
    return uuid5(_NAMESPACE, f"blank-ledger:{office}")


@attrs.frozen
class LastCount:
    """The latest physical count of the blanks in stock."""

    at: dt.datetime
    counted: int
    book: int

    @property
    def difference(self) -> int:
        """Counted minus book: negative means blanks are short."""
        return self.counted - self.book


@attrs.frozen(slots=False)
class Ledger:
    """Everything decide needs to know about the office's blanks, as of `version`.

    Never mutated: `evolve` builds a new state (the store's cache hands a state
    to the next command, so a refused command must not have changed it).
    """

    id: UUID
    version: int = 0
    known: IntervalSet = EMPTY  # every serial ever received or borrowed
    in_stock: IntervalSet = EMPTY
    allocated: Mapping[str, UUID] = attrs.field(factory=dict)  # serial -> card
    # card -> serial: the inverse of `allocated`, kept beside it so that finding a
    # card's blank is a lookup, not a scan of every blank awaiting print.
    holders: Mapping[UUID, str] = attrs.field(factory=dict, eq=False, repr=False)
    spoiled: IntervalSet = EMPTY  # spoiled and not yet destroyed
    missing: IntervalSet = EMPTY
    given_back: IntervalSet = EMPTY  # borrowed, then returned to the lender
    lent: Mapping[str, IntervalSet] = attrs.field(factory=dict)  # counterpart -> serials
    borrowed: Mapping[str, IntervalSet] = attrs.field(factory=dict)  # lender -> serials held
    received: int = 0
    borrowed_total: int = 0
    given_back_total: int = 0
    consumed: int = 0
    destroyed: int = 0
    last_count: LastCount | None = None
    modified_at: dt.datetime | None = None

    @property
    def held(self) -> IntervalSet:
        """Serials on the books now, in any of the seven states."""
        return self.known.difference(self.given_back)

    @property
    def lent_count(self) -> int:
        """How many blanks are out on loan."""
        return sum(s.count for s in self.lent.values())

    def counts(self) -> dict[BlankState, int]:
        """How many blanks are in each state."""
        return {
            BlankState.IN_STOCK: self.in_stock.count,
            BlankState.ALLOCATED: len(self.allocated),
            BlankState.CONSUMED: self.consumed,
            BlankState.SPOILED: self.spoiled.count,
            BlankState.DESTROYED: self.destroyed,
            BlankState.LENT: self.lent_count,
            BlankState.MISSING: self.missing.count,
        }

    @property
    def borrowed_held(self) -> int:
        """Borrowed blanks not given back: the `borrowed` term of conservation."""
        return self.borrowed_total - self.given_back_total

    def conserved(self) -> bool:
        """received + borrowed = in stock + allocated + consumed + spoiled + destroyed + lent + missing."""
        return self.received + self.borrowed_held == sum(self.counts().values())

    def next_in_stock(self) -> str | None:
        """The serial the next allocation takes: the lowest in stock (narrowest width first)."""
        return self.in_stock.first()

    def holder_of(self, serial: str) -> UUID | None:
        """The card an allocated blank is set aside for."""
        return self.allocated.get(serial)

    def card_blank(self, card_id: UUID) -> str | None:
        """The blank allocated to `card_id`, if any."""
        return self.holders.get(card_id)

    def place_of(self, serial: str) -> str:
        """Where `serial` is, in words: a state, or why the ledger cannot tell more.

        Consumed and destroyed blanks are counted, not listed (that is what keeps
        the state small); `ektp blanks show` tells them apart from the history.
        """
        if serial in self.in_stock:
            return BlankState.IN_STOCK.value
        if serial in self.allocated:
            return BlankState.ALLOCATED.value
        if serial in self.spoiled:
            return BlankState.SPOILED.value
        if serial in self.missing:
            return BlankState.MISSING.value
        for counterpart, serials in self.lent.items():
            if serial in serials:
                return f"{BlankState.LENT.value} to {counterpart}"
        if serial in self.given_back:
            return "returned to its lender"
        if serial in self.known:
            return f"{BlankState.CONSUMED.value} or {BlankState.DESTROYED.value}"
        return "unknown"


def empty_ledger(stream_id: UUID) -> Ledger:
    """The ledger of an office that has never received a blank."""
    return Ledger(id=stream_id)


def _next(ledger: Ledger, event: ev.LedgerEvent, **changes: Any) -> Ledger:
    # Copying the __dict__ is attrs.evolve without re-running __init__ over every
    # field: the same value, built several times faster, once per event.
    state = object.__new__(Ledger)
    object.__setattr__(state, "__dict__", {
        **ledger.__dict__, "version": event.originator_version,
        "modified_at": event.timestamp, **changes,
    })
    return state


def _with(mapping: Mapping[str, IntervalSet], key: str, value: IntervalSet) -> dict[str, IntervalSet]:
    changed = dict(mapping)
    if value:
        changed[key] = value
    else:
        changed.pop(key, None)
    return changed


def _without(mapping: Mapping[str, UUID], serial: str) -> dict[str, UUID]:
    changed = dict(mapping)
    changed.pop(serial, None)
    return changed


def _unallocated(s: Ledger, serial: str) -> dict[str, Any]:
    """The changes that take `serial` out of `allocated` (and its card out of `holders`)."""
    holders = dict(s.holders)
    card = s.allocated.get(serial)
    if card is not None:
        holders.pop(card, None)
    return {"allocated": _without(s.allocated, serial), "holders": holders}


def _received(e: ev.ConsignmentReceived, s: Ledger) -> Ledger:
    r = IntervalSet.of(e.ranges)
    return _next(s, e, known=s.known.union(r), in_stock=s.in_stock.union(r),
                 received=s.received + e.count)


def _allocated(e: ev.BlankAllocated, s: Ledger) -> Ledger:
    return _next(s, e, in_stock=s.in_stock.without_serial(e.serial),
                 allocated={**s.allocated, e.serial: e.card_id},
                 holders={**s.holders, e.card_id: e.serial})


def _consumed(e: ev.BlankConsumed, s: Ledger) -> Ledger:
    return _next(s, e, **_unallocated(s, e.serial), consumed=s.consumed + 1)


def _spoiled(e: ev.BlankSpoiled, s: Ledger) -> Ledger:
    if e.card_id is not None:
        return _next(s, e, **_unallocated(s, e.serial), spoiled=s.spoiled.with_serial(e.serial))
    return _next(s, e, in_stock=s.in_stock.without_serial(e.serial),
                 spoiled=s.spoiled.with_serial(e.serial))


def _released(e: ev.BlankReleased, s: Ledger) -> Ledger:
    return _next(s, e, **_unallocated(s, e.serial), in_stock=s.in_stock.with_serial(e.serial))


def _lent(e: ev.BlanksLent, s: Ledger) -> Ledger:
    r = IntervalSet.of(e.ranges)
    lent = _with(s.lent, e.counterpart, s.lent.get(e.counterpart, EMPTY).union(r))
    return _next(s, e, in_stock=s.in_stock.difference(r), lent=lent)


def _borrowed(e: ev.BlanksBorrowed, s: Ledger) -> Ledger:
    r = IntervalSet.of(e.ranges)
    borrowed = _with(s.borrowed, e.counterpart, s.borrowed.get(e.counterpart, EMPTY).union(r))
    return _next(s, e, known=s.known.union(r), given_back=s.given_back.difference(r),
                 in_stock=s.in_stock.union(r), borrowed=borrowed,
                 borrowed_total=s.borrowed_total + e.count)


def _loan_returned(e: ev.LoanReturned, s: Ledger) -> Ledger:
    r = IntervalSet.of(e.ranges)
    if e.direction is LoanDirection.BACK_TO_US:
        lent = _with(s.lent, e.counterpart, s.lent.get(e.counterpart, EMPTY).difference(r))
        return _next(s, e, lent=lent, in_stock=s.in_stock.union(r))
    borrowed = _with(s.borrowed, e.counterpart, s.borrowed.get(e.counterpart, EMPTY).difference(r))
    return _next(s, e, borrowed=borrowed, in_stock=s.in_stock.difference(r),
                 given_back=s.given_back.union(r), given_back_total=s.given_back_total + e.count)


def _destroyed(e: ev.SpoiledDestroyed, s: Ledger) -> Ledger:
    return _next(s, e, spoiled=s.spoiled.difference(IntervalSet.of(e.ranges)),
                 destroyed=s.destroyed + e.count)


def _counted(e: ev.StockCounted, s: Ledger) -> Ledger:
    return _next(s, e, last_count=LastCount(e.timestamp, e.counted, e.book))


def _missing(e: ev.BlankReportedMissing, s: Ledger) -> Ledger:
    return _next(s, e, in_stock=s.in_stock.without_serial(e.serial),
                 missing=s.missing.with_serial(e.serial))


def evolve(ledger: Ledger | None, event: ev.LedgerEvent) -> Ledger:
    """The ledger after `event` (None before its first event)."""
    # The store hands over events typed by the base class; the match is over the
    # closed union, so that mypy reports (at assert_never) an event class without
    # a case.
    e = cast("ev.AnyLedgerEvent", event)
    s = ledger or empty_ledger(e.originator_id)
    match e:
        case ev.ConsignmentReceived():
            return _received(e, s)
        case ev.BlankAllocated():
            return _allocated(e, s)
        case ev.BlankConsumed():
            return _consumed(e, s)
        case ev.BlankSpoiled():
            return _spoiled(e, s)
        case ev.BlankReleased():
            return _released(e, s)
        case ev.BlanksLent():
            return _lent(e, s)
        case ev.BlanksBorrowed():
            return _borrowed(e, s)
        case ev.LoanReturned():
            return _loan_returned(e, s)
        case ev.SpoiledDestroyed():
            return _destroyed(e, s)
        case ev.StockCounted():
            return _counted(e, s)
        case ev.BlankReportedMissing():
            return _missing(e, s)
        case _:
            # assert_never is for mypy (it reports an event class of the union
            # without a case above); at run time this is another aggregate's
            # event, refused with the KeyError the type lookup used to give.
            if TYPE_CHECKING:
                assert_never(e)
            raise KeyError(type(event))
