"""Reading a courier's results file: one row per card outcome, every cell as text.

Columns (header names ignore case, spaces and underscores): ``card`` (card id or
NIK), ``outcome`` (handed-over, attempt-failed, returned), ``recipient`` (owner,
proxy), ``relationship``, ``verified-by``, ``evidence``, ``reason``, and for a
proxy ``proxy-nik``, ``proxy-name``, ``proxy-kk``; optionally ``place`` and
``old-card``. Other columns (those of ``ektp manifest sheet --format csv``) are
ignored, so the filled-in sheet itself can be recorded.

A NIK is read as text and never repaired: a spreadsheet that stored it as a
number shows it in E-notation, with a trailing ``.0``, or with digits lost, and
such a row is refused rather than guessed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

import attrs

from ektp.domain.errors import InvalidText, MangledNumber
from ektp.domain.masking import mask_digits

REQUIRED = ("card", "outcome")
_E_NOTATION = re.compile(r"[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")
_DECIMAL = re.compile(r"[0-9]+[.,]0+")


@attrs.frozen
class ResultRow:
    """One data row of the file: its line number and its cells by column name."""

    line: int
    cells: Mapping[str, str]

    def get(self, column: str) -> str | None:
        """The cell's text, stripped; None when empty or absent."""
        value = self.cells.get(column, "").strip()
        return value or None


def _column(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").split())


def read_results(text: str) -> list[ResultRow]:
    """The rows of a results CSV (comma or semicolon separated); raise on a bad header."""
    text = text.lstrip("\ufeff")
    try:
        delimiter = csv.Sniffer().sniff(text.partition("\n")[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is sniffed; quoting is a spreadsheet's (excel's): a header
    # without quotes says nothing about how quotes are escaped. Strict: an unclosed
    # quote, or text after a closing one, is a broken file, not a field that runs on.
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter, strict=True)
    try:
        first = next(reader, None)
        if first is None:
            raise InvalidText(field="the results file", reason="it is empty")
        header = [_column(h) for h in first]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InvalidText(field="the results file's header",
                              reason=f"it lacks the column(s) {', '.join(missing)}")
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            rows.append(ResultRow(reader.line_num, dict(zip(header, cells, strict=False))))
    except csv.Error as broken:  # e.g. a field larger than the csv module allows
        raise InvalidText(field="the results file",
                          reason=f"line {reader.line_num} cannot be read as CSV ({broken})") from None
    return refuse_empty(rows)


def refuse_empty(rows: list[ResultRow]) -> list[ResultRow]:
    """`rows`, unless there are none: a file with a header only is not a courier's results
    (the one rule every reader of a results file applies after the header)."""
    if not rows:
        raise InvalidText(field="the results file", reason="it has no rows below its header")
    return rows


def number_text(value: str, field: str) -> str:
    """A NIK or KK number typed as text, or `MangledNumber` if a spreadsheet changed it."""
    raw = value.strip()
    if _E_NOTATION.fullmatch(raw):
        raise MangledNumber(field=field, shown="", how="E-notation")
    if _DECIMAL.fullmatch(raw):
        raise MangledNumber(field=field, shown=" " + mask_digits(raw.split(".")[0].split(",")[0]),
                            how="a trailing .0")
    digits = re.sub(r"[\s.\-]", "", raw)
    if digits.isdigit() and len(digits) < 16:
        raise MangledNumber(field=field, shown=f" ({len(digits)} digits)",
                            how="fewer than 16 digits")
    return raw
