"""The life of one blank serial, event by event: which states each ledger event
may move a serial from, and to which state.

This is deliberately a second, independent statement of the ledger's rules,
per serial, with no interval sets: `reconcile` and `blanks show` fold history
with it, so a fault in the aggregate's own bookkeeping (or a history written by
something else) shows up as a broken rule instead of being trusted. Pure
functions over events: a projection can reuse them.
"""

from __future__ import annotations

from typing import assert_never, cast
from uuid import UUID

import attrs

from ektp.application.kernel.i18n import N_
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.serial_range import SerialRange
from ektp.domain.blank_stock.vocabulary import BlankState, LoanDirection

IN_STOCK, ALLOCATED, CONSUMED = BlankState.IN_STOCK, BlankState.ALLOCATED, BlankState.CONSUMED
SPOILED, DESTROYED, LENT, MISSING = (
    BlankState.SPOILED, BlankState.DESTROYED, BlankState.LENT, BlankState.MISSING)
GIVEN_BACK = "GIVEN_BACK"  # borrowed, then returned to the lender: off our books


@attrs.frozen
class Track:
    """Where one serial is: its state, the card holding it, its lender, its borrower."""

    state: str
    card_id: UUID | None = None
    lender: str | None = None
    lent_to: str | None = None


def serials_of(event: ev.LedgerEvent) -> tuple[SerialRange, ...]:
    """The serials a ledger event moves (none for a stock count)."""
    ranges = getattr(event, "ranges", None)
    if ranges is not None:
        return tuple(ranges)
    serial = getattr(event, "serial", None)
    return (SerialRange.single(serial),) if serial is not None else ()


def _needs(track: Track | None, *states: str | None) -> str | None:
    current = track.state if track else None
    if current in states:
        return None
    if current is None:
        return N_("was never received, not {wanted}",
            wanted=" or ".join(s or "unknown" for s in states))
    return N_("was {state}, not {wanted}", state=current,
              wanted=" or ".join(s or "unknown" for s in states))


def _held_by(track: Track | None, card_id: UUID) -> str | None:
    broken = _needs(track, ALLOCATED)
    if broken is None and track is not None and track.card_id != card_id:
        return N_("was allocated to card {holder}, not card {card}", holder=track.card_id,
                  card=card_id)
    return broken


def transition(track: Track | None, event: ev.LedgerEvent) -> tuple[Track, str | None]:
    """The serial's track after `event`, and the rule it broke (None if none).

    A broken rule is reported, and the event is still applied, so the rest of
    the history is read as it was written.
    """
    lender = track.lender if track else None
    e = cast(ev.AnyLedgerEvent, event)
    match e:
        case ev.ConsignmentReceived():
            return Track(IN_STOCK), _needs(track, None)
        case ev.BlanksBorrowed():
            return Track(IN_STOCK, lender=e.counterpart), _needs(track, None, GIVEN_BACK)
        case ev.BlankAllocated():
            return Track(ALLOCATED, e.card_id, lender), _needs(track, IN_STOCK)
        case ev.BlankConsumed():
            return Track(CONSUMED, e.card_id, lender), _held_by(track, e.card_id)
        case ev.BlankSpoiled() if e.card_id is not None:
            return Track(SPOILED, e.card_id, lender), _held_by(track, e.card_id)
        case ev.BlankSpoiled():
            return Track(SPOILED, None, lender), _needs(track, IN_STOCK)
        case ev.BlankReleased():
            return Track(IN_STOCK, None, lender), _held_by(track, e.card_id)
        case ev.BlanksLent():
            return Track(LENT, None, lender, e.counterpart), _needs(track, IN_STOCK)
        case ev.LoanReturned():
            return _loan_returned(track, e)
        case ev.SpoiledDestroyed():
            card = track.card_id if track else None
            return Track(DESTROYED, card, lender), _needs(track, SPOILED)
        case ev.BlankReportedMissing():
            return Track(MISSING, None, lender), _needs(track, IN_STOCK)
        case ev.StockCounted():
            raise TypeError("StockCounted moves no serial")
        case _:
            assert_never(e)


def _loan_returned(track: Track | None, event: ev.LoanReturned) -> tuple[Track, str | None]:
    lender = track.lender if track else None
    if event.direction is LoanDirection.BACK_TO_US:
        broken = _needs(track, LENT)
        if broken is None and track is not None and track.lent_to != event.counterpart:
            broken = N_("was lent to {office}, not {counterpart}", office=track.lent_to,
                        counterpart=event.counterpart)
        return Track(IN_STOCK, None, lender), broken
    broken = _needs(track, IN_STOCK)
    if broken is None and lender != event.counterpart:
        broken = N_("was not borrowed from {counterpart}", counterpart=event.counterpart)
    return Track(GIVEN_BACK), broken
