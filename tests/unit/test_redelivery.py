"""Re-delivery (issue 15): ``manifest assign --all-ready`` also takes the RETURNED cards of
its villages while the attempt cap allows, and ``manifest show`` names each card's person
(masked NIK, initials) and village."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit.staff import staffed_office
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.people import COURIER, JABON, NGUDIREJO, OPERATOR, OTHER_OPERATOR, kk_for, make_nik
from testkit.stock import ensure_stock

from ektp.application.manifest.results_file import read_results
from ektp.application.office import Office

CAP = 3  # the default attempt cap


def new_office() -> Office:
    return staffed_office("memory://", clock=FakeClock(), regions=FakeRegions())


@pytest.fixture
def office() -> Iterator[Office]:
    with new_office() as office:
        yield office


def printed(office: Office, serial: int, village: str = JABON, name: str = "Warga Uji") -> str:
    region = "351709" if village == JABON else "351708"
    nik = make_nik(region=region, serial=serial)
    card = str(office.request_card(OPERATOR, nik=nik, name=name, kk=kk_for(nik),
                                   village=village, rt=str(serial), rw="1").id)
    office.confirm_print_readiness(OPERATOR, card)
    ensure_stock(office)
    office.allocate_blank(OPERATOR, card, f"35171700{serial:02d}")
    office.record_printed(OPERATOR, card)
    return card


def a_round(office: Office, card: str, village: str, outcome: str) -> str:
    """One manifest with `card` alone: dispatched, the courier's `outcome`, checked in."""
    manifest = str(office.open_manifest(OPERATOR, courier=COURIER.id, date="2026-11-03",
                                        villages=[village]).id)
    office.assign_cards(OPERATOR, manifest, [card])
    office.dispatch_manifest(OPERATOR, manifest, "SEGEL-1")
    row = {"failed": f"{card},attempt-failed,,,not-at-home",
           "returned": f"{card},returned,,,moved away"}[outcome]
    office.record_results(OPERATOR, manifest, read_results(
        f"card,outcome,recipient,verified-by,reason\n{row}\n"))
    office.check_in_manifest(OTHER_OPERATOR, manifest, seal_intact=True)
    return manifest


def returned(office: Office, serial: int, failed: int, village: str = JABON) -> str:
    """A RETURNED card with `failed` failed attempts (0: back once without an attempt)."""
    card = printed(office, serial, village)
    for _ in range(failed):
        a_round(office, card, village, "failed")
    if not failed:
        a_round(office, card, village, "returned")
    assert office.card(card).status == "RETURNED"
    return card


def test_all_ready_takes_returned_cards_under_the_cap_and_leaves_those_at_it(office: Office) -> None:
    fresh = printed(office, 1)
    once, twice = returned(office, 2, failed=1), returned(office, 3, failed=0)
    at_cap = returned(office, 4, failed=CAP)
    elsewhere = returned(office, 5, failed=1, village=NGUDIREJO)
    manifest = str(office.open_manifest(OPERATOR, courier=COURIER.id, date="2026-11-04",
                                        villages=[JABON]).id)
    view = office.assign_ready_cards(OPERATOR, manifest)
    taken = [str(c.card_id) for c in view.cards]
    assert taken[0] == fresh and sorted(taken[1:]) == sorted([once, twice])  # printed ones first
    assert office.card(at_cap).manifest_id is None and office.card(elsewhere).manifest_id is None
    # Out again: a returned card's second round is a round like the first.
    office.dispatch_manifest(OPERATOR, manifest, "SEGEL-2")
    office.record_results(OPERATOR, manifest, read_results(
        "card,outcome,recipient,verified-by,reason\n"
        f"{once},handed-over,owner,ktp,\n{twice},attempt-failed,,,not-at-home\n"))
    assert office.card(once).status == "HANDED_OVER"
    assert office.card(twice).attempts == 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards=st.lists(st.tuples(st.sampled_from([JABON, NGUDIREJO]),
                                st.sampled_from(["printed", "on-manifest", 0, 1, 2, 3])),
                      min_size=1, max_size=5))
def test_all_ready_takes_exactly_the_cards_that_may_go_out(
        cards: list[tuple[str, str | int]]) -> None:
    """Whatever the cards' histories, --all-ready takes those of its villages that are
    printed, or returned under the cap, and on no manifest; nothing else."""
    with new_office() as office:
        expected, other = [], str(office.open_manifest(
            OPERATOR, courier=COURIER.id, date="2026-11-03", villages=[JABON, NGUDIREJO]).id)
        for serial, (village, state) in enumerate(cards, start=1):
            if state == "printed" or state == "on-manifest":
                card = printed(office, serial, village)
                if state == "on-manifest":
                    office.assign_cards(OPERATOR, other, [card])
            else:
                assert isinstance(state, int)
                card = returned(office, serial, failed=state, village=village)
            if village == JABON and state != "on-manifest" and (state == "printed" or state < CAP):
                expected.append(card)
        manifest = str(office.open_manifest(OPERATOR, courier=COURIER.id, date="2026-11-04",
                                            villages=[JABON]).id)
        view = office.assign_ready_cards(OPERATOR, manifest)
        assert sorted(str(c.card_id) for c in view.cards) == sorted(expected)


def test_show_names_each_cards_person_masked(office: Office) -> None:
    card = printed(office, 1, name="Siti Nur Jannah")
    manifest = str(office.open_manifest(OPERATOR, courier=COURIER.id, date="2026-11-04",
                                        villages=[JABON]).id)
    office.assign_cards(OPERATOR, manifest, [card])
    (entry,) = office.manifests.manifest(manifest, people=True).cards
    nik = office.card(card).nik
    assert (entry.nik_masked, entry.initials) == (nik[:4] + "*" * 8 + nik[-4:], "S.N.J.")
    (bare,) = office.manifest(manifest).cards
    assert bare.nik_masked is None and bare.initials is None


def test_a_results_row_may_name_its_card_by_an_id_prefix(office: Office) -> None:
    card = printed(office, 1)
    manifest = str(office.open_manifest(OPERATOR, courier=COURIER.id, date="2026-11-04",
                                        villages=[JABON]).id)
    office.assign_cards(OPERATOR, manifest, [card])
    office.dispatch_manifest(OPERATOR, manifest, "SEGEL-1")
    header = "card,outcome,recipient,verified-by,reason\n"
    from ektp.domain import errors

    with pytest.raises(errors.InvalidResultsFile) as refused:
        office.record_results(OPERATOR, manifest, read_results(
            f"{header}ffffffff-f,handed-over,owner,ktp,\n"))
    assert "with the id prefix fffffffff is not on manifest" in refused.value.details[0]
    done = office.record_results(OPERATOR, manifest, read_results(
        f"{header}{card[:4].upper()}-{card[4:8].upper()},handed-over,owner,ktp,\n"))
    assert done.recorded == 1 and office.card(card).status == "HANDED_OVER"
