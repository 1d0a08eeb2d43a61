"""Names beside codes, the name search key, and the delivery report's fold."""

from __future__ import annotations

import datetime as dt

import pytest
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.people import COURIER, JABON, NGUDIREJO, OPERATOR, OTHER_OPERATOR, kk_for, make_nik
from testkit.stock import stock
from testkit.staff import staffed_office

from ektp.application.reports.delivery import AT_THE_OFFICE, fold_delivery
from ektp.application.ports.region_directory import Region, RegionKind, RegionLevel
from ektp.application.reports.region_names import region_label, search_key, village_label
from ektp.application.manifest.results_file import read_results
from ektp.domain.errors import InvalidText


def test_names_beside_codes() -> None:
    regions = FakeRegions()
    assert village_label(regions, NGUDIREJO) == "35.17.08.2014 Ngudirejo, Kec. Diwek"
    assert village_label(regions, "35.17.09.2999") == "35.17.09.2999"
    assert region_label(Region("35.17.09.1006", "Kepanjen", RegionKind.KELURAHAN)) == (
        "35.17.09.1006 Kelurahan Kepanjen")
    assert Region("35.17.08", "Diwek", RegionKind.KECAMATAN).level is RegionLevel.KECAMATAN
    assert Region("35.17.08", "Diwek", RegionKind.KECAMATAN).parent_code == "35.17"


@pytest.mark.parametrize(("typed", "key"), [
    ("Alang-alang  CARUBAN", "alang alang caruban"),
    ("Kec. Diwek", "diwek"),
    ("Regapu\u2019u", "regapuu"),
    ("Pélem", "pelem"),
    ("kota", "kota"),
])
def test_search_key_ignores_case_accents_punctuation_and_kind_words(typed: str, key: str) -> None:
    assert search_key(typed) == key


def test_a_results_file_needs_card_and_outcome_columns() -> None:
    with pytest.raises(InvalidText, match="outcome"):
        read_results("card,result\nx,y\n")
    rows = read_results("\ufeffCard;Outcome;Verified By\n1;handed-over;ktp\n\n")
    assert rows[0].line == 2 and rows[0].get("verified-by") == "ktp"


def test_the_delivery_report_folds_card_events() -> None:
    clock = FakeClock(dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.timezone.utc))
    with staffed_office("memory://", clock=clock, regions=FakeRegions()) as office:
        stock(office)
        cards = []
        for n, village in enumerate([JABON, JABON, NGUDIREJO], start=1):
            nik = make_nik(serial=n)
            card = str(office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                           village=village).id)
            office.confirm_print_readiness(OPERATOR, card)
            office.allocate_blank(OPERATOR, card, f"35171700{n:02d}")
            office.record_printed(OPERATOR, card)
            cards.append(card)
        a, b, c = cards
        clock.advance(days=1)
        for card in cards:
            office.dispatch(OPERATOR, card, COURIER.id)
        office.hand_over(COURIER, a, verified_by="ktp")
        office.record_failed_attempt(COURIER, b, "not-at-home")
        office.record_failed_attempt(COURIER, c, "moved")
        office.return_card(OTHER_OPERATOR, c, "moved away")
        clock.advance(days=1)
        office.hand_over(COURIER, b, verified_by="kk")
        office.hand_over(OPERATOR, c, verified_by="ktp", place="office")

        whole = office.delivery_report()
        assert whole.total.dispatched == 3 and whole.total.returned == 1
        assert (whole.total.handed_over_owner, whole.total.failed_attempts) == (3, 2)
        assert whole.total.rounds_with_outcome == 3 and whole.total.first_attempt_rate == 1 / 3
        jabon = whole.villages[JABON]
        assert (jabon.dispatched, dict(jabon.failed), jabon.first_attempt_successes) == (
            2, {"not-at-home": 1}, 1)
        assert whole.kecamatan["35.17.08"].failed == {"moved": 1}
        assert whole.couriers[COURIER.id].handed_over_owner == 2
        assert whole.couriers[AT_THE_OFFICE].handed_over_owner == 1

        last_day = office.delivery_report(start="2026-11-04", end="2026-11-04")
        assert (last_day.total.dispatched, last_day.total.handed_over_owner) == (0, 2)
        assert last_day.total.first_attempt_rate is None  # no round began that day
        with pytest.raises(InvalidText):
            office.delivery_report(start="2026-11-05", end="2026-11-04")


def test_the_fold_ignores_events_it_does_not_count() -> None:
    assert fold_delivery([object(), "x"]).total.dispatched == 0
