"""Writing a one-table workbook people fill in: title lines, a frozen header row, columns
stored as text (number format ``@``, so 16 typed digits stay 16 digits), dropdown lists
kept on a hidden sheet, and a page setup that prints on A4, fitted to the page's width
with the header repeated on every page.

The layout (`Workbook`) says what to write in people's words; this module knows only
how a workbook says it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

TEXT = "@"  # the number format that makes a spreadsheet keep what is typed as text
_HEADER_FILL = "E6E6E6"


@attrs.frozen
class Column:
    """One column: its header, width (in characters) and what a person may type in it."""

    header: str
    width: float = 12
    choices: Sequence[str] = ()  # a dropdown list
    strict: bool = True  # only the list's values (False: the list only suggests)
    prompt: str | None = None  # shown beside the cell when it is selected
    printed: bool = True  # unprinted columns must come last


@attrs.frozen
class Workbook:
    """A worksheet of `rows` under `heading` lines and a header row of `columns`."""

    title: str  # the worksheet's name (31 characters at most)
    heading: Sequence[str]
    columns: Sequence[Column]
    rows: Sequence[Sequence[str]]
    lists_title: str  # the hidden worksheet that holds the dropdown lists
    footer: str | None = None  # printed at the foot of every page
    landscape: bool = True
    row_height: float = 24  # points: room to write by hand on the printed page


def write_workbook(book: Workbook) -> bytes:
    """The workbook as XLSX bytes."""
    from openpyxl import Workbook as Book
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    printed = [c.printed for c in book.columns]
    if printed != sorted(printed, reverse=True):
        raise ValueError("unprinted columns must come after the printed ones")
    wb = Book()
    ws = wb.worksheets[0]
    ws.title = book.title[:31]
    for n, line in enumerate(book.heading, start=1):
        _text(ws, n, 1, line).font = Font(bold=n == 1, size=13 if n == 1 else 10)
    header_row = len(book.heading) + 2 if book.heading else 1
    first, last = header_row + 1, header_row + max(len(book.rows), 1)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=_HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    lists = wb.create_sheet(book.lists_title[:31])
    lists.sheet_state = "hidden"
    for col, column in enumerate(book.columns, start=1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = column.width
        head = _text(ws, header_row, col, column.header)
        head.font, head.fill, head.alignment = bold, fill, wrap
        for row in range(first, last + 1):
            # Every cell, filled or blank, is text: what a person types stays as typed.
            ws.cell(row, col).number_format = TEXT
        if column.choices or column.prompt:
            ws.add_data_validation(_validation(lists, col, column, f"{letter}{first}:{letter}{last}"))
    for row, values in enumerate(book.rows, start=first):
        ws.row_dimensions[row].height = book.row_height
        for col, value in enumerate(values, start=1):
            if value:
                _text(ws, row, col, str(value))
    ws.freeze_panes = f"A{first}"
    _page_setup(ws, book, header_row, f"A1:{get_column_letter(sum(printed))}{last}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(ws: Worksheet, row: int, col: int, value: str) -> Cell | MergedCell:
    """A text cell, never a number and never a formula (openpyxl takes a str starting with
    ``=`` for one: a name or a label must not compute anything in the clerk's spreadsheet)."""
    cell = ws.cell(row, col)
    cell.value = value
    cell.data_type = "s"
    return cell


def _validation(lists: Worksheet, col: int, column: Column, cells: str) -> DataValidation:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.choices:
        letter = get_column_letter(col)
        for n, choice in enumerate(column.choices, start=1):
            _text(lists, n, col, choice)
        # A range on the hidden sheet, not an inline list: labels may hold commas, and an
        # inline list is cut at 255 characters.
        source = f"'{lists.title}'!${letter}$1:${letter}${len(column.choices)}"
        rule = DataValidation(type="list", formula1=source, allow_blank=True,
                              showErrorMessage=column.strict, errorStyle="stop")
    else:
        rule = DataValidation(allow_blank=True)
    if column.prompt:
        rule.prompt, rule.showInputMessage = column.prompt, True
        rule.promptTitle = column.header[:32]
    rule.add(cells)
    return rule


def _page_setup(ws: Worksheet, book: Workbook, header_row: int, area: str) -> None:
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if book.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = area
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    footer = ws.oddFooter
    if book.footer and footer is not None:
        footer.left.text = book.footer
        footer.right.text = "&P / &N"
