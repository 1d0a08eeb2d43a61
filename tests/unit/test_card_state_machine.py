"""Random command sequences against `Office`, checked after every step against a
simple model: status, attempts, version = event count, one open card per NIK,
and a refused command changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule
from testkit.fakes import FakeClock
from testkit.people import COURIER, HEAD, JABON, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.domain.errors import DomainError

CAP, HOLDING = 2, 10
NIKS = [make_nik(serial=n) for n in range(1, 4)]
OPEN = {"REQUESTED", "READY_TO_PRINT", "BLANK_ALLOCATED", "PRINTED", "DISPATCHED", "RETURNED", "UNCOLLECTED"}


@attrs.define
class ModelCard:
    nik: str
    status: str = "REQUESTED"
    attempts: int = 0
    returned_at: dt.datetime | None = None
    events: int = 1


class CardMachine(RuleBasedStateMachine):
    cards = Bundle("cards")

    @initialize()
    def open(self) -> None:
        from ektp.application.config import OfficeConfig

        self.clock = FakeClock()
        self.office = staffed_office("memory://", clock=self.clock,
                                  config=OfficeConfig(attempt_cap=CAP, holding_days=HOLDING))
        self.model: dict[str, ModelCard] = {}
        self.serial = 3517170000
        self.office.receive_blanks(OPERATOR, bast="BAST/T/1", source="ministry",
                                   ranges=["3517170001-3517179999"])

    def teardown(self) -> None:
        self.office.close()

    def _stored(self) -> int:
        return self.office.last_position()

    def _try(self, card: str | None, allowed: bool, action: Any, after: dict[str, Any]) -> None:
        before_count = self._stored()
        try:
            action()
        except DomainError:
            assert not allowed, "the model expected this command to succeed"
            assert self._stored() == before_count, "a refused command wrote events"
            return
        assert allowed, "the model expected a refusal"
        if card is not None:
            model = self.model[card]
            for key, value in after.items():
                setattr(model, key, value)
            model.events += 1

    @rule(target=cards, nik=st.sampled_from(NIKS))
    def request(self, nik: str) -> str:
        allowed = not any(m.nik == nik and m.status in OPEN for m in self.model.values())
        created: list[str] = []

        def act() -> None:
            created.append(str(self.office.request_card(
                OPERATOR, nik=nik, name="Warga Uji", kk=kk_for(nik), village=JABON).id))

        self._try(None, allowed, act, {})
        if created:
            self.model[created[0]] = ModelCard(nik)
            return created[0]
        return next(iter(self.model), "00000000-0000-0000-0000-000000000000")

    def _step(self, card: str, allowed_from: set[str], new_status: str | None, action: Any,
              **extra: Any) -> None:
        if card not in self.model:
            return
        m = self.model[card]
        allowed = m.status in allowed_from and extra.pop("guard", True)
        after = {"status": new_status} if new_status else {}
        after.update(extra)
        self._try(card, allowed, action, after)

    @rule(card=cards)
    def ready(self, card: str) -> None:
        self._step(card, {"REQUESTED"}, "READY_TO_PRINT",
                   lambda: self.office.confirm_print_readiness(OPERATOR, card))

    @rule(card=cards)
    def allocate(self, card: str) -> None:
        self.serial += 1
        serial = str(self.serial)
        self._step(card, {"READY_TO_PRINT"}, "BLANK_ALLOCATED",
                   lambda: self.office.allocate_blank(OPERATOR, card, serial))

    @rule(card=cards)
    def print_(self, card: str) -> None:
        self._step(card, {"BLANK_ALLOCATED"}, "PRINTED", lambda: self.office.record_printed(OPERATOR, card))

    @rule(card=cards)
    def print_failed(self, card: str) -> None:
        self._step(card, {"BLANK_ALLOCATED"}, "READY_TO_PRINT",
                   lambda: self.office.record_print_failure(OPERATOR, card, "print-failed"))

    @rule(card=cards)
    def dispatch(self, card: str) -> None:
        m = self.model.get(card)
        guard = m is not None and (m.status == "PRINTED" or m.attempts < CAP)
        self._step(card, {"PRINTED", "RETURNED"}, "DISPATCHED",
                   lambda: self.office.dispatch(OPERATOR, card, "kurir.test"), guard=guard)

    @rule(card=cards)
    def attempt_failed(self, card: str) -> None:
        m = self.model.get(card)
        if m is None:
            return
        self._step(card, {"DISPATCHED"}, None,
                   lambda: self.office.record_failed_attempt(COURIER, card, "not-at-home"),
                   guard=m.attempts < CAP, attempts=m.attempts + 1)

    @rule(card=cards, place=st.sampled_from(["door", "office", "kecamatan"]))
    def hand_over(self, card: str, place: str) -> None:
        m = self.model.get(card)
        if m is None:
            return
        guard = (m.status == "DISPATCHED" and place != "office" and m.attempts < CAP) or (
            m.status == "RETURNED" and place == "office")
        self._step(card, {"DISPATCHED", "RETURNED"}, "HANDED_OVER",
                   lambda: self.office.hand_over(COURIER, card, recipient="owner",
                                                 verified_by="ktp", place=place), guard=guard)

    @rule(card=cards)
    def return_(self, card: str) -> None:
        self._step(card, {"DISPATCHED"}, "RETURNED",
                   lambda: self.office.return_card(OPERATOR, card, "not at home"),
                   returned_at=self.clock.now())

    @rule(card=cards)
    def cancel(self, card: str) -> None:
        self._step(card, {"REQUESTED", "READY_TO_PRINT", "BLANK_ALLOCATED"}, "CANCELLED",
                   lambda: self.office.cancel(OPERATOR, card, "withdrawn"))

    @rule(card=cards)
    def uncollected(self, card: str) -> None:
        m = self.model.get(card)
        if m is None:
            return
        due = m.returned_at is not None and self.clock.now() >= m.returned_at + dt.timedelta(days=HOLDING)
        self._step(card, {"RETURNED"}, "UNCOLLECTED",
                   lambda: self.office.declare_uncollected(HEAD, card), guard=due)

    @rule(card=cards)
    def destroy(self, card: str) -> None:
        self._step(card, {"UNCOLLECTED"}, "DESTROYED",
                   lambda: self.office.destroy(HEAD, card, "uncollected", "BA/1"))

    @rule(card=cards)
    def advance(self, card: str) -> None:
        """Take a card one step along the delivery path, so deep states are reached often."""
        m = self.model.get(card)
        step = {
            "REQUESTED": self.ready, "READY_TO_PRINT": self.allocate,
            "BLANK_ALLOCATED": self.print_, "PRINTED": self.dispatch,
        }.get(m.status) if m else None
        if step is not None:
            step(card)

    @rule(days=st.integers(0, 12))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days, minutes=1)

    @invariant()
    def matches_the_model(self) -> None:
        if not hasattr(self, "model"):
            return
        for card_id, m in self.model.items():
            view = self.office.card(card_id)
            assert view.status == m.status
            assert view.attempts == m.attempts
            assert view.version == m.events == len(self.office.card_history(card_id))

    @invariant()
    def the_blank_ledger_follows_the_cards(self) -> None:
        if not hasattr(self, "model"):
            return
        ledger = self.office.blank_ledger()
        assert ledger.conserved()
        holding = {c for c, m in self.model.items() if m.status == "BLANK_ALLOCATED"}
        assert {str(card) for card in ledger.allocated.values()} == holding

    @invariant()
    def each_open_nik_resolves_to_its_one_open_card(self) -> None:
        if not hasattr(self, "model"):
            return
        for nik in NIKS:
            open_cards = [c for c, m in self.model.items() if m.nik == nik and m.status in OPEN]
            assert len(open_cards) <= 1
            if open_cards:
                assert str(self.office.card(nik).id) == open_cards[0]


CardMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=50, deadline=None)
test_card_state_machine = CardMachine.TestCase
