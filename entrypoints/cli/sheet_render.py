"""The courier's sheet as text, CSV or A4 HTML (the workbook: `sheet_workbook`).

The CSV has the columns of a results file (``card``, ``outcome``, ``recipient``...)
left blank, so the courier's filled-in copy can be given to ``ektp manifest record``;
its NIK and KK headers ask for four groups of digits, which a spreadsheet keeps as text.
The words people read come from `sheet_labels`.
"""

from __future__ import annotations

import html
import io

from ektp.application.manifest.views import Sheet
from ektp.entrypoints.cli.output import SafeCsvWriter, table
from ektp.entrypoints.cli.sheet_labels import (
    CSV_HEADER,
    PRINT_HEADERS,
    SIGNATURES,
    TEXT_HEADERS,
    heading,
)

_heading = heading
RESULT_COLUMNS = ["outcome", "recipient", "relationship", "verified-by", "evidence", "reason",
                  "proxy-nik", "proxy-name", "proxy-kk", "place", "old-card"]


def sheet_text(sheet: Sheet) -> str:
    """The sheet as plain text, with blank columns to fill in by hand."""
    rows = [(r.number, r.nik, r.name, f"Kec. {r.kecamatan_name}, {r.address}", "", "", "")
            for r in sheet.rows]
    body = table(list(TEXT_HEADERS), rows)
    return "\n".join([*_heading(sheet), "", body])


def sheet_csv(sheet: Sheet) -> str:
    """The sheet as CSV: one row per card, the results columns left blank."""
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in sheet.rows:
        writer.writerow([r.number, r.card_id, f"{r.kecamatan} {r.kecamatan_name}",
                         f"{r.village} {r.village_name}", r.rt or "", r.rw or "", r.nik, r.name,
                         r.address, *[""] * len(RESULT_COLUMNS), ""])
    return out.getvalue()


_CSS = """
@page { size: A4 portrait; margin: 12mm 10mm 14mm 10mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9pt; color: #000; margin: 0; }
h1 { font-size: 13pt; margin: 0 0 2mm 0; }
p.meta { margin: 0 0 1mm 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin-top: 3mm; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 0.3mm solid #000; padding: 1mm 1.2mm; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #e6e6e6; font-size: 8pt; text-align: left; overflow-wrap: normal; }
td.blank { height: 14mm; }
tr.kecamatan td { background: #f2f2f2; font-weight: bold; height: auto; }
td.nik { white-space: nowrap; font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; }
col.no { width: 4%; } col.nik { width: 17%; } col.name { width: 17%; }
col.address { width: 20%; } col.recipient { width: 13%; } col.rel { width: 13%; }
col.sign { width: 16%; }
.signatures { margin-top: 8mm; display: flex; justify-content: space-between;
              break-inside: avoid; }
.signatures > div { width: 30%; text-align: center; }
.signatures .line { margin-top: 18mm; border-top: 0.3mm solid #000; }
.id { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; }
@media screen { body { width: 190mm; margin: 12mm 10mm; } }
"""


def sheet_html(sheet: Sheet) -> str:
    """The sheet as a self-contained HTML page that prints on A4 paper."""
    e = html.escape
    lines = _heading(sheet)
    m = sheet.manifest
    body: list[str] = []
    current = None
    for r in sheet.rows:
        if r.kecamatan != current:
            current = r.kecamatan
            body.append(f'<tr class="kecamatan"><td colspan="7">Kec. {e(r.kecamatan_name)} '
                        f"({e(r.kecamatan)})</td></tr>")
        body.append(
            f"<tr><td>{r.number}</td><td class=\"nik\">{e(r.nik)}</td><td>{e(r.name)}</td>"
            f"<td>{e(r.address)}</td><td class=\"blank\"></td><td class=\"blank\"></td>"
            f"<td class=\"blank\"></td></tr>")
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{e(lines[0])}</title>
<style>{_CSS}</style></head><body>
<h1>{e(sheet.office_name)}: delivery manifest</h1>
<p class="meta">Manifest <span class="id">{m.id}</span></p>
<p class="meta">{e(lines[1])}</p>
<p class="meta">{e(lines[2])}</p>
<table>
<colgroup><col class="no"><col class="nik"><col class="name"><col class="address">
<col class="recipient"><col class="rel"><col class="sign"></colgroup>
<thead><tr>{"".join(f"<th>{e(h)}</th>" for h in PRINT_HEADERS)}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
<div class="signatures">
{"".join(f'<div>{e(who)}<div class="line"></div></div>' + chr(10) for who in SIGNATURES)}</div>
</body></html>
"""
