"""NIK validation (domain.md, "NIK validation"): valid ones pass, each broken field fails."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from testkit.people import TODAY, make_nik, niks

from ektp.domain.errors import InvalidKkNumber, InvalidNik
from ektp.domain.nik import PROVINCE_CODES, KkNumber, Nik


@given(niks())
def test_every_generated_nik_is_accepted_and_decodes_to_its_birth_date(text: str) -> None:
    nik = Nik.parse(text, TODAY)
    assert nik.value == text
    day = int(text[6:8])
    assert nik.is_female == (day > 40)
    birth = nik.birth_date(TODAY)
    assert (birth.day, birth.month, birth.year % 100) == (day % 40 if day > 40 else day, int(text[8:10]), int(text[10:12]))
    assert birth <= TODAY


@given(niks(), st.sampled_from([" ", ".", "-"]), st.integers(1, 15))
def test_separators_are_stripped(text: str, separator: str, at: int) -> None:
    assert Nik.parse(text[:at] + separator + text[at:], TODAY).value == text


@given(niks())
def test_masked_form_shows_only_first_and_last_four(text: str) -> None:
    nik = Nik.parse(text, TODAY)
    assert nik.masked == text[:4] + "********" + text[12:]
    assert text not in repr(nik) and text not in str(nik)


def _set(text: str, start: int, digits: str) -> str:
    return text[:start] + digits + text[start + len(digits):]


CORRUPTIONS = {
    "too short": lambda t, d: t[:-1],
    "too long": lambda t, d: t + "1",
    "a letter": lambda t, d: _set(t, d.draw(st.integers(0, 15)), "O"),
    "unicode digit": lambda t, d: _set(t, 3, "٣"),
    "unknown province": lambda t, d: _set(
        t, 0, f"{d.draw(st.sampled_from(sorted(set(range(100)) - PROVINCE_CODES))):02d}"),
    "regency 00": lambda t, d: _set(t, 2, "00"),
    "kecamatan 00": lambda t, d: _set(t, 4, "00"),
    "day out of range": lambda t, d: _set(
        t, 6, f"{d.draw(st.sampled_from([0, *range(32, 41), *range(72, 100)])):02d}"),
    "month out of range": lambda t, d: _set(
        t, 8, f"{d.draw(st.sampled_from([0, *range(13, 100)])):02d}"),
    "no such date": lambda t, d: _set(t, 6, d.draw(st.sampled_from(["3102", "3002", "7102", "3104", "7106"]))),
    "serial 0000": lambda t, d: _set(t, 12, "0000"),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
@given(data=st.data())
def test_each_single_field_corruption_is_rejected(corruption: str, data: st.DataObject) -> None:
    good = data.draw(niks())
    bad = CORRUPTIONS[corruption](good, data)
    with pytest.raises(InvalidNik) as refused:
        Nik.parse(bad, TODAY)
    assert good not in str(refused.value)
    assert bad not in str(refused.value)


def test_the_century_is_this_one_unless_that_birth_date_is_still_to_come() -> None:
    assert Nik.parse(make_nik(day=1, month=11, year=2026), TODAY).birth_date(TODAY) == dt.date(2026, 11, 1)
    assert Nik.parse(make_nik(day=3, month=11, year=1926), TODAY).birth_date(TODAY) == dt.date(1926, 11, 3)
    assert Nik.parse(make_nik(day=12, month=3, year=1985), TODAY).birth_date(TODAY) == dt.date(1985, 3, 12)


def test_29_february_is_checked_in_the_century_read() -> None:
    # 29-02-00 reads as 2000 (a leap year); 29-02-01 has no such date in 2001.
    assert Nik.parse(make_nik(day=29, month=2, year=2000), TODAY).birth_date(TODAY) == dt.date(2000, 2, 29)
    with pytest.raises(InvalidNik, match="does not exist"):
        Nik.parse(make_nik(day=29, month=2, year=2001), TODAY)


def test_the_reason_names_the_broken_rule() -> None:
    with pytest.raises(InvalidNik, match="province"):
        Nik.parse(_set(make_nik(), 0, "10"), TODAY)
    with pytest.raises(InvalidNik, match="16 digits"):
        Nik.parse("12345", TODAY)


def test_kk_number_is_sixteen_digits_with_a_province() -> None:
    assert KkNumber.parse("3517-0901-0110-0001").value == "3517090101100001"
    for bad in ("351709010110000", "1017090101100001", "35170901011000x1"):
        with pytest.raises(InvalidKkNumber):
            KkNumber.parse(bad)
