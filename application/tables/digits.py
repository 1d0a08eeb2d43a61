"""NIK and KK numbers in a file: text as typed, or refused as a spreadsheet's number
(and a phone number's cell, whose leading 0 a number cell drops: `phone_cell`).

A spreadsheet keeps 15 significant digits of a number, so a 16-digit NIK or KK that went
through a number always comes back ending in 0 (3517081203851234 becomes
3517081203851230), or in E-notation, or with a trailing ``.0``, or shorter. Such a cell
is refused, never repaired. A workbook says how it stored each cell, so its number
cells are refused and its text cells trusted. A CSV field does not say: a bare run of
16 digits ending in 0 there is refused unless the clerk checked the digits against the
person's card (about 1 genuine NIK in 10 ends in 0; every corrupted one does). Written
in four groups (``3517 0812 0385 1234``) the number is text to any spreadsheet, and
passes.
"""

from __future__ import annotations

import re

from ektp.application.kernel.i18n import _
from ektp.application.tables.table import CellKind, TableRow
from ektp.domain.errors import InvalidPhone, InvalidText, MangledNumber, UncheckedDigits
from ektp.domain.masking import mask_digits
from ektp.domain.messages import N_

_E_NOTATION = re.compile(r"[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")
_DECIMAL = re.compile(r"[0-9]+[.,]0+")
_SEPARATORS = re.compile(r"[\s.\-]")
# Four groups of four: no spreadsheet writes a number that way (thousands go in threes).
_GROUPED = re.compile("[0-9]{4}(?:[ \u00a0\u202f.\\-][0-9]{4}){3}")  # as domain.nik reads groups


def number_text(value: str, field: str) -> str:
    """A NIK or KK number typed as text, or `MangledNumber` if a spreadsheet changed it
    (E-notation, a trailing ``.0``, fewer than 16 digits)."""
    raw = value.strip()
    if _E_NOTATION.fullmatch(raw):
        raise MangledNumber(field=field, shown="", how=_("E-notation"))
    if _DECIMAL.fullmatch(raw):
        raise MangledNumber(field=field, shown=" " + mask_digits(raw.split(".")[0].split(",")[0]),
                            how=_("a trailing .0"))
    digits = _SEPARATORS.sub("", raw)
    if digits.isdigit() and len(digits) < 16:
        raise MangledNumber(field=field, shown=f" ({len(digits)} digits)",
                            how=_("fewer than 16 digits"))
    return raw


def digits_cell(row: TableRow, column: str, field: str, *, digits_checked: bool = False) -> str:
    """The text of the NIK or KK cell `column` of `row` (which must not be empty), checked
    for what a spreadsheet does to numbers; `digits_checked`: the clerk compared a CSV's
    bare digits with the person's card."""
    text = row.get(column)
    if text is None:
        raise InvalidText(field=_("the {column} column").format(column=column), reason=_("it is empty"))
    kind = row.kind(column)
    if kind is CellKind.NUMBER:
        raise MangledNumber(field=field, shown="", how=_("a number cell, not text"))
    raw = number_text(text, field)
    digits = _SEPARATORS.sub("", raw)
    if (kind is CellKind.CSV and not digits_checked and len(digits) == 16 and digits.isascii()
            and digits.isdigit()
            and digits.endswith("0") and not _GROUPED.fullmatch(raw)):
        raise UncheckedDigits(field=field, shown=mask_digits(digits))
    return raw


def phone_cell(row: TableRow, column: str) -> str | None:
    """The text of the phone cell `column` of `row` (None when empty), read as typed. A
    workbook's number cell is refused unless it starts with the country code 62: a
    number drops the leading 0 of ``0812...``, which is never repaired by guessing."""
    text = row.get(column)
    if text is None:
        return None
    if row.kind(column) is CellKind.NUMBER and not text.startswith("62"):
        raise InvalidPhone(reason=N_("the cell holds a number, which drops the leading 0: "
                                     "store the column as text"))
    return text
