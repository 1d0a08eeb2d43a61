"""A table as a person's file gives it: a header row naming the columns, then data rows
of text cells, each with its line (the file's line, or the spreadsheet's row number),
its column and how the file stored it (`CellKind`)."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence

import attrs

from ektp.application.kernel.i18n import _
from ektp.domain.errors import InvalidText

# A header is looked for in the first rows only: a sheet may have a few title lines above it.
HEADER_SEARCH_ROWS = 20
# The most rows a file handed in may have (a courier's sheet has a few hundred); reading
# stops and refuses at the next one, so a runaway file is never held whole as cells.
MAX_ROWS = 100_000
# The most bytes such a file may have; larger ones are refused before they are read.
MAX_FILE_BYTES = 50 * 1024 * 1024
_HINT = re.compile(r"\(.*\)")


class CellKind(enum.Enum):
    """How a cell's text reached us, which decides how far its digits can be trusted."""

    TEXT = "text"  # text as typed: a workbook's text cell, or a value a program gave
    NUMBER = "number"  # a workbook cell holding a number, date or boolean, shown as text
    CSV = "csv"  # a field of a CSV file: text, but a spreadsheet may have made it from a number


@attrs.frozen
class Cell:
    """One cell of a file: its text, how it was stored, and where it is (1-based)."""

    text: str
    kind: CellKind
    line: int
    column: int


@attrs.frozen
class TableRow:
    """One data row: its line and its cells' text by column name.

    `kinds` says how each cell was stored (a column absent from it is `TEXT`, as for a
    row a program builds); `columns` gives each column's position in the file.
    """

    line: int
    cells: Mapping[str, str]
    kinds: Mapping[str, CellKind] = attrs.field(factory=dict, kw_only=True)
    columns: Mapping[str, int] = attrs.field(factory=dict, kw_only=True)

    def get(self, column: str) -> str | None:
        """The cell's text, stripped (and without the apostrophe ektp's CSV puts before a
        cell starting with = + - @, so a sheet it printed reads back as it was); None when
        empty or absent."""
        value = self.cells.get(column, "").strip()
        if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@"):
            value = value[1:]
        return value or None

    def kind(self, column: str) -> CellKind:
        """How the file stored this column's cell."""
        return self.kinds.get(column, CellKind.TEXT)

    def cell(self, column: str) -> Cell | None:
        """The cell with its position; None when the row has no such column."""
        if column not in self.cells:
            return None
        return Cell(self.cells[column], self.kind(column), self.line, self.columns.get(column, 0))


@attrs.frozen
class Table:
    """The header's column names (in file order) and the data rows below it."""

    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]


def column_key(name: str) -> str:
    """A header cell as a column name: case, spaces and underscores ignored, and a hint in
    parentheses dropped (``Proxy NIK (3517 0812 0385 1234)`` is ``proxy-nik``)."""
    return "-".join(_HINT.sub(" ", name).strip().lower().replace("_", " ").split())


def build_table(grid: Iterable[Sequence[Cell]], required: Sequence[str], what: str,
                aliases: Mapping[str, str] | None = None) -> Table:
    """The table in `grid` (rows of cells as the file holds them): its header is the first
    row, among the first few, that names every `required` column; rows with no text are
    left out. `aliases` maps other header names (a translated label) to column names."""
    names = {column_key(k): v for k, v in (aliases or {}).items()}
    header: dict[int, str] | None = None
    positions: dict[str, int] = {}
    rows: list[TableRow] = []
    first: set[str] | None = None
    seen = 0
    for cells in grid:
        if header is None:
            if not any(c.text.strip() for c in cells):
                continue
            seen += 1
            found = {c.column: names.get(column_key(c.text), column_key(c.text)) for c in cells}
            first = set(found.values()) if first is None else first
            if all(name in found.values() for name in required):
                header = {col: name for col, name in found.items() if name}
                positions = _positions(header, what)
            elif seen >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(c.text.strip() for c in cells):
            continue
        row: dict[str, str] = {}
        kinds: dict[str, CellKind] = {}
        for c in cells:
            name = header.get(c.column)
            if name is not None:
                row[name], kinds[name] = c.text, c.kind
        line = cells[0].line if cells else 0
        rows.append(TableRow(line, row, kinds=kinds, columns=positions))
    if header is None:
        missing = [name for name in required if name not in (first or set())]
        raise InvalidText(field=_("the {what}'s header").format(what=_(what)),
                          reason=_("it lacks the column(s) {columns}").format(columns=", ".join(missing)))
    if not rows:  # a header alone is no one's results (or requests): refused by every reader
        raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_("it has no rows below its header"))
    return Table(tuple(dict.fromkeys(header.values())), tuple(rows))


def _positions(header: Mapping[int, str], what: str) -> dict[str, int]:
    positions: dict[str, int] = {}
    for column, name in header.items():
        if name in positions:  # which of the two holds the value would be a guess
            raise InvalidText(field=_("the {what}'s header").format(what=_(what)),
                              reason=_("it names the column {name} twice (columns {first} and {second})").format(
                                  name=name, first=positions[name], second=column))
        positions[name] = column
    return positions
