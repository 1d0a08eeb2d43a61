"""One contract of application behaviour, run on the in-memory store, a SQLite
file and a real PostgreSQL server alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from testkit.fakes import FakeClock
from testkit.people import COURIER, JABON, NGUDIREJO, OPERATOR, kk_for, make_nik
from testkit.stock import stock
from testkit.staff import staffed_office

from ektp.adapters.clocks import SystemClock
from ektp.application.office import Office
from ektp.domain import errors


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def office(any_store_url: str, clock: FakeClock) -> Iterator[Office]:
    with staffed_office(any_store_url, clock=clock) as office:
        stock(office)
        yield office


def request(office: Office, serial: int = 1, village: str = JABON) -> str:
    nik = make_nik(region="351709" if village == JABON else "351708", serial=serial)
    return str(office.request_card(OPERATOR, nik=nik, name="Warga Kontrak", kk=kk_for(nik),
                                   village=village).id)


def deliver(office: Office, card: str, serial: str) -> None:
    office.confirm_print_readiness(OPERATOR, card)
    office.allocate_blank(OPERATOR, card, serial)
    office.record_print_failure(OPERATOR, card, "print-failed")
    office.allocate_blank(OPERATOR, card)  # the next blank in stock
    office.record_printed(OPERATOR, card)
    office.dispatch(OPERATOR, card, COURIER.id)
    office.record_failed_attempt(COURIER, card, "not-at-home")
    office.hand_over(COURIER, card, recipient="owner", verified_by="ktp")


def test_the_whole_card_lifecycle(office: Office, clock: FakeClock) -> None:
    card = request(office)
    clock.advance(hours=1)
    deliver(office, card, "3517170001")
    view = office.card(card)
    assert (view.status, view.version, view.attempts, view.spoiled_serials) == (
        "HANDED_OVER", 9, 1, ("3517170001",))
    assert len(office.card_history(card)) == 9


def test_refusals_write_nothing(office: Office) -> None:
    card = request(office)
    head = office.last_position()
    for refused in (
        lambda: office.allocate_blank(OPERATOR, card, "3517170001"),
        lambda: office.record_printed(OPERATOR, card),
        lambda: request(office),
        lambda: office.hand_over(COURIER, card, recipient="owner", verified_by="ktp"),
    ):
        with pytest.raises(errors.DomainError):
            refused()
    assert office.last_position() == head


def test_one_open_request_per_nik_and_released_when_closed(office: Office) -> None:
    card = request(office)
    with pytest.raises(errors.DuplicateOpenRequest):
        request(office)
    office.cancel(OPERATOR, card, "duplicate")
    assert request(office) != card


def test_a_concurrent_change_is_refused_and_nothing_is_half_written(shared_store_url: str) -> None:
    any_store_url = shared_store_url
    with staffed_office(any_store_url) as first:
        card = request(first)

    class Interfering(SystemClock):
        armed = True

        def now(self) -> dt.datetime:
            if self.armed:
                self.armed = False
                with staffed_office(any_store_url) as other:
                    other.confirm_print_readiness(OPERATOR, card)
            return super().now()

    with staffed_office(any_store_url, clock=Interfering()) as office:
        with pytest.raises(errors.ConcurrentChange):
            office.cancel(OPERATOR, card, "withdrawn")
        assert office.card(card).version == 2


def test_lists_and_reports_follow_the_events(office: Office, clock: FakeClock) -> None:
    first = request(office, 1)
    clock.advance(minutes=5)
    second = request(office, 2, NGUDIREJO)
    deliver(office, first, "3517170001")
    assert [(str(c.id), c.status) for c in office.list_cards()] == [
        (first, "HANDED_OVER"), (second, "REQUESTED")]
    assert [str(c.id) for c in office.list_cards(village=NGUDIREJO)] == [second]
    today = clock.now().astimezone(office.config.timezone).date()
    counts = office.daily_report(today).counts
    assert (counts["requests"], counts["printed"], counts["spoiled"], counts["handed_over"]) == (2, 1, 1, 1)
    backlog = office.backlog_report()
    assert [(b.kecamatan, b.status, b.cards) for b in backlog] == [("35.17.08", "REQUESTED", 1)]
    coverage = {v.village: (v.requested, v.handed_over) for v in office.village_report()}
    assert coverage == {JABON: (1, 1), NGUDIREJO: (1, 0)}


def test_a_rebuild_ends_with_the_same_rows(office: Office, clock: FakeClock) -> None:
    for n in range(1, 6):
        card = request(office, n)
        clock.advance(minutes=1)
        if n % 2:
            deliver(office, card, f"35171700{n:02d}")
    def delivery() -> tuple[object, ...]:
        fold = office.delivery_report()
        return fold.villages, fold.kecamatan, fold.couriers, fold.total

    before = (office.list_cards(), office.backlog_report(), office.village_report(),
              office.daily_report(clock.now().date()), delivery())
    assert office.delivery_report().total.handed_over_owner == 3
    office.rebuild_read_models()
    assert (office.list_cards(), office.backlog_report(), office.village_report(),
            office.daily_report(clock.now().date()), delivery()) == before
    assert all(p.lag == 0 for p in office.projections_status())


def test_the_launch_scenario_and_its_read_models(any_store_url: str) -> None:
    """The demo's whole day (manifests included) on each store; the manifest read model
    agrees with the manifests' own histories and with a rebuild from zero."""
    from ektp.adapters.clocks import ScriptedClock
    from ektp.entrypoints.composition import open_office
    from ektp.entrypoints.demo_scenario import DemoCounter, run_scenario

    clock = ScriptedClock(dt.datetime(2017, 11, 6, tzinfo=dt.timezone.utc))
    with open_office(any_store_url, clock=clock, identity=DemoCounter()) as office:
        summary = run_scenario(office, clock)
        assert summary["cards"] == 8
        rows = office.list_manifests()
        assert len(rows) == summary["manifests"] == 3
        for row in rows:
            view = office.manifest(row.id)
            assert (row.status, row.courier, row.villages, row.cards, row.handed_over, row.checked_in) == (
                view.status, view.courier, view.villages, len(view.cards), view.handed_over,
                view.checked_in)
        assert office.list_manifests("closed") == tuple(r for r in rows if r.status == "CLOSED")
        # The read model's blank stock at the end of each day equals the ledger's own figure.
        for day in ("2017-11-07", "2017-11-08", "2017-11-14"):
            projected = office.daily_report(dt.date.fromisoformat(day)).stock
            ledger = office.blank_stock(day)
            assert {k: v for k, v in projected.items() if k in ledger.counts} == {
                k: v for k, v in ledger.counts.items() if v or k in projected}
            assert projected["RECEIVED"] == ledger.received == 500
        before = (rows, office.list_cards(), office.village_report(),
                  office.daily_report(dt.date(2017, 11, 14)))
        office.rebuild_read_models()
        assert (office.list_manifests(), office.list_cards(), office.village_report(),
                office.daily_report(dt.date(2017, 11, 14))) == before
