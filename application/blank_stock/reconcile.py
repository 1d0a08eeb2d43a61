"""Reconciling the blank ledger: recompute every serial's state from the full
history, independently of the aggregate's bookkeeping, and list what breaks a rule.

Checked: every ledger event against the per-serial rules (`blank_transitions`);
each event's `count` against its ranges; conservation (received + borrowed =
the sum of the seven states); every card's blank events against the ledger's
(allocated, printed, print failed, cancelled with a blank); the aggregate's own
book figures against the recomputed ones; and the latest stock count.
Pure: give it the events, oldest first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from uuid import UUID

from ektp.application.kernel.i18n import N_
from ektp.application.blank_stock.folds import counts_by_state
from ektp.application.blank_stock.transitions import GIVEN_BACK, Track, serials_of, transition
from ektp.application.blank_stock.views import Problem, Reconciliation
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.serial_range import range_count
from ektp.domain.blank_stock.state import Ledger
from ektp.domain.blank_stock.vocabulary import LoanDirection
from ektp.domain.card import events as ce
from ektp.domain.event import DomainEvent

Link = tuple[str, str, UUID]  # (what, serial, card)


def reconcile(events: Iterable[DomainEvent], ledger: Ledger | None = None) -> Reconciliation:
    """Recompute the ledger from `events` (ledger and card events, oldest first)."""
    tracks: dict[str, Track] = {}
    problems: list[Problem] = []
    received = borrowed = given_back = read = 0
    from_cards: Counter[Link] = Counter()
    from_ledger: Counter[Link] = Counter()
    card_blank: dict[UUID, str] = {}
    last_count: ev.StockCounted | None = None
    for event in events:
        read += 1
        if isinstance(event, ce.CardEvent):
            _card_links(event, card_blank, from_cards)
            continue
        if not isinstance(event, ev.LedgerEvent):
            continue
        if isinstance(event, ev.StockCounted):
            last_count = event
            continue
        ranges = serials_of(event)
        count = getattr(event, "count", None)
        if count is not None and count != range_count(ranges):
            problems.append(Problem(None, N_("{event} says {value} blanks but its ranges hold {ranges}",
                event=_where(event), value=count, ranges=range_count(ranges))))
        moved = 0
        for serial_range in ranges:
            for serial in serial_range.serials():
                track, broken = transition(tracks.get(serial), event)
                tracks[serial] = track
                moved += 1
                if broken:
                    problems.append(Problem(serial, f"{_where(event)} {broken}"))
        match event:
            case ev.ConsignmentReceived():
                received += moved
            case ev.BlanksBorrowed():
                borrowed += moved
            case ev.LoanReturned() if event.direction is LoanDirection.BACK_TO_LENDER:
                given_back += moved
            case _:
                pass  # moves within the books
        _ledger_link(event, from_ledger)
    held = {s: t for s, t in tracks.items() if t.state != GIVEN_BACK}
    counts = counts_by_state(held)
    conserved = received + borrowed - given_back == sum(counts.values())
    if not conserved:
        problems.append(Problem(None, (
            N_("conservation broken: received {received:,} + borrowed {borrowed:,} but the states "
                "add up to {states:,}",
                    received=received, borrowed=borrowed - given_back, states=sum(counts.values())))))
    problems += _link_problems(from_cards, from_ledger)
    if ledger is not None:
        problems += _book_problems(ledger, counts, received, borrowed)
    if last_count is not None and last_count.difference != 0:
        problems.append(Problem(None, (
            N_("the latest stock count ({date}) found {counted:,} blanks against {book:,} on the "
                "books ({difference:+,}); count again or report the missing blanks",
                    date=last_count.timestamp.date().isoformat(), counted=last_count.counted, book=last_count.book, difference=last_count.difference))))
    return Reconciliation(
        counts=counts, received=received, borrowed=borrowed - given_back, conserved=conserved,
        problems=tuple(problems), events_read=read,
    )


def _where(event: DomainEvent) -> str:
    return f"{type(event).__name__} (ledger v{event.originator_version}):"


def _card_links(event: ce.CardEvent, card_blank: dict[UUID, str], links: Counter[Link]) -> None:
    card = event.originator_id
    match event:
        case ce.BlankAllocated():
            links[("allocated", event.serial, card)] += 1
            card_blank[card] = event.serial
        case ce.Printed():
            links[("consumed", event.serial, card)] += 1
            card_blank.pop(card, None)
        case ce.PrintFailed():
            links[("spoiled", event.serial, card)] += 1
            card_blank.pop(card, None)
        case ce.Cancelled() if card in card_blank:
            links[("released", card_blank.pop(card), card)] += 1
        case _:
            pass  # the card's other events move no blank


def _ledger_link(event: ev.LedgerEvent, links: Counter[Link]) -> None:
    match event:
        case ev.BlankAllocated():
            links[("allocated", event.serial, event.card_id)] += 1
        case ev.BlankConsumed():
            links[("consumed", event.serial, event.card_id)] += 1
        case ev.BlankSpoiled() if event.card_id is not None:
            links[("spoiled", event.serial, event.card_id)] += 1
        case ev.BlankReleased():
            links[("released", event.serial, event.card_id)] += 1
        case _:
            pass  # the ledger's own movements (consignments, loans...) name no card


def _link_problems(from_cards: Counter[Link], from_ledger: Counter[Link]) -> list[Problem]:
    problems = []
    for (what, serial, card), n in sorted((from_cards - from_ledger).items()):
        problems.append(Problem(serial, f"card {card} records it {what} but the ledger does not"
                                        + (f" ({n} times)" if n > 1 else "")))
    for (what, serial, card), n in sorted((from_ledger - from_cards).items()):
        problems.append(Problem(serial, f"the ledger records it {what} for card {card} "
                                        "but the card does not" + (f" ({n} times)" if n > 1 else "")))
    return problems


def _book_problems(ledger: Ledger, counts: dict[str, int], received: int,
                   borrowed: int) -> list[Problem]:
    book = {state.value: n for state, n in ledger.counts().items()}
    if book == counts and ledger.received == received and ledger.borrowed_total == borrowed:
        return []
    return [Problem(None, (
        N_("the ledger's book figures {book} differ from its recomputed history {counts}",
            book=book, counts=counts)))]
