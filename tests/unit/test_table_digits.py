"""The rules for NIK and KK digits in a file a spreadsheet may have touched
(`ektp.application.tables.digits`), as properties over every 16-digit string.

A spreadsheet keeps 15 significant digits, so every 16-digit number it stored ends in 0;
about one genuine NIK in ten ends in 0 too. In a CSV, bare digits ending in 0 are
refused unless the clerk checked them; grouped digits are text to any spreadsheet; a
workbook's number cell is refused; E-notation, a trailing .0 and short forms always are.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ektp.application.tables.digits import digits_cell
from ektp.application.tables.table import CellKind, TableRow
from ektp.domain.errors import MangledNumber, UncheckedDigits
from ektp.domain.nik import strip_separators

DIGITS = "0123456789"
head = st.text(DIGITS, min_size=15, max_size=15)
not_ending_in_0 = st.builds(str.__add__, head, st.sampled_from("123456789"))
ending_in_0 = st.builds(lambda h: h + "0", head)
any_16 = st.text(DIGITS, min_size=16, max_size=16)
flag = st.booleans()
# What people put between groups (a tab is refused: issue 16, tests/unit/test_edges.py).
SEPARATORS = st.sampled_from([" ", "-", ".", "\u00a0", "\u202f"])


def cell(text: str, kind: CellKind = CellKind.CSV, checked: bool = False) -> str:
    return digits_cell(TableRow(2, {"proxy-nik": text}, kinds={"proxy-nik": kind}),
                       "proxy-nik", "proxy NIK", digits_checked=checked)


@given(not_ending_in_0, st.sampled_from([CellKind.TEXT, CellKind.CSV]), flag)
def test_every_16_digits_not_ending_in_0_pass(digits: str, kind: CellKind, checked: bool) -> None:
    assert cell(digits, kind, checked) == digits


@given(ending_in_0)
def test_every_16_digits_ending_in_0_are_refused_in_a_csv_unless_checked(digits: str) -> None:
    with pytest.raises(UncheckedDigits) as refused:
        cell(digits)
    assert isinstance(refused.value, MangledNumber)  # the spreadsheet hint
    assert digits not in str(refused.value) and "spreadsheet" in str(refused.value)
    assert cell(digits, checked=True) == digits
    assert cell(digits, CellKind.TEXT) == digits  # a workbook's text cell was typed as text


@given(any_16, st.lists(SEPARATORS, min_size=3, max_size=3))
def test_four_groups_read_back_to_exactly_the_digits(digits: str, gaps: list[str]) -> None:
    grouped = digits[:4] + gaps[0] + digits[4:8] + gaps[1] + digits[8:12] + gaps[2] + digits[12:]
    assert strip_separators(cell(grouped)) == digits
    assert strip_separators(cell(f"  {grouped} ")) == digits


@given(st.integers(10**15, 10**16 - 1))
def test_what_a_spreadsheet_does_to_any_16_digit_number_is_refused(number: int) -> None:
    stored = str(int(float(f"{number:.14e}")))  # 15 significant digits, as a spreadsheet keeps
    if len(stored) == 16:  # 9999999999999999 rounds up to 17 digits, which no NIK parse takes
        assert stored.endswith("0")
        with pytest.raises(MangledNumber):
            cell(stored)
    for form in (f"{number:.5E}", f"{number:.5e}",  # 3.51708E+15, as a narrow column shows it f"{number:.14E}", f"{number}.0", f"{number // 10}.0", f"{number}.00",
                 f"{number},0", str(number // 10), str(number // 1000)):
        for kind in (CellKind.CSV, CellKind.TEXT):
            for checked in (False, True):
                with pytest.raises(MangledNumber):
                    cell(form, kind, checked)


@given(st.text(DIGITS, min_size=1, max_size=15), SEPARATORS, flag)
def test_fewer_digits_are_always_refused(digits: str, gap: str, checked: bool) -> None:
    for form in (digits, gap.join(digits[i:i + 4] for i in range(0, len(digits), 4))):
        with pytest.raises(MangledNumber):  # "0000.0" is refused as a trailing .0, also right
            cell(form, CellKind.CSV, checked)


@given(st.one_of(any_16, st.text(min_size=1)).filter(str.strip), flag)
def test_a_workbook_number_cell_is_always_refused(text: str, checked: bool) -> None:
    with pytest.raises(MangledNumber, match="a number cell"):
        cell(text, CellKind.NUMBER, checked)


def test_thousands_separators_do_not_pass_for_groups() -> None:
    # 3.517.081.203.851.230: a number shown with thousands separators (Indonesian style).
    with pytest.raises(UncheckedDigits):
        cell("3.517.081.203.851.230")
    assert cell("3.517.081.203.851.230", checked=True) == "3.517.081.203.851.230"


def test_a_nik_in_four_groups_is_masked_in_any_message() -> None:
    from ektp.domain.card.vocabulary import Relationship
    from ektp.domain.choice import parse_choice
    from ektp.domain.errors import InvalidChoice

    with pytest.raises(InvalidChoice) as refused:  # a NIK typed one column too far right
        parse_choice(Relationship, "3517 0812 0385 1234", "relationship")
    assert "0812" not in str(refused.value) and "3517********1234" in str(refused.value)
