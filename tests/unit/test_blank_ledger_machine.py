"""Random sequences of every blank movement against `Office`, checked after every
step against a simple per-serial model: each serial in exactly one state, the
ledger's figures equal the model's, conservation holds, a refused command
writes nothing, and `reconcile` (which recomputes everything from the history)
agrees with the model."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from testkit.fakes import FakeClock
from testkit.people import HEAD, JABON, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.domain.errors import DomainError

OURS = [f"{n:07d}" for n in range(1000000, 1000030)]  # what consignments may bring
THEIRS = [f"{n:07d}" for n in range(2000000, 2000012)]  # what other offices may lend us
POOL = OURS + THEIRS
OFFICES = ["35.78", "35.15"]
STATES = ["IN_STOCK", "ALLOCATED", "CONSUMED", "SPOILED", "DESTROYED", "LENT", "MISSING"]
WITNESSES = ["Budi Santoso:inspektorat", "Sri Rahayu:kasi pelayanan"]


def _key(serial: str) -> tuple[int, int]:
    return len(serial), int(serial)


def _run_of(pool: list[str], start: str, size: int) -> list[str]:
    i = pool.index(start)
    return pool[i:i + size]


def _ranges(serials: list[str]) -> list[str]:
    return [f"{serials[0]}-{serials[-1]}"]


class LedgerMachine(RuleBasedStateMachine):
    """The ledger as a dict serial -> state, and cards as dict id -> (status, serial)."""

    @initialize()
    def open(self) -> None:
        self.clock = FakeClock()
        self.office = staffed_office("memory://", clock=self.clock)
        self.state: dict[str, str] = {}
        self.lender: dict[str, str] = {}
        self.lent_to: dict[str, str] = {}
        self.cards: dict[str, tuple[str, str | None]] = {}
        self.received = self.borrowed = self.given_back = 0
        self.count_difference = 0
        self.touched: set[str] = set()
        self.nik_serial = 0

    def teardown(self) -> None:
        if hasattr(self, "office"):
            self.office.close()

    # --- helpers ----------------------------------------------------------------
    def _stored(self) -> int:
        return self.office.last_position()

    def _try(self, allowed: bool, action: Any) -> Any:
        before = self._stored()
        self.clock.advance(minutes=1)
        try:
            result = action()
        except DomainError:
            assert not allowed, "the model expected this command to succeed"
            assert self._stored() == before, "a refused command wrote events"
            return None
        assert allowed, "the model expected a refusal"
        return result

    def _in(self, *states: str) -> list[str]:
        return sorted((s for s, st_ in self.state.items() if st_ in states), key=_key)

    def _pick(self, data: st.DataObject, *states: str, where: Any = None) -> str:
        """Mostly a serial in one of `states` (to reach deep states), else one in
        another state (to test refusals), sometimes any serial (unknown ones too)."""
        candidates = [s for s in self._in(*states) if where is None or where(s)]
        others = sorted(set(self.state.values()) - set(states))
        choice = data.draw(st.integers(0, 9), label="bias")
        if candidates and choice < 5:
            return data.draw(st.sampled_from(candidates), label="serial")
        if others and choice < 9:  # another state first, so rare states get picked too
            state = data.draw(st.sampled_from(others), label="state")
            return data.draw(st.sampled_from(self._in(state)), label="serial")
        return data.draw(st.sampled_from(POOL), label="serial")

    def _run(self, data: st.DataObject, *states: str, where: Any = None) -> list[str]:
        """A run of 1-3 adjacent serials from a picked one; often cut short where the
        serials stop qualifying, so that whole valid runs are common too."""
        start = self._pick(data, *states, where=where)
        pool = OURS if start in OURS else THEIRS
        run = _run_of(pool, start, data.draw(st.integers(1, 3), label="size"))
        if data.draw(st.booleans(), label="clip"):
            fits = [self.state.get(s) in states and (where is None or where(s)) for s in run]
            run = run[:max(1, fits.index(False) if False in fits else len(run))]
        return run

    def _set(self, serials: list[str], state: str) -> None:
        for s in serials:
            self.state[s] = state
        self.touched.update(serials)

    # --- what arrives ---------------------------------------------------------------
    def _start(self, data: st.DataObject, pool: list[str]) -> str:
        """Mostly any serial of `pool`, else one already known (a state first, so that
        serials given back to their lender come up too)."""
        known = sorted(set(self.state.values()))
        if known and data.draw(st.integers(0, 9), label="bias") >= 6:
            state = data.draw(st.sampled_from(known), label="state")
            return data.draw(st.sampled_from(self._in(state)), label="serial")
        return data.draw(st.sampled_from(pool), label="serial")

    @rule(data=st.data(), size=st.integers(1, 8))
    def receive(self, data: st.DataObject, size: int) -> None:
        start = self._start(data, OURS)
        serials = _run_of(OURS if start in OURS else THEIRS, start, size)
        allowed = not any(s in self.state for s in serials)
        done = self._try(allowed, lambda: self.office.receive_blanks(
            OPERATOR, bast="BAST/M", source="ministry", ranges=_ranges(serials)))
        if done:
            self._set(serials, "IN_STOCK")
            self.received += len(serials)

    @rule(data=st.data(), size=st.integers(1, 4), lender=st.sampled_from(OFFICES))
    def borrow(self, data: st.DataObject, size: int, lender: str) -> None:
        start = self._start(data, THEIRS)
        serials = _run_of(OURS if start in OURS else THEIRS, start, size)
        allowed = all(self.state.get(s, "GIVEN_BACK") == "GIVEN_BACK" for s in serials)
        done = self._try(allowed, lambda: self.office.borrow_blanks(
            OPERATOR, lender=lender, record="PINJAM", ranges=_ranges(serials)))
        if done:
            self._set(serials, "IN_STOCK")
            self.lender.update({s: lender for s in serials})
            self.borrowed += len(serials)

    @precondition(lambda self: "GIVEN_BACK" in getattr(self, "state", {}).values())
    @rule(data=st.data(), borrow=st.booleans(), lender=st.sampled_from(OFFICES))
    def a_blank_given_back_comes_again(self, data: st.DataObject, borrow: bool, lender: str) -> None:
        """Blanks given back to their lender are rarer: borrowing one again is allowed,
        receiving one as our own never is."""
        serial = data.draw(st.sampled_from(self._in("GIVEN_BACK")), label="serial")
        if borrow:
            if self._try(True, lambda: self.office.borrow_blanks(
                    OPERATOR, lender=lender, record="PINJAM", ranges=[serial])):
                self._set([serial], "IN_STOCK")
                self.lender[serial] = lender
                self.borrowed += 1
        else:
            self._try(False, lambda: self.office.receive_blanks(
                OPERATOR, bast="BAST/M", source="ministry", ranges=[serial]))

    # --- cards ---------------------------------------------------------------------
    @rule(data=st.data(), and_allocate=st.booleans())
    def new_card_with_a_blank(self, data: st.DataObject, and_allocate: bool) -> None:
        """A new card, often with a blank at once, so allocated blanks pile up too."""
        self.new_card()
        if and_allocate:
            self.allocate(data, next_in_stock=True)

    @rule()
    def new_card(self) -> None:
        self.nik_serial += 1
        nik = make_nik(serial=self.nik_serial)
        card = str(self.office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                            village=JABON).id)
        self.office.confirm_print_readiness(OPERATOR, card)
        self.cards[card] = ("READY_TO_PRINT", None)

    def _card(self, data: st.DataObject, status: str) -> str | None:
        if not self.cards:
            return None
        # in creation order: card ids are random, so sorting them would make draws flaky
        wanted = [c for c, (s, _) in self.cards.items() if s == status]
        if wanted and data.draw(st.integers(0, 4), label="bias") > 0:
            return data.draw(st.sampled_from(wanted), label="card")
        return data.draw(st.sampled_from(list(self.cards)), label="card")

    @rule(data=st.data(), next_in_stock=st.booleans())
    def allocate(self, data: st.DataObject, next_in_stock: bool) -> None:
        card = self._card(data, "READY_TO_PRINT")
        if card is None:
            return
        serial = None if next_in_stock else self._pick(data, "IN_STOCK")
        stock = self._in("IN_STOCK")
        expected = (stock[0] if stock else None) if serial is None else serial
        allowed = self.cards[card][0] == "READY_TO_PRINT" and expected in stock
        view = self._try(allowed, lambda: self.office.allocate_blank(OPERATOR, card, serial))
        if view:
            assert view.blank_serial == expected, "not the next serial in stock"
            self._set([expected], "ALLOCATED")  # type: ignore[list-item]
            self.cards[card] = ("BLANK_ALLOCATED", expected)

    def _allocated_card_step(self, data: st.DataObject, action: Any, card_to: str,
                             serial_to: str | None) -> None:
        card = self._card(data, "BLANK_ALLOCATED")
        if card is None:
            return
        status, serial = self.cards[card]
        done = self._try(status == "BLANK_ALLOCATED", lambda: action(card))
        if done:
            assert serial is not None
            self.cards[card] = (card_to, None)
            if serial_to:
                self._set([serial], serial_to)

    @rule(data=st.data())
    def print_(self, data: st.DataObject) -> None:
        self._allocated_card_step(data, lambda c: self.office.record_printed(OPERATOR, c),
                                  "PRINTED", "CONSUMED")

    @rule(data=st.data())
    def print_failed(self, data: st.DataObject) -> None:
        self._allocated_card_step(
            data, lambda c: self.office.record_print_failure(OPERATOR, c, "print-failed"),
            "READY_TO_PRINT", "SPOILED")

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        card = self._card(data, "BLANK_ALLOCATED")
        if card is None:
            return
        status, serial = self.cards[card]
        done = self._try(status in ("READY_TO_PRINT", "BLANK_ALLOCATED"),
                         lambda: self.office.cancel(OPERATOR, card, "withdrawn"))
        if done:
            self.cards[card] = ("CANCELLED", None)
            if serial:
                self._set([serial], "IN_STOCK")

    @rule(data=st.data(), fails=st.booleans())
    def advance_card(self, data: st.DataObject, fails: bool) -> None:
        """Take a card one step along the print path, so cards and blanks move often."""
        card = self._card(data, "BLANK_ALLOCATED") if self.cards else None
        if card is None:
            self.new_card()
        elif self.cards[card][0] == "READY_TO_PRINT":
            self.allocate(data, next_in_stock=True)
        elif fails:
            self.print_failed(data)
        else:
            self.print_(data)

    # --- losses, spoilage, destruction, loans: (serials, office) -> model check, call ---------
    def _spoil(self, serials: list[str], office: str) -> None:
        if self._try(all(self.state.get(s) == "IN_STOCK" for s in serials),
                     lambda: self.office.spoil_blanks(HEAD, serials, "physical-damage")):
            self._set(serials, "SPOILED")

    def _destroy(self, serials: list[str], office: str) -> None:
        if self._try(all(self.state.get(s) == "SPOILED" for s in serials),
                     lambda: self.office.destroy_spoiled(HEAD, record="BA", method="cut",
                                                         witnesses=WITNESSES, serials=serials)):
            self._set(serials, "DESTROYED")

    def _missing(self, serials: list[str], office: str) -> None:
        if self._try(all(self.state.get(s) == "IN_STOCK" for s in serials),
                     lambda: self.office.report_missing(HEAD, serials, "LP/1")):
            self._set(serials, "MISSING")

    def _lend(self, serials: list[str], office: str) -> None:
        if self._try(all(self.state.get(s) == "IN_STOCK" for s in serials),
                     lambda: self.office.lend_blanks(HEAD, to=office, record="PINJAM",
                                                     ranges=_ranges(serials))):
            self._set(serials, "LENT")
            self.lent_to.update({s: office for s in serials})

    def _come_back(self, serials: list[str], office: str) -> None:
        allowed = all(self.state.get(s) == "LENT" and self.lent_to.get(s) == office for s in serials)
        if self._try(allowed, lambda: self.office.return_loan(
                OPERATOR, counterpart=office, record="KEMBALI", ranges=_ranges(serials),
                direction="back-to-us")):
            self._set(serials, "IN_STOCK")

    def _go_back(self, serials: list[str], office: str) -> None:
        allowed = all(self.state.get(s) == "IN_STOCK" and self.lender.get(s) == office
                      for s in serials)
        if self._try(allowed, lambda: self.office.return_loan(
                OPERATOR, counterpart=office, record="KEMBALI", ranges=_ranges(serials),
                direction="back-to-lender")):
            self._set(serials, "GIVEN_BACK")
            for s in serials:
                del self.lender[s]
            self.given_back += len(serials)

    @rule(data=st.data())
    def spoil_in_stock(self, data: st.DataObject) -> None:
        self._spoil([self._pick(data, "IN_STOCK")], "")

    @rule(data=st.data())
    def destroy(self, data: st.DataObject) -> None:
        picks = data.draw(st.integers(1, 3), label="how many")
        self._destroy(sorted({self._pick(data, "SPOILED") for _ in range(picks)}, key=_key), "")

    @rule()
    def destroy_all_spoiled(self) -> None:
        chosen = self._in("SPOILED")
        if self._try(bool(chosen), lambda: self.office.destroy_spoiled(
                HEAD, record="BA", method="burn", witnesses=WITNESSES, all_spoiled=True)):
            self._set(chosen, "DESTROYED")

    @rule(data=st.data())
    def missing(self, data: st.DataObject) -> None:
        self._missing([self._pick(data, "IN_STOCK")], "")

    @rule(data=st.data(), to=st.sampled_from(OFFICES))
    def lend(self, data: st.DataObject, to: str) -> None:
        self._lend(self._run(data, "IN_STOCK"), to)

    def _counterpart(self, data: st.DataObject, parties: dict[str, str]) -> str:
        """Mostly an office that holds (or lent) some of our blanks, else any."""
        named = sorted(set(parties.values()))
        if named and data.draw(st.integers(0, 3), label="bias") > 0:
            return data.draw(st.sampled_from(named), label="office")
        return data.draw(st.sampled_from(OFFICES), label="office")

    @rule(data=st.data())
    def lent_come_back(self, data: st.DataObject) -> None:
        office = self._counterpart(data, {s: o for s, o in self.lent_to.items()
                                          if self.state.get(s) == "LENT"})
        self._come_back(self._run(data, "LENT", where=lambda s: self.lent_to.get(s) == office),
                        office)

    @rule(data=st.data())
    def borrowed_go_back(self, data: st.DataObject) -> None:
        office = self._counterpart(data, {s: o for s, o in self.lender.items()
                                          if self.state.get(s) == "IN_STOCK"})
        self._go_back(self._run(data, "IN_STOCK", where=lambda s: self.lender.get(s) == office),
                      office)

    @rule(data=st.data(), office=st.sampled_from(OFFICES),
          kind=st.sampled_from(["_spoil", "_destroy", "_missing", "_lend", "_come_back", "_go_back"]))
    def any_move_on_a_blank_in_any_state(self, data: st.DataObject, office: str, kind: str) -> None:
        """Every movement tried on every state present (a state first, so rare ones come up):
        the model says which are allowed; the refused ones must write nothing."""
        if not self.state:
            return
        state = data.draw(st.sampled_from(sorted(set(self.state.values()))), label="state")
        getattr(self, kind)([data.draw(st.sampled_from(self._in(state)), label="serial")], office)

    @precondition(lambda self: "ALLOCATED" in getattr(self, "state", {}).values())
    @rule(data=st.data(), office=st.sampled_from(OFFICES),
          kind=st.sampled_from(["_spoil", "_destroy", "_missing", "_lend", "_come_back", "_go_back"]))
    def any_move_on_an_allocated_blank(self, data: st.DataObject, office: str, kind: str) -> None:
        """Allocated blanks are held by cards, so they are rarer: try them on purpose."""
        getattr(self, kind)([data.draw(st.sampled_from(self._in("ALLOCATED")), label="serial")],
                            office)

    @rule(data=st.data())
    def count(self, data: st.DataObject) -> None:
        book = len(self._in("IN_STOCK"))
        counted = data.draw(st.sampled_from([book, book, max(0, book - 1), book + 2]), label="counted")
        done = self._try(True, lambda: self.office.count_blanks(OPERATOR, counted))
        assert done.facts["book"] == book
        self.count_difference = counted - book

    # --- invariants ------------------------------------------------------------------------
    def _model_counts(self) -> dict[str, int]:
        tally = Counter(self.state.values())
        return {state: tally[state] for state in STATES}

    @invariant()
    def the_ledger_matches_the_model_and_conserves(self) -> None:
        if not hasattr(self, "office"):
            return
        ledger = self.office.blank_ledger()
        counts = {state.value: n for state, n in ledger.counts().items()}
        assert counts == self._model_counts()
        assert ledger.received == self.received
        assert ledger.borrowed_held == self.borrowed - self.given_back
        assert ledger.conserved()
        assert self.received + self.borrowed - self.given_back == sum(counts.values())

    @invariant()
    def each_serial_is_in_exactly_one_state(self) -> None:
        if not hasattr(self, "office"):
            return
        ledger = self.office.blank_ledger()
        sets = [set(ledger.in_stock.serials()), set(ledger.allocated), set(ledger.spoiled.serials()),
                set(ledger.missing.serials()), *(set(s.serials()) for s in ledger.lent.values())]
        assert sum(len(s) for s in sets) == len(set().union(*sets)), "a serial is in two states"
        words = {"CONSUMED": "CONSUMED or DESTROYED", "DESTROYED": "CONSUMED or DESTROYED",
                 "GIVEN_BACK": "returned to its lender"}
        for serial in POOL:
            state = self.state.get(serial)
            expected = "unknown" if state is None else words.get(state, state)
            if state == "LENT":
                expected = f"LENT to {self.lent_to[serial]}"
            assert ledger.place_of(serial) == expected, serial

    @invariant()
    def each_card_holds_at_most_its_one_allocated_blank(self) -> None:
        if not hasattr(self, "office"):
            return
        ledger = self.office.blank_ledger()
        assert dict(ledger.holders) == {card: serial for serial, card in ledger.allocated.items()}
        assert len(ledger.holders) == len(ledger.allocated), "a card holds two blanks"
        for serial, card in ledger.allocated.items():
            assert ledger.card_blank(card) == serial

    @invariant()
    def reconcile_agrees_with_the_model(self) -> None:
        if not hasattr(self, "office"):
            return
        result = self.office.reconcile_blanks()
        assert dict(result.counts) == self._model_counts()
        assert result.conserved
        if self.count_difference == 0:
            assert result.clean, result.problems
        else:
            (problem,) = result.problems
            assert problem.serial is None and "stock count" in problem.what

    @invariant()
    def the_history_of_each_touched_serial_ends_in_its_state(self) -> None:
        if not hasattr(self, "office"):
            return
        for serial in sorted(self.touched):
            view = self.office.blank(serial)
            expected = self.state[serial]
            assert view.state == ("RETURNED_TO_LENDER" if expected == "GIVEN_BACK" else expected)
            assert not any(e.broke_rule for e in view.history)
        self.touched.clear()


LedgerMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=50, deadline=None)
test_blank_ledger_machine = pytest.mark.slow(LedgerMachine.TestCase)
