"""The office's papers as self-contained A4 HTML pages, built from application views.

Only masked personal data reaches a page (`Receipt` and `ManifestView` carry no full NIK
or name); the words come from `words`; the QR code is segno's inline SVG, so the page
needs no file beside it and prints the same in any browser.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Callable, Iterable

from ektp.application.card.receipt import Receipt, short_code
from ektp.application.manifest.views import ManifestView
from ektp.entrypoints.documents import words as w

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")

_CSS = """
@page { size: A4 portrait; margin: 15mm 15mm 15mm 15mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #000; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 1mm 0; text-align: center; }
h2 { font-size: 11pt; margin: 5mm 0 2mm 0; }
p.office { text-align: center; margin: 0 0 5mm 0; font-weight: bold; }
table { border-collapse: collapse; width: 100%; }
table.fields td { padding: 1mm 2mm; vertical-align: top; }
table.fields td.label { width: 40mm; }
table.list { table-layout: fixed; margin-top: 3mm; }
table.list th, table.list td { border: 0.3mm solid #000; padding: 1mm 1.5mm; vertical-align: top; }
col.no { width: 7%; } col.code { width: 14%; } col.nik { width: 25%; }
col.initials { width: 14%; } col.village { width: 20%; } col.outcome { width: 20%; }
table.list th { background: #e6e6e6; text-align: left; font-size: 9pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.mono { font-family: "DejaVu Sans Mono", monospace; }
.qr { margin-top: 5mm; text-align: center; }
.qr p { font-size: 8pt; margin: 1mm 0 0 0; }
.signatures { margin-top: 10mm; display: flex; justify-content: space-between;
              break-inside: avoid; }
.signatures > div { flex: 1; text-align: center; margin: 0 3mm; }
.signatures .line { margin-top: 22mm; border-top: 0.3mm solid #000; font-size: 8pt; }
@media screen { body { width: 180mm; margin: 15mm auto; } }
"""

_e = html.escape


def _date(value: dt.datetime) -> str:
    return value.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")


def _page(title: str, office: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">'
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n"
            f"<h1>{_e(title)}</h1>\n<p class=\"office\">{_e(office)}</p>\n{body}\n</body></html>\n")


def _fields(rows: Iterable[tuple[str, str]]) -> str:
    cells = "".join(f'<tr><td class="label">{_e(k)}</td><td>: {_e(v)}</td></tr>' for k, v in rows)
    return f'<table class="fields">{cells}</table>'


def _signatures(who: Iterable[str]) -> str:
    blocks = "".join(f'<div>{_e(name)}<div class="line">{_e(w.SIGNATURE_NAME_LINE)}</div></div>'
                     for name in who)
    return f'<div class="signatures">{blocks}</div>'


def status_payload(code: str) -> str:
    """What the receipt's QR code holds: the command that answers the resident's question
    for the card, ``ektp status`` with the short code (the receipt carries no full NIK;
    ``ektp status`` takes a short code as it takes a NIK)."""
    return f"ektp status {code}"


def qr_svg(payload: str) -> str:
    """`payload` as a QR code in inline SVG (segno: pure Python, no image files)."""
    import segno  # imported here: only the receipt needs it, and every command imports this CLI

    return str(segno.make(payload, error="m", micro=False).svg_inline(scale=4, title=payload))


def receipt_html(receipt: Receipt, *, qr: Callable[[str], str] = qr_svg) -> str:
    """The request receipt (tanda terima pengajuan) as an A4 page."""
    f = w.RECEIPT_FIELDS
    payload = status_payload(receipt.short_code)
    steps = "".join(f"<li>{_e(step.format(village=receipt.village_name))}</li>"
                    for step in w.RECEIPT_NEXT_STEPS)
    body = (
        f"<p>{_e(w.RECEIPT_INTRO)}</p>\n"
        + _fields([
            (f["short_code"], receipt.short_code),
            (f["nik"], receipt.masked_nik),
            (f["initials"], receipt.initials),
            (f["village"], f"{receipt.village_name} ({receipt.village})"),
            (f["requested_at"], _date(receipt.requested_at)),
            (f["status"], w.STATUS.get(receipt.status, receipt.status)),
        ])
        + f"\n<h2>{_e(w.RECEIPT_NEXT_TITLE)}</h2>\n<ol>{steps}</ol>\n"
        + f"<p>{_e(w.RECEIPT_ASK.format(code=receipt.short_code))}</p>\n"
        + f'<div class="qr">{qr(payload)}<p class="mono">'
          f"{_e(w.RECEIPT_QR_CAPTION.format(payload=payload))}</p></div>\n"
        + _signatures([w.RECEIPT_SIGNATURE])
    )
    return _page(w.RECEIPT_TITLE, receipt.office_name, body)


def handover_html(m: ManifestView, office_name: str, village_names: Callable[[str], str]) -> str:
    """The hand-over record (berita acara serah terima) of manifest `m` as an A4 page;
    `m` must carry its people (`ManifestDesk.manifest(..., people=True)`: masked NIK and
    initials); `village_names` turns a village code into a name."""
    f = w.HANDOVER_FIELDS
    code = short_code(m.id)
    rows = "".join(
        f"<tr><td>{n}</td><td class=\"mono\">{_e(short_code(c.card_id))}</td>"
        f"<td class=\"mono\">{_e(c.nik_masked or w.NONE)}</td><td>{_e(c.initials or w.NONE)}</td>"
        f"<td>{_e(village_names(c.village))}</td><td>{_e(w.OUTCOME.get(c.outcome, c.outcome))}</td></tr>"
        for n, c in enumerate(m.cards, 1))
    counts = Counter(c.outcome for c in m.cards)
    count_rows = [(w.OUTCOME.get(k, k), str(v)) for k, v in sorted(counts.items())]
    date = m.date.strftime("%d-%m-%Y")
    body = (
        f"<p>{_e(w.HANDOVER_INTRO.format(date=date, courier=m.courier))}</p>\n"
        + _fields([
            (f["manifest"], f"{code} ({m.id})"),
            (f["courier"], m.courier),
            (f["date"], date),
            (f["villages"], "; ".join(f"{village_names(v)} ({v})" for v in m.villages)),
            (f["seal"], m.seal_number or w.NONE),
            (f["status"], w.MANIFEST_STATUS.get(m.status, m.status)),
        ])
        + '\n<table class="list"><colgroup><col class="no"><col class="code"><col class="nik">'
          '<col class="initials"><col class="village"><col class="outcome"></colgroup><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in w.HANDOVER_HEADERS)
        + f"</tr></thead><tbody>{rows}</tbody></table>\n"
        + f"<h2>{_e(w.HANDOVER_COUNTS_TITLE)}</h2>\n"
        + _fields([*count_rows, (w.HANDOVER_TOTAL, str(len(m.cards)))])
        + "\n" + _signatures(w.HANDOVER_SIGNATURES)
    )
    return _page(w.HANDOVER_TITLE, office_name, body)
