"""The NIK (Nomor Induk Kependudukan) and its validation rules from domain.md.

A NIK is 16 digits: province (2), regency (2), kecamatan (2), birth day
(2, plus 40 for women), birth month (2), birth year (2), serial (4). There is no
checksum. Whether the 6-digit region prefix still exists is a question for the
region directory and only ever a warning; everything else here is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property

import attrs

from ektp.domain.messages import N_
from ektp.domain.errors import InvalidKkNumber, InvalidNik
from ektp.domain.masking import mask_digits

PROVINCE_CODES = frozenset(
    [*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66),
     *range(71, 77), 81, 82, *range(91, 97)]
)
# Patterns kept as text: `re` compiles each on first use (and caches it), not when
# this module is imported (every command imports it; most never use them).
_SEPARATORS = "[ \u00a0\u202f.\\-]"  # no-break spaces: spreadsheets group digits with them
_DIGITS16 = r"[0-9]{16}"
# Digit groups with spaces, dots or hyphens between them: what people type. A sign in
# front, a tab or a letter inside is something else (a spreadsheet's or a paste's).
_TYPED_NUMBER = "[0-9]+(?:[ \u00a0\u202f.\\-]+[0-9]+)*"


def strip_separators(text: str) -> str:
    """The digits of a number as people type it (digit groups with spaces, dots or
    hyphens between them; whitespace around it ignored). Any other text is returned
    trimmed but otherwise as it is, so that no 16-digit check accepts it."""
    raw = text.strip()
    if re.fullmatch(_TYPED_NUMBER, raw):
        return re.sub(_SEPARATORS, "", raw)
    return raw


def _typed_reason(text: str, digits: str, what: str) -> str:
    """Why `text` is not 16 digits: a stray character, or the wrong count."""
    if not re.fullmatch(_TYPED_NUMBER, text.strip()):
        return N_("{what} may hold only digits, with spaces, dots or hyphens between them "
                  "(no sign, tab or letter)", what=what)
    return N_("it must be exactly 16 digits (got {count} characters)", count=len(digits))


def birth_year(two_digits: int, month: int, day: int, today: dt.date) -> int:
    """20YY unless that birth date would be after `today`, else 19YY."""
    year = 2000 + two_digits
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year


@attrs.frozen
class Nik:
    """A NIK that passed every format rule; build it with `Nik.parse`."""

    value: str

    @classmethod
    def parse(cls, text: str, today: dt.date) -> Nik:
        """Validate `text` as a NIK as of `today`; raise `InvalidNik` naming the broken rule."""
        digits = strip_separators(text)
        masked = mask_digits(digits)

        def refuse(reason: str) -> InvalidNik:
            return InvalidNik(masked=masked, reason=reason)

        if not (digits.isascii() and re.fullmatch(_DIGITS16, digits)):
            raise refuse(_typed_reason(text, digits, N_("a NIK")))
        if int(digits[0:2]) not in PROVINCE_CODES:
            raise refuse(N_("{code} is not a province code", code=digits[0:2]))
        if digits[2:4] == "00":
            raise refuse(N_("the regency digits (3-4) are 00"))
        if digits[4:6] == "00":
            raise refuse(N_("the kecamatan digits (5-6) are 00"))
        day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
        if day > 40:
            day -= 40
        if not 1 <= day <= 31:
            raise refuse(N_("the birth-day digits (7-8) must be 01-31, or 41-71 for women"))
        if not 1 <= month <= 12:
            raise refuse(N_("the birth-month digits (9-10) must be 01-12"))
        year = birth_year(yy, month, day, today)
        try:
            dt.date(year, month, day)
        except ValueError:
            # The date itself is not shown: with it, only two digits of the NIK stay hidden.
            raise refuse(N_("its birth date (digits 7-12) does not exist")) from None
        if digits[12:16] == "0000":
            raise refuse(N_("the serial digits (13-16) are 0000"))
        return cls(digits)

    @cached_property
    def masked(self) -> str:
        """The NIK for display where the full number is not needed."""
        return mask_digits(self.value)

    @property
    def region_prefix(self) -> str:
        """The kecamatan code the NIK was issued under, e.g. ``35.17.08``."""
        v = self.value
        return f"{v[0:2]}.{v[2:4]}.{v[4:6]}"

    @property
    def is_female(self) -> bool:
        """Women's NIKs carry the birth day plus 40."""
        return int(self.value[6:8]) > 40

    def birth_date(self, today: dt.date) -> dt.date:
        """The birth date the NIK encodes, with the century read as of `today`."""
        v = self.value
        month = int(v[8:10])
        day = int(v[6:8]) - 40 if self.is_female else int(v[6:8])
        return dt.date(birth_year(int(v[10:12]), month, day, today), month, day)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Nik({self.masked!r})"


@attrs.frozen
class KkNumber:
    """A family card (Kartu Keluarga) number: 16 digits, first two a province."""

    value: str

    @classmethod
    def parse(cls, text: str) -> KkNumber:
        """Validate `text` as a KK number; raise `InvalidKkNumber` if it is not one."""
        digits = strip_separators(text)
        masked = mask_digits(digits)
        if not (digits.isascii() and re.fullmatch(_DIGITS16, digits)):
            raise InvalidKkNumber(masked=masked, reason=_typed_reason(text, digits, N_("a KK number")))
        if int(digits[0:2]) not in PROVINCE_CODES:
            raise InvalidKkNumber(masked=masked, reason=N_("{code} is not a province code", code=digits[0:2]))
        return cls(digits)

    @property
    def regency(self) -> str:
        """The regency that issued the family card, e.g. ``35.17``."""
        return f"{self.value[0:2]}.{self.value[2:4]}"

    @property
    def masked(self) -> str:
        """The KK number for display."""
        return mask_digits(self.value)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"KkNumber({self.masked!r})"
