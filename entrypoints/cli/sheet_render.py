"""The courier's sheet as text, CSV or A4 HTML (the workbook: `sheet_workbook`), each
with the resident's phone number when the request gave it (in groups of four digits,
which a spreadsheet keeps as text with the leading 0).

The CSV has the columns of a results file (``card``, ``outcome``, ``recipient``...)
left blank, so the courier's filled-in copy can be given to ``ektp manifest record``;
its NIK and KK headers ask for four groups of digits, which a spreadsheet keeps as text.
The words people read come from `sheet_labels`; the A4 paper sheet (html, pdf) is one of
the office's papers (`ektp.entrypoints.documents.pages`), in Indonesian.
"""

from __future__ import annotations

import io

from ektp.application.manifest.views import Sheet
from ektp.domain.phone import group_phone
from ektp.entrypoints.cli.output import SafeCsvWriter, table
from ektp.entrypoints.cli.sheet_labels import (
    CSV_HEADER,
    TEXT_HEADERS,
    heading,
)

_heading = heading
RESULT_COLUMNS = ["outcome", "recipient", "relationship", "verified-by", "evidence", "reason",
                  "proxy-nik", "proxy-name", "proxy-kk", "place", "old-card", "at"]


def sheet_text(sheet: Sheet) -> str:
    """The sheet as plain text, with blank columns to fill in by hand."""
    rows = [(r.number, r.nik, r.name, f"Kec. {r.kecamatan_name}, {r.address}",
             group_phone(r.phone) if r.phone else "", "", "", "") for r in sheet.rows]
    body = table(list(TEXT_HEADERS), rows)
    return "\n".join([*_heading(sheet), "", body])


def sheet_csv(sheet: Sheet) -> str:
    """The sheet as CSV: one row per card, the results columns left blank."""
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in sheet.rows:
        writer.writerow([r.number, r.card_id, r.short_code, f"{r.kecamatan} {r.kecamatan_name}",
                         f"{r.village} {r.village_name}", r.rt or "", r.rw or "", r.nik, r.name,
                         r.address, group_phone(r.phone) if r.phone else "", r.request_reason,
                         *[""] * len(RESULT_COLUMNS), ""])
    return out.getvalue()


def sheet_html(sheet: Sheet) -> str:
    """The sheet as self-contained A4 HTML pages in Bahasa Indonesia, with every box and
    line ``manifest record`` needs (`ektp.entrypoints.documents.pages.sheet_html`)."""
    from ektp.entrypoints.documents.pages import sheet_html as paper

    return paper(sheet)
