"""The blank ledger through `Office`: card and ledger in one save, conflicts,
snapshots, queries, and reconcile on histories that break a rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from testkit.fakes import FakeClock
from testkit.people import COURIER, HEAD, JABON, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.adapters.clocks import SystemClock
from ektp.application.blank_stock import ledger as ledger_access
from ektp.application.office import Office
from ektp.domain import errors
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.snapshot import LedgerSnapshot
from ektp.domain.blank_stock.state import ledger_id
from ektp.domain.card import events as ce

WITNESSES = ["Budi Santoso:inspektorat", "Sri Rahayu:kasi pelayanan"]
LEDGER = ledger_id("35.17")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def office(clock: FakeClock) -> Iterator[Office]:
    with staffed_office("memory://", clock=clock) as office:
        yield office


def receive(office: Office, *ranges: str, bast: str = "BAST/1") -> None:
    office.receive_blanks(OPERATOR, bast=bast, source="ministry", ranges=ranges or ["3517170001-3517170020"])


def ready_card(office: Office, n: int = 1) -> str:
    nik = make_nik(serial=n)
    card = str(office.request_card(OPERATOR, nik=nik, name="Warga Uji", kk=kk_for(nik), village=JABON).id)
    office.confirm_print_readiness(OPERATOR, card)
    return card


def stored(office: Office) -> int:
    return office.last_position()


def ledger_events(office: Office) -> list[str]:
    return [type(e).__name__ for e in office.store.events(LEDGER)]


def test_allocate_print_and_print_failure_move_the_blank_in_the_same_save(office: Office) -> None:
    receive(office)
    card = ready_card(office)
    before = stored(office)
    assert office.allocate_blank(OPERATOR, card).blank_serial == "3517170001"
    assert stored(office) == before + 2  # the card's BlankAllocated and the ledger's
    office.record_print_failure(OPERATOR, card, "chip-not-encoded")
    assert office.allocate_blank(OPERATOR, card).blank_serial == "3517170002"
    office.record_printed(OPERATOR, card)
    assert ledger_events(office) == ["ConsignmentReceived", "BlankAllocated", "BlankSpoiled",
                                     "BlankAllocated", "BlankConsumed"]
    figure = office.blank_stock()
    assert figure.counts == {"IN_STOCK": 18, "ALLOCATED": 0, "CONSUMED": 1, "SPOILED": 1,
                             "DESTROYED": 0, "LENT": 0, "MISSING": 0}
    assert figure.conserved and office.reconcile_blanks().clean
    assert office.card(card).spoiled_serials == ("3517170001",)


def test_a_refusal_by_the_ledger_writes_nothing_for_the_card_either(office: Office) -> None:
    receive(office)
    first, second = ready_card(office, 1), ready_card(office, 2)
    office.allocate_blank(OPERATOR, first, "3517170005")
    before = stored(office)
    with pytest.raises(errors.BlankNotAvailable, match="3517170005 is ALLOCATED"):
        office.allocate_blank(OPERATOR, second, "3517170005")
    with pytest.raises(errors.UnknownSerial):
        office.allocate_blank(OPERATOR, second, "3517999999")
    assert stored(office) == before and office.card(second).status == "READY_TO_PRINT"


def test_the_cards_own_refusals_come_before_the_stock(office: Office) -> None:
    nik = make_nik(serial=9)
    card = str(office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village=JABON).id)
    with pytest.raises(errors.BlankBeforePrintReadiness):
        office.allocate_blank(OPERATOR, card)  # and the stock is empty too
    office.confirm_print_readiness(OPERATOR, card)
    with pytest.raises(errors.NoBlankInStock):
        office.allocate_blank(OPERATOR, card)


def test_a_cancelled_cards_blank_goes_back_to_stock_with_the_nik_released(office: Office) -> None:
    receive(office)
    card = ready_card(office)
    office.allocate_blank(OPERATOR, card)
    office.cancel(OPERATOR, card, "applicant withdrew")
    assert ledger_events(office)[-1] == "BlankReleased"
    ledger = office.blank_ledger()
    assert "3517170001" in ledger.in_stock and not ledger.allocated
    assert office.blank("3517170001").state == "IN_STOCK"
    assert ready_card(office, 1) != card  # the NIK is free again
    assert office.reconcile_blanks().clean


class InterferingClock(SystemClock):
    """Runs `interfere` on the first `times` readings: another clerk acting mid-command."""

    def __init__(self) -> None:
        self.interfere: Callable[[], object] | None = None
        self.times = 0

    def now(self) -> dt.datetime:
        if self.interfere is not None and self.times > 0:
            self.times -= 1
            self.interfere()
        return super().now()


def test_a_conflict_on_the_ledger_alone_is_retried_on_the_fresh_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    clock = InterferingClock()
    with staffed_office(url) as other, staffed_office(url, clock=clock) as office:
        receive(other)
        card, rival = ready_card(office, 1), ready_card(other, 2)
        office.blank_ledger()  # cached
        clock.interfere, clock.times = lambda: other.allocate_blank(OPERATOR, rival), 1
        mine = office.allocate_blank(OPERATOR, card)
        assert other.card(rival).blank_serial == "3517170001"
        assert mine.blank_serial == "3517170002"  # decided again on the fresh ledger
        assert office.reconcile_blanks().clean


def test_a_ledger_that_keeps_changing_is_a_clear_conflict_and_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    clock = InterferingClock()
    with staffed_office(url) as other, staffed_office(url, clock=clock) as office:
        receive(other)
        card = ready_card(office)
        extra = iter(range(3517180001, 3517189999))
        clock.interfere = lambda: receive(other, str(next(extra)), bast="BAST/X")
        clock.times = ledger_access.ATTEMPTS * 3
        before = stored(office)
        with pytest.raises(errors.LedgerBusy, match="try again") as busy:
            office.allocate_blank(OPERATOR, card)
        assert busy.value.kind is errors.ErrorKind.CONFLICT
        written = stored(office) - before
        assert written == ledger_access.ATTEMPTS  # only the other clerk's consignments
        assert office.card(card).status == "READY_TO_PRINT"


def test_a_conflict_on_the_card_itself_is_not_retried(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'card.db'}"
    clock = InterferingClock()
    with staffed_office(url) as other, staffed_office(url, clock=clock) as office:
        receive(other)
        card = ready_card(other)  # not in `office`'s cache: no stale-cache retry either
        clock.interfere, clock.times = lambda: other.cancel(OPERATOR, card, "withdrawn"), 1
        with pytest.raises(errors.ConcurrentChange) as conflict:
            office.allocate_blank(OPERATOR, card)
        assert not isinstance(conflict.value, errors.LedgerBusy)
        assert office.blank_ledger().allocated == {}


def test_a_stale_cached_ledger_in_another_process_is_caught(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stale.db'}"
    with staffed_office(url) as office, staffed_office(url) as other:
        receive(office)
        a, b = ready_card(office, 1), ready_card(office, 2)
        assert office.allocate_blank(OPERATOR, a).blank_serial == "3517170001"
        other.blank_ledger()  # `other` caches the ledger now...
        office.allocate_blank(OPERATOR, b, "3517170002")  # ...and `office` moves on
        c = ready_card(other, 3)
        assert other.allocate_blank(OPERATOR, c).blank_serial == "3517170003"
        with pytest.raises(errors.BlankNotAvailable):
            other.allocate_blank(OPERATOR, ready_card(other, 4), "3517170002")


def test_snapshots_are_taken_and_a_fresh_process_loads_the_same_ledger(tmp_path: Path, clock: FakeClock) -> None:
    url = f"sqlite:///{tmp_path / 'snap.db'}"
    with staffed_office(url, clock=clock) as office:
        receive(office, "3517170001-3517170400")
        for n in range(ledger_access.SNAPSHOT_EVERY // 2 + 5):  # two ledger events per card
            card = ready_card(office, n + 1)
            office.allocate_blank(OPERATOR, card)
            office.record_printed(OPERATOR, card)
        kept = office.blank_ledger()
        assert kept.version > ledger_access.SNAPSHOT_EVERY
        snapshots = list(office.store.app.snapshots.get(LEDGER))  # type: ignore[union-attr]
        assert [s.originator_version for s in snapshots] == [ledger_access.SNAPSHOT_EVERY]
        assert isinstance(snapshots[0], LedgerSnapshot)
    with staffed_office(url, clock=clock) as fresh:
        assert fresh.blank_ledger() == kept
        # the history alone (no snapshot) says the same
        from ektp.domain.blank_stock.snapshot import project

        assert project(None, fresh.store.events(LEDGER)) == kept  # type: ignore[arg-type]
        assert fresh.reconcile_blanks().clean


def test_queries_stock_by_day_spoiled_with_age_and_a_blanks_history(office: Office, clock: FakeClock) -> None:
    receive(office)
    card = ready_card(office)
    office.allocate_blank(OPERATOR, card)
    office.record_print_failure(OPERATOR, card, "print-failed")
    office.spoil_blanks(OPERATOR, ["3517170020"], "physical-damage")
    day_one = clock.current.astimezone(office.config.timezone).date()
    clock.advance(days=3)
    office.allocate_blank(OPERATOR, card)
    spoiled = office.spoiled_blanks()
    assert [(b.serial, b.age_days, b.reason) for b in spoiled] == [
        ("3517170001", 3, "print-failed"), ("3517170020", 3, "physical-damage")]
    assert str(spoiled[0].card_id) == card and spoiled[1].card_id is None
    past = office.blank_stock(day_one.isoformat())
    assert past.counts["IN_STOCK"] == 18 and past.counts["ALLOCATED"] == 0
    assert past.movements["received"] == 20 and past.movements["spoiled"] == 2
    today = office.blank_stock()
    assert today.counts["ALLOCATED"] == 1 and today.movements["allocated"] == 1
    assert today.movements["received"] == 0
    office.destroy_spoiled(HEAD, record="BA/1", method="cut", witnesses=WITNESSES, all_spoiled=True)
    assert office.spoiled_blanks() == ()
    view = office.blank("3517170001")
    assert view.state == "DESTROYED" and str(view.card_id) == card
    assert [e.event for e in view.history] == [
        "ConsignmentReceived", "BlankAllocated", "BlankSpoiled", "SpoiledDestroyed"]
    assert "Budi" not in " ".join(e.summary for e in view.history)  # witness names stay in the record
    with pytest.raises(errors.UnknownSerial):
        office.blank("3517999999")
    with pytest.raises(errors.InvalidText, match="future"):
        office.blank_stock((day_one + dt.timedelta(days=30)).isoformat())


def test_ledger_commands_through_the_office(office: Office) -> None:
    receive(office)
    lent = office.lend_blanks(HEAD, to="Disdukcapil Mojokerto", record="PINJAM/7", ranges=["3517170011-3517170015"])
    assert (lent.event, lent.count, lent.in_stock) == ("BlanksLent", 5, 15)
    office.return_loan(OPERATOR, counterpart="Disdukcapil Mojokerto", record="KEMBALI/7",
                       ranges=["3517170011-3517170012"], direction="back-to-us")
    office.borrow_blanks(OPERATOR, lender="35.15", record="PINJAM/8", ranges=["3515000001-3515000003"])
    office.return_loan(OPERATOR, counterpart="35.15", record="KEMBALI/8",
                       ranges=["3515000003"], direction="back-to-lender")
    office.report_missing(HEAD, ["3517170019"], police_report="LP/77/XI/2017")
    counted = office.count_blanks(OPERATOR, 18)
    assert counted.facts == {"counted": 18, "book": 18, "difference": 0}
    figure = office.blank_stock()
    assert (figure.received, figure.borrowed, figure.given_back) == (20, 2, 1)
    assert figure.counts["LENT"] == 3 and figure.counts["MISSING"] == 1 and figure.conserved
    assert office.reconcile_blanks().clean
    with pytest.raises(errors.InvalidStockCount):
        office.count_blanks(OPERATOR, -1)
    with pytest.raises(errors.InvalidText, match="not both"):
        office.destroy_spoiled(HEAD, record="BA/2", method="burn", witnesses=WITNESSES,
                               serials=["3517170001"], all_spoiled=True)
    with pytest.raises(errors.RoleNotPermitted):
        office.receive_blanks(COURIER, bast="B", source="ministry", ranges=["3517180001"])


@pytest.mark.parametrize(("call", "error"), [
    (lambda o: o.receive_blanks(OPERATOR, bast="B/2", source="ministry",
                                ranges=["3517170010-3517170030"]), errors.SerialAlreadyReceived),
    (lambda o: o.receive_blanks(OPERATOR, bast="B/2", source="ministry",
                                ranges=["3517180001-3517180010", "3517180005-3517180020"]), errors.OverlappingRanges),
    (lambda o: o.receive_blanks(OPERATOR, bast="B/2", source="ministry",
                                ranges=["3517180010-3517180001"]), errors.InvalidSerialRange),
    (lambda o: o.receive_blanks(OPERATOR, bast="B/2", source="kabupaten",
                                ranges=["3517180001"]), errors.InvalidSource),
    (lambda o: o.spoil_blanks(OPERATOR, ["3517999999"], "physical-damage"), errors.UnknownSerial),
    (lambda o: o.destroy_spoiled(HEAD, record="BA/1", method="burn", witnesses=WITNESSES[:1],
                                 all_spoiled=True), errors.TooFewWitnesses),
    (lambda o: o.destroy_spoiled(HEAD, record="BA/1", method="melt", witnesses=WITNESSES,
                                 all_spoiled=True), errors.InvalidChoice),
    (lambda o: o.report_missing(OPERATOR, ["3517170001"], "LP/1"), errors.RoleNotPermitted),
])
def test_bad_input_is_a_named_error_and_writes_nothing(office: Office, call: Callable[[Office], object],
                                                       error: type[Exception]) -> None:
    receive(office)
    before = stored(office)
    with pytest.raises(error):
        call(office)
    assert stored(office) == before


def _save_raw(office: Office, *events: object) -> None:
    office.store.app.save(*events)  # type: ignore[arg-type]


def _ledger_version(office: Office) -> int:
    return office.blank_ledger().version


def test_reconcile_lists_every_serial_whose_history_breaks_a_rule(office: Office, clock: FakeClock) -> None:
    receive(office)
    card = ready_card(office)
    office.allocate_blank(OPERATOR, card)
    office.store.forget()
    v = _ledger_version(office)
    envelope = {"originator_id": LEDGER, "timestamp": clock.now(), "actor": OPERATOR, "office": "35.17"}
    # history written behind the rules' back (an old version, an import, a tampered file):
    _save_raw(office,
              ev.BlankAllocated(**envelope, originator_version=v + 1, serial="3517170001",
                                card_id=ready_card(office, 2)),       # allocated twice
              ev.BlankConsumed(**envelope, originator_version=v + 2, serial="3517170009",
                               card_id=card),                          # consumed from stock
              ev.ConsignmentReceived(**envelope, originator_version=v + 3, bast="B/9",
                                     source="ministry", source_office=None,
                                     ranges=[{"first": "3517170020", "last": "3517170021"}],
                                     count=5))                          # received twice, wrong count
    c = office.card(card)
    _save_raw(office, ce.Printed(originator_id=c.id, originator_version=c.version + 1,
                                 timestamp=clock.now(), actor=OPERATOR, office="35.17",
                                 serial="3517170001", station="s"))     # card printed, ledger silent
    result = office.reconcile_blanks()
    assert not result.clean
    by_serial = {p.serial for p in result.problems}
    assert {"3517170001", "3517170009", "3517170020", None} <= by_serial and "3517170021" not in by_serial
    text = " | ".join(f"{p.serial}: {p.what}" for p in result.problems)
    assert "3517170001: BlankAllocated (ledger v" in text and "was ALLOCATED, not IN_STOCK" in text
    assert "3517170009: BlankConsumed" in text and "records it consumed but the ledger does not" in text
    assert "says 5 blanks but its ranges hold 2" in text
    assert "was IN_STOCK, not never received" in text or "not unknown" in text
    assert not result.conserved  # 22 received by the history, 21 serials held
    assert result.received == 22


def test_reconcile_reports_cards_allocated_outside_the_ledger(office: Office, clock: FakeClock) -> None:
    receive(office)
    card = ready_card(office)
    c = office.card(card)
    _save_raw(office, ce.BlankAllocated(originator_id=c.id, originator_version=c.version + 1,
                                        timestamp=clock.now(), actor=OPERATOR, office="35.17",
                                        serial="3517170003"))
    (problem,) = office.reconcile_blanks().problems
    assert problem.serial == "3517170003" and "records it allocated but the ledger does not" in problem.what


def test_reconcile_flags_an_open_count_discrepancy_until_a_clean_count(office: Office) -> None:
    receive(office)
    office.count_blanks(OPERATOR, 19)
    (problem,) = office.reconcile_blanks().problems
    assert "found 19 blanks against 20" in problem.what
    office.report_missing(HEAD, ["3517170020"], police_report="LP/5")
    office.count_blanks(OPERATOR, 19)
    assert office.reconcile_blanks().clean
