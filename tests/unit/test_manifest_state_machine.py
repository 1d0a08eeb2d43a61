"""Random manifest days against `Office`: open, assign, remove, dispatch, record
results, check in, close, checked after every step against a simple model:
statuses and attempts of cards and manifests, version = event count, a card on
at most one open manifest, a closed manifest settled, and a refused command
changes nothing."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.people import COURIER, JABON, NGUDIREJO, OPERATOR, OTHER_OPERATOR, kk_for, make_nik
from testkit.stock import stock
from testkit.staff import staffed_office

from ektp.application.config import OfficeConfig
from ektp.application.reports.delivery import DeliveryFold, fold_delivery
from ektp.application.manifest.results_file import ResultRow
from ektp.domain.errors import DomainError

CAP = 2
VILLAGES = [JABON, NGUDIREJO]
CARD_VILLAGES = [JABON, JABON, NGUDIREJO, NGUDIREJO, JABON]
FINAL = {"handed-over", "returned"}


def tallies(fold: DeliveryFold) -> tuple[object, ...]:
    """What a delivery report shows: the tallies per village, kecamatan, courier and in total."""
    return fold.villages, fold.kecamatan, fold.couriers, fold.total


@attrs.define
class ModelCard:
    village: str
    status: str = "PRINTED"
    attempts: int = 0
    on: str | None = None


@attrs.define
class ModelManifest:
    villages: tuple[str, ...]
    status: str = "OPEN"
    cards: dict[str, list[str]] = attrs.field(factory=dict)  # card -> reported outcomes
    returned: set[str] = attrs.field(factory=set)

    def final(self, card: str) -> str | None:
        reports = self.cards[card]
        return reports[-1] if reports and reports[-1] in FINAL else None


class ManifestMachine(RuleBasedStateMachine):
    manifests = Bundle("manifests")

    @initialize()
    def printed_cards(self) -> None:
        self.clock = FakeClock()
        self.office = staffed_office("memory://", clock=self.clock, regions=FakeRegions(),
                                  config=OfficeConfig(attempt_cap=CAP))
        stock(self.office)
        self.cards: list[str] = []
        self.model_cards: dict[str, ModelCard] = {}
        self.model: dict[str, ModelManifest] = {}
        for n, village in enumerate(CARD_VILLAGES, start=1):
            nik = make_nik(serial=n)
            card = str(self.office.request_card(OPERATOR, nik=nik, name="Warga Uji", kk=kk_for(nik),
                                                village=village, rt=str(n)).id)
            self.office.confirm_print_readiness(OPERATOR, card)
            self.office.allocate_blank(OPERATOR, card, f"35171700{n:02d}")
            self.office.record_printed(OPERATOR, card)
            self.cards.append(card)
            self.model_cards[card] = ModelCard(village)

    def teardown(self) -> None:
        if hasattr(self, "office"):
            self.office.close()

    def _stored(self) -> int:
        return self.office.last_position()

    def _try(self, allowed: bool, action: Any) -> Any:
        before = self._stored()
        try:
            result = action()
        except DomainError as refused:
            assert not allowed, f"the model expected success, got {refused.code}: {refused}"
            assert self._stored() == before, "a refused command wrote events"
            return None
        assert allowed, "the model expected a refusal"
        return result

    @rule(target=manifests, villages=st.sets(st.sampled_from(VILLAGES), min_size=1))
    def open(self, villages: set[str]) -> str:
        view = self.office.open_manifest(OPERATOR, courier=COURIER.id, date="2026-11-03",
                                         villages=sorted(villages))
        self.model[str(view.id)] = ModelManifest(tuple(sorted(villages)))
        return str(view.id)

    @rule(manifest=manifests, n=st.integers(0, len(CARD_VILLAGES) - 1))
    def assign(self, manifest: str, n: int) -> None:
        card, m, c = self.cards[n], self.model[manifest], self.model_cards[self.cards[n]]
        allowed = (m.status == "OPEN" and c.village in m.villages and c.on is None
                   and c.status in ("PRINTED", "RETURNED") and c.attempts < CAP)
        if self._try(allowed, lambda: self.office.assign_cards(OPERATOR, manifest, [card])):
            m.cards[card] = []
            c.on = manifest

    @rule(manifest=manifests, n=st.integers(0, len(CARD_VILLAGES) - 1))
    def remove(self, manifest: str, n: int) -> None:
        card, m = self.cards[n], self.model[manifest]
        allowed = m.status == "OPEN" and card in m.cards
        if self._try(allowed, lambda: self.office.remove_cards(OPERATOR, manifest, [card])):
            del m.cards[card]
            self.model_cards[card].on = None

    @rule(manifest=manifests)
    def dispatch(self, manifest: str) -> None:
        m = self.model[manifest]
        allowed = m.status == "OPEN" and bool(m.cards)
        if self._try(allowed, lambda: self.office.dispatch_manifest(OPERATOR, manifest, "SEGEL-1")):
            m.status = "DISPATCHED"
            for card in m.cards:
                self.model_cards[card].status = "DISPATCHED"

    @rule(manifest=manifests, pick=st.integers(0, 20), on_it=st.booleans(),
          outcome=st.sampled_from(["handed-over", "attempt-failed", "returned"]))
    def record(self, manifest: str, pick: int, on_it: bool, outcome: str) -> None:
        m = self.model[manifest]
        # Mostly a card that is on the manifest, so that outcomes pile up on it.
        pool = list(m.cards) if on_it and m.cards else self.cards
        card = pool[pick % len(pool)]
        c = self.model_cards[card]
        allowed = m.status == "DISPATCHED" and card in m.cards and m.final(card) is None and (
            outcome == "returned" or c.attempts < CAP)
        cells = {"card": card, "outcome": outcome, "recipient": "owner", "verified-by": "ktp",
                 "reason": "not-at-home" if outcome == "attempt-failed" else "road flooded",
                 "evidence": f"E-{len(m.cards[card]) if card in m.cards else 0}"}
        rows = [ResultRow(2, cells)]
        if self._try(allowed, lambda: self.office.record_results(COURIER, manifest, rows)):
            m.cards[card].append(outcome)
            if outcome == "handed-over":
                c.status = "HANDED_OVER"
            elif outcome == "attempt-failed":
                c.attempts += 1

    @rule(manifest=manifests)
    def check_in(self, manifest: str) -> None:
        m = self.model[manifest]
        call = lambda: self.office.check_in_manifest(OTHER_OPERATOR, manifest, seal_intact=True)  # noqa: E731
        if self._try(m.status == "DISPATCHED", call):
            m.status = "RETURNED"
            for card, reports in m.cards.items():
                if reports[-1:] != ["handed-over"]:
                    m.returned.add(card)
                    self.model_cards[card].status = "RETURNED"
                    self.model_cards[card].on = None

    @rule(manifest=manifests)
    def close(self, manifest: str) -> None:
        m = self.model[manifest]
        allowed = (m.status == "OPEN" and not m.cards) or m.status == "RETURNED" or (
            m.status == "DISPATCHED" and all(r[-1:] == ["handed-over"] for r in m.cards.values()))
        if self._try(allowed, lambda: self.office.close_manifest(OPERATOR, manifest, "BAST/1")):
            m.status = "CLOSED"

    @rule(manifest=manifests)
    def fill_and_go(self, manifest: str) -> None:
        """Assign every card that may go, then dispatch, so deep states are reached often."""
        for n in range(len(CARD_VILLAGES)):
            self.assign(manifest, n)
        self.dispatch(manifest)

    @rule(manifest=manifests,
          outcomes=st.lists(st.sampled_from(["handed-over", "attempt-failed", "returned"]),
                            min_size=1, max_size=8))
    def whole_round(self, manifest: str, outcomes: list[str]) -> None:
        """Fill and dispatch, report on its cards in turn, check in and close."""
        self.fill_and_go(manifest)
        for pick, outcome in enumerate(outcomes):
            self.record(manifest, pick, True, outcome)
        self.check_in(manifest)
        self.close(manifest)

    @rule(hours=st.integers(1, 30))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    @invariant()
    def the_delivery_report_agrees_with_a_fold_of_the_events(self) -> None:
        """The report from the delivery_facts read model equals the reference fold of
        the whole event log, for the whole history and for periods inside it."""
        if not hasattr(self, "office"):
            return
        events = [record.event for record in self.office.events_since()]
        zone = self.office.config.timezone
        days = sorted({e.timestamp.astimezone(zone).date() for e in events})
        periods = {(None, None), (days[0], days[-1]), (days[-1], days[-1]),
                   (days[len(days) // 2], None), (None, days[len(days) // 2])}
        for start, end in periods:
            expected = fold_delivery(events, start, end, zone)
            got = self.office.delivery_report(start, end)
            assert tallies(got) == tallies(expected), (start, end)

    @invariant()
    def cards_match_the_model(self) -> None:
        if not hasattr(self, "office"):
            return
        for card, c in self.model_cards.items():
            view = self.office.card(card)
            assert (view.status, view.attempts) == (c.status, c.attempts)
            if c.status != "HANDED_OVER":
                assert (str(view.manifest_id) if view.manifest_id else None) == c.on

    @invariant()
    def manifests_match_the_model(self) -> None:
        if not hasattr(self, "office"):
            return
        for manifest, m in self.model.items():
            view = self.office.manifest(manifest)
            assert view.status == m.status
            assert {str(c.card_id): list(c.reports) for c in view.cards} == m.cards
            assert view.version == len(list(self.office.store.events(view.id)))
            if view.status == "CLOSED":
                assert all(c.outcome in ("handed-over", "checked-in") for c in view.cards)
                assert view.handed_over + view.checked_in == view.dispatched_count

    @invariant()
    def a_card_is_on_at_most_one_open_manifest(self) -> None:
        if not hasattr(self, "office"):
            return
        holding: dict[str, int] = {}
        for manifest in self.model:
            view = self.office.manifest(manifest)
            if view.status == "CLOSED":
                continue
            for c in view.cards:
                if c.outcome not in ("handed-over", "checked-in"):
                    holding[str(c.card_id)] = holding.get(str(c.card_id), 0) + 1
        assert all(count == 1 for count in holding.values()), holding


ManifestMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_manifest_state_machine = pytest.mark.slow(ManifestMachine.TestCase)
