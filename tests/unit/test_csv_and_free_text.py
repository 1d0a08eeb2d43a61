"""Every CSV ektp prints neutralises cells a spreadsheet would run as formulas, and free
text never carries a NIK or KK number into the record (and so into every export)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ektp.domain.errors import InvalidText
from ektp.domain.text import holds_personal_number, parse_reference, parse_text
from ektp.entrypoints.cli.output import SafeCsvWriter, neutralise


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3",
                                  "@SUM(A1)", "\t=1", "\r=1", "=", "-", "-cmd"])
def test_formula_cells_get_an_apostrophe(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["3517170001", "-3", "-3.5", "TTD-0001", "A.F.", "", "2017-11-14", 7, -3])
def test_ordinary_cells_are_left_alone(cell: object) -> None:
    assert neutralise(cell) == cell


def _plain_number(value: str) -> bool:
    return value.startswith("-") and value[1:].replace(".", "", 1).isdigit()


@given(st.lists(st.text(st.characters(blacklist_characters="\r\n"), max_size=20), min_size=1, max_size=6))
def test_no_written_cell_starts_a_formula(cells: list[str]) -> None:
    out = io.StringIO()
    SafeCsvWriter(out).writerow(cells)
    written = next(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert len(written) == len(cells)
    for value, original in zip(written, cells, strict=True):
        assert not value.startswith(("=", "+", "@", "\t", "\r")), value
        assert not value.startswith("-") or _plain_number(value), value
        assert value in (original, "'" + original)


@pytest.mark.parametrize("text", ["3517091203850001", "NIK 3517 0912 0385 0001", "35.17.09.120385.0001",
                                  "ktp 3517-0912-0385-0001 rusak", "kk 35170901011000019"])
def test_a_sixteen_digit_number_in_free_text_is_refused(text: str) -> None:
    assert holds_personal_number(text)
    with pytest.raises(InvalidText, match="16-digit number"):
        parse_text(text, "reason")
    with pytest.raises(InvalidText):
        parse_reference(text.replace(" ", "-"), "record") if "-" not in text else parse_text(text, "x")


@pytest.mark.parametrize("text", ["TTD-0001", "blanks 3517170001-3517170005 wet", "BA/PEMUSNAHAN/01",
                                  "LP/12/XI/2017/Res.Jbg", "not at home 14.30", "3517170001"])
def test_ordinary_free_text_passes(text: str) -> None:
    assert parse_text(text, "reason") == text


def test_the_message_never_echoes_the_number() -> None:
    with pytest.raises(InvalidText) as refused:
        parse_text("nik 3517091203850001", "evidence")
    assert "3517091203850001" not in refused.value.message
