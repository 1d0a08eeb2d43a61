"""Reading an XLSX workbook's first visible sheet as rows of cells, each with how the
workbook stored it: a text cell as its text, a number, date or boolean cell as
`CellKind.NUMBER` (its text is only for showing: a NIK there lost its last digit)."""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from typing import Any

from ektp.application.kernel.i18n import _
from ektp.application.tables.table import MAX_ROWS, Cell, CellKind
from ektp.domain.errors import InvalidText

# A courier's sheet is a few hundred rows; these bound what a hostile file can make us do.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_PARTS = 2000
MAX_COLUMNS = 256


def workbook_grid(data: bytes, what: str) -> list[list[Cell]]:
    """The first visible worksheet's rows; refuse a file that is not a readable workbook."""
    _check_archive(data, what)
    import openpyxl  # here, not at the top: only reading a workbook pays for it

    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not keep (extensions, styles); we read values.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = next((s for s in book.worksheets
                              if getattr(s, "sheet_state", "visible") == "visible"), None)
                if sheet is None:
                    raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_("its workbook has no visible sheet"))
                return _rows(sheet, what)
            finally:
                book.close()
    except InvalidText:
        raise
    except Exception as broken:  # any parse failure of a damaged or foreign file, never a traceback
        raise InvalidText(field=_("the {what}").format(what=_(what)),
                          reason=_("it cannot be read as an XLSX workbook ({error})").format(
                              error=type(broken).__name__)) from None


def _check_archive(data: bytes, what: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_("it cannot be read as an XLSX workbook (a damaged ZIP file)")) from None
    # zipfile never inflates a part beyond its declared size, so the sum bounds the work.
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_("its workbook is far larger than a sheet"))


def _rows(sheet: Any, what: str) -> list[list[Cell]]:
    grid: list[list[Cell]] = []
    for count, row in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), start=1):
        if count > MAX_ROWS:
            raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_(
                "it has more than {n} rows; split it into several files").format(n=MAX_ROWS))
        # An empty cell has no position of its own; a filled one knows its row.
        line = next((c.row for c in row if getattr(c, "row", None)), count)
        cells = []
        for column, cell in enumerate(row, start=1):
            value = cell.value
            if value is None:
                continue
            kind = CellKind.TEXT if isinstance(value, str) else CellKind.NUMBER
            cells.append(Cell(value if isinstance(value, str) else _shown(value), kind, line, column))
        grid.append(cells)
    return grid


def _shown(value: object) -> str:
    """A number, date or boolean cell as a person sees it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return str(value)
    return str(value)
