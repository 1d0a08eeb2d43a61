"""The delivery use cases through `Office` (memory store, fake clock, fake regions):
region checks, manifests around the card commands, results files, the attempt cap
across manifests, and a stale cache that must not put a card on two manifests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from testkit.fake_regions import ALANG_ALANG_CARUBAN, FakeRegions
from testkit.fakes import FakeClock
from testkit.people import COURIER, HEAD, JABON, NGUDIREJO, OPERATOR, OTHER_OPERATOR, kk_for, make_nik
from testkit.stock import ensure_stock
from testkit.staff import staffed_office, written

from ektp.application.config import OfficeConfig
from ektp.application.errors import VillageOutsideRegency
from ektp.application.office import Office
from ektp.application.manifest.results_file import read_results
from ektp.domain import errors
from ektp.domain.actor import Actor, Role
from ektp.domain.card.state import project as project_card

PROXY_NIK = make_nik(day=10, month=6, year=1993, serial=4)


@pytest.fixture
def regions() -> FakeRegions:
    return FakeRegions()


@pytest.fixture
def office(regions: FakeRegions) -> Iterator[Office]:
    with staffed_office("memory://", clock=FakeClock(), regions=regions) as office:
        yield office


def stored(office: Office) -> int:
    return written(office)


def printed(office: Office, serial: int, village: str = JABON, region: str = "351709") -> str:
    nik = make_nik(region=region, serial=serial)
    card = str(office.request_card(OPERATOR, nik=nik, name="Warga Uji", kk=kk_for(nik),
                                   village=village, rt=str(serial), rw="1").id)
    office.confirm_print_readiness(OPERATOR, card)
    ensure_stock(office)
    office.allocate_blank(OPERATOR, card, f"35171700{serial:02d}")
    office.record_printed(OPERATOR, card)
    return card


def opened(office: Office, *villages: str) -> str:
    return str(office.open_manifest(OPERATOR, courier=COURIER.id, date="2026-11-03",
                                    villages=list(villages or (JABON,))).id)


def out(office: Office, *cards: str, villages: tuple[str, ...] = (JABON,)) -> str:
    manifest = opened(office, *villages)
    office.assign_cards(OPERATOR, manifest, list(cards))
    office.dispatch_manifest(OPERATOR, manifest, "SEGEL-1")
    return manifest


def results(*lines: str) -> list:  # type: ignore[type-arg]
    header = "card,outcome,recipient,relationship,verified-by,evidence,reason,proxy-nik,proxy-name,proxy-kk"
    return read_results("\n".join([header, *lines]) + "\n")


# --- regions ----------------------------------------------------------------------
def test_a_request_for_a_village_that_does_not_exist_is_refused(office: Office) -> None:
    with pytest.raises(errors.UnknownVillage, match="35.17.09.2999"):
        office.request_card(OPERATOR, nik=make_nik(), name="Warga", kk=kk_for(make_nik()),
                            village="35.17.09.2999")
    assert stored(office) == 0


def test_a_nik_region_missing_from_todays_list_is_a_warning(office: Office) -> None:
    nik = make_nik(region="351798")  # no kecamatan 35.17.98 today
    view = office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village=JABON)
    assert view.status == "REQUESTED" and stored(office) == 2
    (warning,) = view.warnings
    assert "35.17.98" in warning and nik not in warning and "3517********0001" in warning
    known = make_nik(serial=2)
    assert office.request_card(OPERATOR, nik=known, name="Warga", kk=kk_for(known),
                               village=JABON).warnings == ()


def test_region_data_is_not_touched_by_commands_that_do_not_need_it(regions: FakeRegions) -> None:
    made: list[int] = []

    def make() -> FakeRegions:
        made.append(1)
        return regions

    from ektp.adapters.event_store.store import open_event_store
    from ektp.adapters.database_url import DatabaseUrl

    from testkit.staff import SignedIn, enrol

    office = enrol(Office(open_event_store(DatabaseUrl.parse("memory://")), FakeClock(),
                          OfficeConfig(), regions=make, identity=SignedIn()))
    card = printed(office, 1)
    assert made == [1]
    office.regions.lookups = 0  # type: ignore[attr-defined]
    office.card(card)
    office.dispatch(OPERATOR, card, "kurir.x")
    assert made == [1] and regions.lookups == 0
    office.close()


def test_manifests_accept_only_existing_villages_of_the_regency(office: Office) -> None:
    with pytest.raises(errors.UnknownVillage):
        opened(office, JABON, "35.17.09.2999")
    with pytest.raises(VillageOutsideRegency):
        opened(office, "35.78.01.1001")
    with pytest.raises(errors.InvalidText, match="2017-11-14"):
        office.open_manifest(OPERATOR, courier="k", date="14/11/2017", villages=[JABON])
    assert stored(office) == 0


# --- manifests and the card commands --------------------------------------------
def test_assigning_is_all_or_none(office: Office) -> None:
    jabon, ngudirejo = printed(office, 1), printed(office, 2, NGUDIREJO, "351708")
    manifest = opened(office, JABON)
    before = stored(office)
    with pytest.raises(errors.VillageNotOnManifest, match="Ngudirejo|35.17.08.2014"):
        office.assign_cards(OPERATOR, manifest, [jabon, ngudirejo])
    assert stored(office) == before and office.card(jabon).manifest_id is None


def test_all_ready_takes_the_printed_cards_of_its_villages_not_on_a_manifest(office: Office) -> None:
    a, b = printed(office, 1), printed(office, 2)
    printed(office, 3, ALANG_ALANG_CARUBAN, "351719")
    nik = make_nik(serial=9)
    office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village=JABON)
    first = opened(office)
    office.assign_cards(OPERATOR, first, [a])
    second = opened(office)
    view = office.assign_ready_cards(OPERATOR, second)
    assert [str(c.card_id) for c in view.cards] == [b]


def test_a_card_on_a_manifest_is_not_dispatched_or_handed_over_on_its_own(office: Office) -> None:
    card = printed(office, 1)
    manifest = opened(office)
    office.assign_cards(OPERATOR, manifest, [card])
    before = stored(office)
    with pytest.raises(errors.CardOnManifest, match="dispatch the manifest"):
        office.dispatch(OPERATOR, card, "kurir.x")
    office.dispatch_manifest(OPERATOR, manifest, "SEGEL-1")
    for refused in (lambda: office.hand_over(COURIER, card, verified_by="ktp"),
                    lambda: office.record_failed_attempt(COURIER, card, "not-at-home"),
                    lambda: office.return_card(OPERATOR, card, "x")):
        with pytest.raises(errors.CardOnManifest):
            refused()
    assert stored(office) == before + 2  # the manifest and the card were dispatched, nothing else


def test_dispatching_the_manifest_dispatches_its_cards_in_one_transaction(office: Office) -> None:
    cards = [printed(office, n) for n in (1, 2, 3)]
    manifest = opened(office)
    office.assign_cards(OPERATOR, manifest, cards)
    before = stored(office)
    recordings = []
    original = office.store.app.events.put  # every write of the office is one put: one transaction

    def spy(events: list[object], **kwargs: object) -> object:
        recordings.append(len(events))
        return original(events, **kwargs)  # type: ignore[arg-type]

    office.store.app.events.put = spy  # type: ignore[method-assign,assignment]
    view = office.dispatch_manifest(OPERATOR, manifest, "SEGEL-7")
    assert recordings == [4] and stored(office) == before + 4
    assert view.dispatched_count == 3 and view.seal_number == "SEGEL-7"
    for card in cards:
        shown = office.card(card)
        assert (shown.status, shown.courier, str(shown.manifest_id)) == ("DISPATCHED", COURIER.id, manifest)


def test_a_card_dispatched_alone_is_delivered_alone(office: Office) -> None:
    card = printed(office, 1)
    office.dispatch(OPERATOR, card, COURIER.id)
    with pytest.raises(errors.NotTheCardsCourier):  # another courier cannot record it
        office.hand_over(Actor("kurir.lain", Role.COURIER), card, verified_by="ktp")
    assert office.hand_over(COURIER, card, verified_by="ktp").status == "HANDED_OVER"


# --- results files --------------------------------------------------------------
def test_a_results_file_with_bad_rows_records_nothing_and_lists_every_bad_row(office: Office) -> None:
    a, b, c = (printed(office, n) for n in (1, 2, 3))
    manifest = out(office, a, b, c)
    rows = results(
        f"{a},handed-over,owner,,ktp,TTD-1,,,,",
        f"{make_nik(serial=2)},attempt-failed,,,,,not-at-home,,,",
        "3.51709E+15,handed-over,owner,,ktp,,,,,",
        "351709120385002,handed-over,owner,,ktp,,,,,",
        "3517091203850003.0,handed-over,owner,,ktp,,,,,",
        f"{c},handed-over,proxy,spouse,kk,,,{PROXY_NIK}.0,Hendra,{kk_for(PROXY_NIK)}",
        f"{c},vanished,,,,,,,,",
        f"{make_nik(serial=77)},handed-over,owner,,ktp,,,,,",
    )
    before = stored(office)
    with pytest.raises(errors.InvalidResultsFile) as refused:
        office.record_results(COURIER, manifest, rows)
    assert stored(office) == before
    details = refused.value.details
    assert [d.split(":")[0] for d in details] == [f"line {n}" for n in (4, 5, 6, 7, 8, 9)]
    assert "E-notation" in details[0] and "fewer than 16 digits" in details[1]
    assert ".0" in details[2] and ".0" in details[3] and "vanished" in details[4]
    assert "not on manifest" in details[5]
    assert not any(make_nik(serial=n) in d for d in details for n in (2, 3, 77))
    assert PROXY_NIK not in " ".join(details)
    assert "6 of 8 rows" in str(refused.value)


def test_partial_records_the_good_rows_and_the_same_file_twice_records_nothing_new(office: Office) -> None:
    a, b = printed(office, 1), printed(office, 2)
    manifest = out(office, a, b)
    rows = results(f"{a},attempt-failed,,,,,not-at-home,,,",
                   f"{a},attempt-failed,,,,,not-at-home,,,",
                   f"{b},handed-over,owner,,,TTD-2,,,,")  # verified-by missing
    first = office.record_results(COURIER, manifest, rows, partial=True)
    assert (first.recorded, first.already_recorded) == (2, 0)
    assert first.skipped == ("line 4: the verified-by column is not valid: it is empty.",)
    assert office.card(a).attempts == 2
    before = stored(office)
    again = office.record_results(COURIER, manifest, rows, partial=True)
    assert (again.recorded, again.already_recorded) == (0, 2) and stored(office) == before
    fixed = results(f"{a},attempt-failed,,,,,not-at-home,,,",
                    f"{a},attempt-failed,,,,,not-at-home,,,",
                    f"{b},handed-over,owner,,ktp,TTD-2,,,,")
    done = office.record_results(COURIER, manifest, fixed)
    assert (done.recorded, done.already_recorded) == (1, 2)
    assert office.card(b).status == "HANDED_OVER" and office.card(a).attempts == 2


def test_a_proxy_row_and_a_hand_over_that_frees_the_nik(office: Office) -> None:
    card = printed(office, 1)
    manifest = out(office, card)
    owner_kk = office.card(card, OPERATOR, full=True).kk  # a full KK needs a clerk who may see it
    office.record_results(COURIER, manifest, results(
        f"{make_nik(serial=1)},handed-over,proxy,spouse,kk,TTD-9,,{PROXY_NIK},Hendra,{owner_kk}"))
    assert office.card(card).recipient == "proxy"
    # The NIK's request is closed (a new one may follow); the NIK still finds the card.
    assert office.card(make_nik(serial=1)).status == "HANDED_OVER"
    again = office.request_card(OPERATOR, nik=make_nik(serial=1), name="Warga Uji",
                                kk=kk_for(make_nik(serial=1)), village=JABON)
    assert office.card(make_nik(serial=1)).id == again.id


def test_only_the_manifests_courier_records_on_it(office: Office) -> None:
    card = printed(office, 1)
    manifest = out(office, card)
    with pytest.raises(errors.InvalidResultsFile) as refused:
        office.record_results(Actor("kurir.lain", Role.COURIER), manifest,
                              results(f"{card},handed-over,owner,,ktp,,,,,"))
    assert "belongs to courier" in refused.value.details[0]


def test_the_check_in_is_by_another_officer_and_closes_the_round(office: Office) -> None:
    a, b = printed(office, 1), printed(office, 2)
    manifest = out(office, a, b)
    office.record_results(COURIER, manifest, results(f"{a},handed-over,owner,,ktp,,,,,",
                                                     f"{b},returned,,,,,road flooded,,,"))
    # The courier is an officer too: still not the one who checks their own round in.
    office.staff.grant(HEAD, COURIER.id, Role.OPERATOR)
    with pytest.raises(errors.CourierChecksInOwnReturn):
        office.check_in_manifest(Actor(COURIER.id, Role.OPERATOR), manifest, seal_intact=True)
    with pytest.raises(errors.ManifestNotSettled):
        office.close_manifest(OPERATOR, manifest, "BAST/1")
    view = office.check_in_manifest(OTHER_OPERATOR, manifest, seal_intact=False, note="tape torn")
    assert (view.checked_in, view.seal_intact, view.returned_by) == (1, False, OTHER_OPERATOR.id)
    assert office.card(b).status == "RETURNED" and office.card(b).manifest_id is None
    history = office.card_history(b)
    assert history[-1].actor_id == OTHER_OPERATOR.id and "road flooded" in history[-1].summary
    assert office.close_manifest(OPERATOR, manifest, "BAST/1").status == "CLOSED"


def test_the_attempt_cap_applies_across_manifests() -> None:
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions(),
                     config=OfficeConfig(attempt_cap=2)) as office:
        card = printed(office, 1)
        for _ in range(2):
            manifest = out(office, card)
            office.record_results(COURIER, manifest, results(f"{card},attempt-failed,,,,,moved,,,"))
            office.check_in_manifest(OTHER_OPERATOR, manifest, seal_intact=True)
            office.close_manifest(OPERATOR, manifest, "BAST/1")
        with pytest.raises(errors.AttemptCapReached):
            office.assign_cards(OPERATOR, opened(office), [card])
        assert office.hand_over(OPERATOR, card, verified_by="ktp", place="office").status == "HANDED_OVER"


def test_over_the_cap_on_the_round_the_card_must_come_back() -> None:
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions(),
                     config=OfficeConfig(attempt_cap=1)) as office:
        card = printed(office, 1)
        manifest = out(office, card)
        office.record_results(COURIER, manifest, results(f"{card},attempt-failed,,,,,not-at-home,,,"))
        with pytest.raises(errors.InvalidResultsFile) as refused:
            office.record_results(COURIER, manifest, results(
                f"{card},attempt-failed,,,,,not-at-home,,,",
                f"{card},handed-over,owner,,ktp,X-1,,,,"))
        assert "limit is 1" in refused.value.details[0]


# --- across processes -------------------------------------------------------------
def test_a_stale_cache_cannot_put_a_card_on_a_second_manifest(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'two.db'}"
    regions = FakeRegions()
    with staffed_office(url, regions=regions) as first, staffed_office(url, regions=regions) as second:
        card = printed(first, 1)
        m1, m2 = opened(first), opened(second)
        second.card(card)  # `second` reads the card once...
        second.store.load(UUID(card), project_card)  # ...and caches it, on no manifest
        first.assign_cards(OPERATOR, m1, [card])
        # Decided on the stale cache this would succeed; the store refuses the write on
        # the card's stream, and the retry on fresh state refuses the assignment.
        with pytest.raises(errors.CardOnAnotherManifest, match=m1):
            second.assign_cards(OPERATOR, m2, [card])
        assert second.manifest(m2).cards == () and str(second.card(card).manifest_id) == m1


def test_a_sheet_given_its_reader_logs_every_resident_on_it_first(office: Office) -> None:
    cards = [printed(office, 1), printed(office, 2)]
    manifest = out(office, *cards)
    before = office.last_position()
    with pytest.raises(errors.PurposeRequired):  # a sheet of many people needs a purpose
        office.manifests.manifest_sheet(manifest, OPERATOR)
    assert office.last_position() == before
    sheet = office.manifests.manifest_sheet(manifest, OPERATOR, purpose="delivery round")
    assert len(sheet.rows) == 2 and office.last_position() == before + 1
    (entry,) = office.access_log.entries(HEAD)
    assert (entry.staff, entry.what, entry.purpose) == (OPERATOR.id, "manifest sheet", "delivery round")
    assert len(entry.subjects) == 2 and all("~" in s and "*" in s for s in entry.subjects)
    one = office.access_log.query(subject=make_nik(serial=2))
    assert office.access_log.entries(HEAD, one) == (entry,)
