"""Reading CSV text (comma, semicolon or tab separated) as rows of `CellKind.CSV` cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from ektp.application.kernel.i18n import _
from ektp.application.tables.table import MAX_ROWS, Cell, CellKind, Table, build_table
from ektp.domain.errors import InvalidText


def csv_grid(text: str, what: str) -> list[list[Cell]]:
    """Every record of `text` as cells; each cell's line is where its record ends."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_("it is empty"))
    try:
        delimiter = csv.Sniffer().sniff(text.partition("\n")[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is sniffed; quoting is a spreadsheet's (excel's): a header
    # without quotes says nothing about how quotes are escaped. Strict: an unclosed
    # quote, or text after a closing one, is a broken file, not a field that runs on.
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter, strict=True)
    grid: list[list[Cell]] = []
    try:
        for fields in reader:
            if len(grid) >= MAX_ROWS:  # refused before the rest is read into memory
                raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_(
                    "it has more than {n} rows; split it into several files").format(n=MAX_ROWS))
            grid.append([Cell(f, CellKind.CSV, reader.line_num, n)
                         for n, f in enumerate(fields, start=1)])
    except csv.Error as broken:  # e.g. a field larger than the csv module allows
        raise InvalidText(field=_("the {what}").format(what=_(what)),
                          reason=_("line {line} cannot be read as CSV ({broken})").format(
                              line=reader.line_num, broken=broken)) from None
    return grid


def read_csv_table(text: str, required: Sequence[str], what: str,
                   aliases: Mapping[str, str] | None = None) -> Table:
    """The table of a CSV file's text; `what` names the file in messages."""
    return build_table(csv_grid(text, what), required, what, aliases)
