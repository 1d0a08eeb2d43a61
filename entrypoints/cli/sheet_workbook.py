"""The courier's sheet as an XLSX workbook: the CSV sheet's rows, every cell stored as
text (a NIK, KK, serial or card id typed in keeps every digit), dropdowns for the
outcome, recipient, relationship, verified-by, reason and place columns, the header
frozen, printable on A4 (landscape, fitted to the page's width, header on every page).
The filled-in workbook is what ``ektp manifest record --file`` reads back."""

from __future__ import annotations

from ektp.adapters.spreadsheet.xlsx_writer import Column, Workbook, write_workbook
from ektp.application.kernel.i18n import _
from ektp.application.manifest.views import Sheet, SheetRow
from ektp.domain.phone import group_phone
from ektp.entrypoints.cli.sheet_labels import (
    LISTS_TITLE,
    SHEET_TITLE,
    choice_labels,
    footer,
    heading,
    xlsx_columns,
)


def _cells(r: SheetRow) -> dict[str, str]:
    return {"no": str(r.number), "card": str(r.card_id), "code": r.short_code,
            "kecamatan": f"{r.kecamatan} {r.kecamatan_name}",
            "village": f"{r.village} {r.village_name}", "dusun": r.dusun or "",
            "rt": r.rt or "", "rw": r.rw or "", "nik": r.nik, "name": r.name,
            "phone": group_phone(r.phone) if r.phone else ""}


def sheet_workbook(sheet: Sheet) -> bytes:
    """The sheet as XLSX bytes, its words in the language in force."""
    labels = choice_labels()
    shown = xlsx_columns()
    columns = [Column(header=c.label, width=c.width,
                      choices=tuple(labels.get(c.code, {}).values()), strict=c.strict,
                      prompt=c.prompt, printed=c.printed) for c in shown]
    rows = [[_cells(r).get(c.code, "") for c in shown] for r in sheet.rows]
    return write_workbook(Workbook(title=_(SHEET_TITLE), heading=heading(sheet), columns=columns,
                                   rows=rows, lists_title=_(LISTS_TITLE), footer=footer(sheet)))
