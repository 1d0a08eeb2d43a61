"""The blank ledger's rules (domain.md, "Blank stock"), as given/when/then on decide and evolve."""

from __future__ import annotations

import datetime as dt

import pytest
from testkit.card_steps import at
from testkit.ledger_steps import (
    CARD_A,
    CARD_B,
    allocate,
    borrow,
    consume,
    count,
    destroy,
    given,
    lend,
    loan_return,
    missing,
    receive,
    release,
    run,
    spoil,
    who,
)
from testkit.people import AUDITOR, COURIER, HEAD, OPERATOR

from ektp.domain import errors
from ektp.domain.blank_stock import commands as lc
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.decide import decide
from ektp.domain.blank_stock.serial_range import SerialRange
from ektp.domain.blank_stock.snapshot import project, restore, take_snapshot
from ektp.domain.blank_stock.source import parse_source
from ektp.domain.blank_stock.state import Ledger
from ektp.domain.blank_stock.vocabulary import BlankState, LoanDirection, SourceKind
from ektp.domain.blank_stock.witness import Witness, parse_witnesses
from ektp.domain.card.decide import decide as decide_card
from ektp.domain.card import commands as cc
from ektp.domain.blank_stock.card_link import ledger_commands
from testkit.card_steps import base, card_in, print_failure

IN_STOCK, ALLOCATED, CONSUMED, SPOILED, DESTROYED, LENT, MISSING = BlankState
BACK_TO_US, BACK_TO_LENDER = LoanDirection.BACK_TO_US, LoanDirection.BACK_TO_LENDER
S1, S2, S3 = "3517170001", "3517170002", "3517170003"
TEN = "3517170001-3517170010"


def then(ledger: Ledger, command: lc.LedgerCommand) -> list[ev.LedgerEvent]:
    """Decide, check the envelope, and check the refused-nothing / conservation contract."""
    events = decide(ledger, command)
    assert [e.originator_version for e in events] == list(
        range(ledger.version + 1, ledger.version + 1 + len(events)))
    assert all(e.originator_id == ledger.id and e.actor == command.actor for e in events)
    return events


def counts(ledger: Ledger) -> dict[BlankState, int]:
    return {state: n for state, n in ledger.counts().items() if n}


# --- receiving ------------------------------------------------------------------
def test_a_consignment_of_ranges_is_one_event_with_its_count() -> None:
    ledger, events = run(receive(TEN, "3517180001-3517190000", bast="BAST/045/XI/2017"))
    (received,) = events
    assert isinstance(received, ev.ConsignmentReceived)
    assert received.count == 10_010 and received.bast == "BAST/045/XI/2017"
    assert received.ranges == (SerialRange("3517170001", "3517170010"),
                               SerialRange("3517180001", "3517190000"))
    assert counts(ledger) == {IN_STOCK: 10_010} and ledger.received == 10_010
    assert ledger.conserved()


def test_a_serial_is_never_received_twice() -> None:
    ledger = given(receive(TEN))
    with pytest.raises(errors.SerialAlreadyReceived, match="3517170010"):
        decide(ledger, receive("3517170010-3517170020"))
    # not even after it was printed on and left the stock
    used = given(receive(TEN), allocate(S1), consume(S1))
    with pytest.raises(errors.SerialAlreadyReceived, match=S1):
        decide(used, receive(S1))
    # serials of another width are other serials
    assert then(ledger, receive("351717001"))


def test_sources_are_the_ministry_the_province_or_a_named_office() -> None:
    assert parse_source("ministry") == (SourceKind.MINISTRY, None)
    assert parse_source(" Province ") == (SourceKind.PROVINCE, None)
    assert parse_source("office:Disdukcapil Mojokerto") == (SourceKind.OFFICE, "Disdukcapil Mojokerto")
    for bad in ("office:", "office", "regency", "ministry:x", ""):
        with pytest.raises(errors.InvalidSource):
            parse_source(bad)


# --- allocating, printing, spoiling ---------------------------------------------------
def test_allocation_takes_the_next_serial_in_stock_or_the_one_named() -> None:
    ledger = given(receive("3517170005-3517170009", "3517170001-3517170002"))
    (first,) = then(ledger, allocate())
    assert isinstance(first, ev.BlankAllocated) and (first.serial, first.card_id) == (S1, CARD_A)
    (named,) = then(ledger, allocate("3517170007"))
    assert named.serial == "3517170007"  # type: ignore[attr-defined]
    after = given(receive("3517170005-3517170009", "3517170001-3517170002"), allocate(),
                  allocate(card=CARD_B))
    assert after.next_in_stock() == "3517170005" and counts(after) == {IN_STOCK: 5, ALLOCATED: 2}
    assert after.holder_of(S2) == CARD_B and after.conserved()


def test_a_serial_is_never_allocated_twice() -> None:
    ledger = given(receive(TEN), allocate(S1))
    with pytest.raises(errors.BlankNotAvailable, match=f"blank {S1} is ALLOCATED, not IN_STOCK"):
        decide(ledger, allocate(S1, card=CARD_B))
    with pytest.raises(errors.CardAlreadyHoldsBlank):
        decide(ledger, allocate(S2))


def test_allocation_needs_a_known_serial_and_something_in_stock() -> None:
    with pytest.raises(errors.NoBlankInStock):
        decide(given(), allocate())
    with pytest.raises(errors.UnknownSerial, match="3517999999"):
        decide(given(receive(TEN)), allocate("3517999999"))
    emptied = given(receive(S1), allocate(S1))
    with pytest.raises(errors.NoBlankInStock):
        decide(emptied, allocate(card=CARD_B))


def test_printing_consumes_only_the_blank_the_card_holds() -> None:
    ledger = given(receive(TEN), allocate(S1), allocate(S2, card=CARD_B))
    (consumed,) = then(ledger, consume(S1))
    assert isinstance(consumed, ev.BlankConsumed)
    with pytest.raises(errors.BlankNotHeldByCard, match=f"allocated to card {CARD_B}"):
        decide(ledger, consume(S2))
    with pytest.raises(errors.BlankNotHeldByCard, match="IN_STOCK"):
        decide(ledger, consume(S3))
    done = given(receive(TEN), allocate(S1), consume(S1))
    assert counts(done) == {IN_STOCK: 9, CONSUMED: 1} and done.conserved()
    with pytest.raises(errors.BlankNotHeldByCard, match="CONSUMED or DESTROYED"):
        decide(done, consume(S1))


def test_a_print_failure_spoils_the_cards_blank_and_a_new_one_is_allocated() -> None:
    ledger = given(receive(TEN), allocate(), spoil(S1), allocate())
    assert ledger.holder_of(S2) == CARD_A and S1 in ledger.spoiled
    assert counts(ledger) == {IN_STOCK: 8, ALLOCATED: 1, SPOILED: 1} and ledger.conserved()


def test_a_blank_in_stock_can_be_spoiled_by_damage() -> None:
    ledger = given(receive(TEN))
    (spoiled,) = then(ledger, spoil(S3, card=None))
    assert isinstance(spoiled, ev.BlankSpoiled) and spoiled.card_id is None
    with pytest.raises(errors.BlankNotAvailable, match="ALLOCATED, not IN_STOCK"):
        decide(given(receive(TEN), allocate(S3)), spoil(S3, card=None))


def test_a_cancelled_cards_blank_goes_back_to_stock() -> None:
    ledger = given(receive(TEN), allocate(S1), release(S1))
    assert S1 in ledger.in_stock and not ledger.allocated and ledger.next_in_stock() == S1
    with pytest.raises(errors.BlankNotHeldByCard):
        decide(given(receive(TEN), allocate(S1)), release(S1, card=CARD_B))


# --- spoiled blanks are only destroyed --------------------------------------------
def test_a_spoiled_blank_can_only_be_destroyed() -> None:
    ledger = given(receive(TEN), allocate(S1), spoil(S1))
    refused = [allocate(S1, card=CARD_B), consume(S1), spoil(S1, card=None), lend(S1),
               missing(S1), release(S1), loan_return(S1, office="35.78", direction=BACK_TO_US)]
    for command in refused:
        with pytest.raises((errors.BlankNotAvailable, errors.BlankNotHeldByCard, errors.NotOnLoan)):
            decide(ledger, command)
    (destroyed,) = then(ledger, destroy(S1))
    assert isinstance(destroyed, ev.SpoiledDestroyed) and destroyed.count == 1
    assert [w.role for w in destroyed.witnesses] == ["inspektorat", "kasi pelayanan"]
    gone = given(receive(TEN), allocate(S1), spoil(S1), destroy(S1))
    assert counts(gone) == {IN_STOCK: 9, DESTROYED: 1} and gone.conserved()
    with pytest.raises(errors.BlankNotAvailable, match="CONSUMED or DESTROYED, not SPOILED"):
        decide(gone, destroy(S1))


def test_only_spoiled_blanks_are_destroyed_and_all_at_once_if_asked() -> None:
    ledger = given(receive(TEN), spoil(S1, card=None), spoil(S3, card=None))
    with pytest.raises(errors.BlankNotAvailable, match=f"blank {S2} is IN_STOCK, not SPOILED"):
        decide(ledger, destroy(S1, S2))
    (everything,) = then(ledger, destroy(everything=True))
    assert everything.count == 2 and everything.ranges == (  # type: ignore[attr-defined]
        SerialRange.single(S1), SerialRange.single(S3))
    with pytest.raises(errors.NothingToDestroy):
        decide(given(receive(TEN)), destroy(everything=True))


def test_a_destruction_needs_two_different_witnesses_with_roles() -> None:
    assert parse_witnesses(["Budi:inspektorat", "Sri Rahayu:camat"])[1] == Witness("Sri Rahayu", "camat")
    with pytest.raises(errors.TooFewWitnesses, match="1 given"):
        parse_witnesses(["Budi:inspektorat"])
    with pytest.raises(errors.TooFewWitnesses):
        parse_witnesses(["Budi:inspektorat", "budi:camat"])
    with pytest.raises(errors.InvalidWitness, match="NAME:ROLE"):
        parse_witnesses(["Budi", "Sri:camat"])
    with pytest.raises(errors.InvalidName):
        parse_witnesses(["B0di:inspektorat", "Sri:camat"])


# --- loans ------------------------------------------------------------------------
def test_lending_and_the_loan_coming_back() -> None:
    ledger = given(receive(TEN), lend("3517170001-3517170004", to="35.78"))
    assert counts(ledger) == {IN_STOCK: 6, LENT: 4} and ledger.place_of(S2) == "LENT to 35.78"
    with pytest.raises(errors.NotOnLoan, match="not lent to 35.15"):
        decide(ledger, loan_return(S1, office="35.15", direction=BACK_TO_US))
    with pytest.raises(errors.NotOnLoan, match="3517170005 is not lent to 35.78"):
        decide(ledger, loan_return("3517170004-3517170005", office="35.78", direction=BACK_TO_US))
    back = given(receive(TEN), lend("3517170001-3517170004"),
                 loan_return(S1, S2, office="35.78", direction=BACK_TO_US))
    assert counts(back) == {IN_STOCK: 8, LENT: 2} and back.conserved()
    with pytest.raises(errors.BlankNotAvailable, match="LENT to 35.78, not IN_STOCK"):
        decide(ledger, lend(S1, to="35.15"))


def test_borrowed_blanks_count_on_the_left_of_conservation_until_given_back() -> None:
    ledger = given(receive(TEN), borrow("3517990001-3517990005", lender="35.15"))
    assert ledger.borrowed_held == 5 and counts(ledger) == {IN_STOCK: 15} and ledger.conserved()
    with pytest.raises(errors.BlankAlreadyHeld):
        decide(ledger, borrow("3517990005-3517990006"))
    with pytest.raises(errors.BlankAlreadyHeld):
        decide(ledger, borrow(S1))
    with pytest.raises(errors.NotOnLoan, match="not borrowed from 35.78"):
        decide(ledger, loan_return("3517990001", office="35.78", direction=BACK_TO_LENDER))
    with pytest.raises(errors.NotOnLoan, match=f"{S1} is not borrowed from 35.15"):
        decide(ledger, loan_return(S1, office="35.15", direction=BACK_TO_LENDER))
    used = given(receive(TEN), borrow("3517990001-3517990005"), allocate("3517990001"))
    with pytest.raises(errors.BlankNotAvailable, match="ALLOCATED, not IN_STOCK"):
        decide(used, loan_return("3517990001-3517990002", office="35.15", direction=BACK_TO_LENDER))
    back = given(receive(TEN), borrow("3517990001-3517990005"),
                 loan_return("3517990001-3517990002", office="35.15", direction=BACK_TO_LENDER))
    assert back.borrowed_held == 3 and counts(back) == {IN_STOCK: 13} and back.conserved()
    assert back.place_of("3517990001") == "returned to its lender"
    # given back, it may be borrowed again, but never received as our own
    assert then(back, borrow("3517990001"))
    with pytest.raises(errors.SerialAlreadyReceived):
        decide(back, receive("3517990001"))


# --- counting and losses ------------------------------------------------------------
def test_a_count_is_recorded_against_the_book_figure() -> None:
    ledger = given(receive(TEN), allocate(S1))
    (counted,) = then(ledger, count(7))
    assert isinstance(counted, ev.StockCounted)
    assert (counted.counted, counted.book, counted.difference) == (7, 9, -2)
    after = given(receive(TEN), allocate(S1), count(7))
    assert after.last_count is not None and after.last_count.difference == -2
    assert given(receive(TEN), count(10)).last_count.difference == 0  # type: ignore[union-attr]


def test_a_missing_blank_leaves_the_stock_with_its_police_report() -> None:
    ledger = given(receive(TEN), missing(S2))
    assert counts(ledger) == {IN_STOCK: 9, MISSING: 1} and ledger.place_of(S2) == "MISSING"
    assert ledger.conserved()
    with pytest.raises(errors.BlankNotAvailable, match="MISSING, not IN_STOCK"):
        decide(ledger, allocate(S2))
    with pytest.raises(errors.UnknownSerial):
        decide(ledger, missing("3517999999"))


# --- who may do what ---------------------------------------------------------------
@pytest.mark.parametrize(("command", "refused_roles"), [
    (receive(TEN), [COURIER, AUDITOR]),
    (count(3), [COURIER, AUDITOR]),
    (lend(S1), [OPERATOR, COURIER, AUDITOR]),
    (missing(S1), [OPERATOR, COURIER, AUDITOR]),
    (destroy(everything=True), [OPERATOR, COURIER, AUDITOR]),
    (spoil(S1, card=None), [COURIER, AUDITOR]),
])
def test_roles(command: lc.LedgerCommand, refused_roles: list[object]) -> None:
    ledger = given(receive(TEN), spoil("3517170010", card=None))
    for actor in refused_roles:
        object.__setattr__(command, "actor", actor)
        with pytest.raises(errors.RoleNotPermitted):
            decide(ledger, command)
    object.__setattr__(command, "actor", HEAD)
    assert decide(ledger if not isinstance(command, lc.ReceiveConsignment) else given(), command)


# --- conservation over a long mixed history, snapshots --------------------------------------
def mixed_history() -> tuple[Ledger, list[ev.LedgerEvent]]:
    return run(
        receive("3517170001-3517170050"), borrow("3517990001-3517990010"),
        allocate(), consume(S1), allocate(), spoil(S2), allocate(), release(S3),
        spoil("3517170020", card=None), lend("3517170030-3517170039"),
        loan_return("3517170030-3517170031", office="35.78", direction=BACK_TO_US),
        loan_return("3517990005-3517990010", office="35.15", direction=BACK_TO_LENDER),
        destroy(S2), missing("3517170045"), count(30), allocate(card=CARD_B),
    )


def test_conservation_holds_after_every_event() -> None:
    ledger, events = mixed_history()
    state: Ledger | None = None
    for event in events:
        state = project(state, [event])
        assert state is not None and state.conserved()
    assert counts(ledger) == {IN_STOCK: 41, ALLOCATED: 1, CONSUMED: 1, SPOILED: 1, DESTROYED: 1,
                              LENT: 8, MISSING: 1}
    assert ledger.received + ledger.borrowed_held == 50 + 4 == sum(counts(ledger).values())
    assert ledger.holder_of(S3) == CARD_B  # the released blank was the lowest in stock


def test_a_snapshot_restores_the_same_ledger_and_chains_with_later_events() -> None:
    ledger, events = mixed_history()
    snapshot = take_snapshot(project(None, events[:9]), at())  # type: ignore[arg-type]
    assert restore(snapshot) == project(None, events[:9])
    assert project(None, [snapshot, *events[9:]]) == ledger
    assert restore(take_snapshot(ledger, at())) == ledger
    restored = restore(take_snapshot(ledger, at()))  # the derived card -> serial index too
    assert restored.holders == ledger.holders == {CARD_B: S3}
    assert restored.card_blank(CARD_B) == S3
    broken = take_snapshot(ledger, at())
    object.__setattr__(broken, "state", {**broken.state, "format": 99})
    with pytest.raises(ValueError, match="format"):
        restore(broken)


# --- the card moves its blank -------------------------------------------------------------
def test_each_blank_moving_card_event_has_its_ledger_command() -> None:
    ready = card_in("READY_TO_PRINT")
    allocated = card_in("BLANK_ALLOCATED")
    cases = [
        (ready, cc.AllocateBlank(**base(), serial=S1), lc.AllocateBlank),
        (allocated, cc.RecordPrinted(**base(), station="s"), lc.ConsumeBlank),
        (allocated, print_failure(), lc.SpoilBlank),
        (allocated, cc.Cancel(**base(), reason="withdrawn"), lc.ReleaseBlank),
    ]
    for card, command, expected in cases:
        (moved,) = ledger_commands(card, decide_card(card, command))
        assert type(moved) is expected and moved.card_id == card.id  # type: ignore[attr-defined]
    assert ledger_commands(ready, decide_card(ready, cc.Cancel(**base(), reason="x"))) == []
    assert ledger_commands(card_in("PRINTED"), decide_card(
        card_in("PRINTED"), cc.Dispatch(**base(), courier="k"))) == []


def test_events_carry_the_time_of_the_command() -> None:
    later = at(days=3)
    command = lc.CountStock(**{**who(), "at": later}, counted=0)
    (event,) = decide(given(), command)
    assert event.timestamp == later and isinstance(event.timestamp, dt.datetime)
