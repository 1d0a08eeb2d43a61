"""The edges an administrator and a new user met (issue 16): a manifest's id given as
a card, strict CSV, bounded counts, strict NIK and KK text, a KK of another regency."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.people import JABON, OPERATOR, TODAY, kk_for, make_nik, niks
from testkit.stock import ensure_stock

from ektp.application.blank_stock.commands import MAX_COUNT
from ektp.application.manifest.results_file import read_results
from ektp.application.office import Office
from ektp.domain import errors
from ektp.domain.nik import KkNumber, Nik, strip_separators
from ektp.entrypoints.composition import open_office


@pytest.fixture
def office() -> Iterator[Office]:
    with open_office("memory://", clock=FakeClock(), regions=FakeRegions()) as office:
        yield office


def test_a_manifests_own_id_given_as_a_card_is_not_a_card(office: Office) -> None:
    manifest = office.open_manifest(OPERATOR, courier="kurir.a", date="2017-11-14", villages=[JABON])
    with pytest.raises(errors.CardNotFound):
        office.assign_cards(OPERATOR, manifest.id, [manifest.id])
    with pytest.raises(errors.CardNotFound):
        office.remove_cards(OPERATOR, manifest.id, [manifest.id])
    after = office.manifest(manifest.id)
    assert after.cards == () and after.version == manifest.version  # nothing was written


@pytest.mark.parametrize("text, reason", [
    ('card,outcome\n"3517091203850001,handed-over\n', "cannot be read as CSV"),  # an unclosed quote
    ('card,outcome\n"3517"09,handed-over\n', "cannot be read as CSV"),  # text after a closing quote
    ("card,outcome\n", "no rows below its header"),
    ("card;outcome\r\n\r\n;\r\n", "no rows below its header"),
    ("", "it is empty"),
    ("\ufeff", "it is empty"),
])
def test_a_broken_or_empty_results_file_is_refused(text: str, reason: str) -> None:
    with pytest.raises(errors.InvalidText) as refused:
        read_results(text)
    assert reason in refused.value.message


def test_a_quoted_field_may_hold_commas_and_newlines() -> None:
    rows = read_results('card,outcome,reason\n3517091203850001,attempt-failed,"gone, to\nSurabaya"\n')
    assert rows[0].get("reason") == "gone, to\nSurabaya"


def test_a_count_is_bounded(office: Office) -> None:
    ensure_stock(office)
    office.count_blanks(OPERATOR, MAX_COUNT)  # the bound itself is a count
    for figure in (MAX_COUNT + 1, 10 ** 39, -1):
        with pytest.raises(errors.InvalidStockCount):
            office.count_blanks(OPERATOR, figure)


@given(niks(), st.sampled_from(["-", "+", "'", "x", "#"]))
def test_a_sign_in_front_is_no_nik(text: str, sign: str) -> None:
    # (Whitespace around a NIK is no part of it: a paste brings some.)
    with pytest.raises(errors.InvalidNik) as refused:
        Nik.parse(sign + text, TODAY)
    assert text not in refused.value.message


# A no-break space is a space (spreadsheets and word processors group digits with it; it
# cannot be told from a space on screen): tests/unit/test_table_digits.py reads it back.
@given(niks(), st.sampled_from(["\t", "\n", "/", "_", "\u2013", "x"]), st.integers(1, 15))
def test_a_stray_character_inside_is_no_nik(text: str, stray: str, at: int) -> None:
    with pytest.raises(errors.InvalidNik) as refused:
        Nik.parse(text[:at] + stray + text[at:], TODAY)
    assert "only digits" in refused.value.message


@given(niks(), st.lists(st.sampled_from([" ", ".", "-", " - ", ". "]), min_size=1, max_size=3),
       st.sampled_from(["", " ", "\n", "\t "]))
def test_digit_groups_as_people_type_them_are_a_nik(text: str, separators: list[str],
                                                    around: str) -> None:
    typed = text[:4] + separators[0] + text[4:8] + separators[-1] + text[8:]
    assert Nik.parse(around + typed + around, TODAY).value == text
    assert strip_separators(typed) == text


def test_a_kk_number_follows_the_same_rules() -> None:
    for text in ("-3517090101100001", "3517090101\t100001", "+3517090101100001"):
        with pytest.raises(errors.InvalidKkNumber) as refused:
            KkNumber.parse(text)
        assert "only digits" in refused.value.message
    assert KkNumber.parse("3517-0901-0110-0001").regency == "35.17"


def test_a_kk_of_another_regency_is_a_warning(office: Office) -> None:
    nik = make_nik(serial=1)
    at_home = office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village=JABON)
    assert at_home.warnings == ()
    other = make_nik(serial=2)
    view = office.request_card(OPERATOR, nik=other, name="Warga", kk="3506090101100002", village=JABON)
    assert len(view.warnings) == 1
    assert "regency 35.06, not this office's (35.17)" in view.warnings[0]
    assert "3506090101100002" not in view.warnings[0]
    assert office.card(view.id).status == "REQUESTED"
