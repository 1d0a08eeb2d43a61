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

from ektp.application.blank_stock.destruction import DestructionRecord
from ektp.application.card.receipt import Receipt, short_code
from ektp.application.manifest.views import ManifestView, Sheet, SheetRow
from ektp.domain.phone import group_phone
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
.signatures { margin-top: 10mm; display: flex; flex-wrap: wrap; justify-content: space-evenly;
              break-inside: avoid; row-gap: 6mm; }
.signatures > div { flex: 0 0 30%; height: 32mm; display: flex; flex-direction: column;
                    justify-content: space-between; text-align: center; }
.signatures .line { border-top: 0.3mm solid #000; font-size: 8pt; }
table.destroyed td, table.sittings td { font-size: 8.5pt; overflow-wrap: anywhere; }
col.d-no { width: 6%; } col.d-kind { width: 10%; } col.d-serial { width: 15%; }
col.d-code { width: 12%; } col.d-reason { width: 22%; } col.d-record { width: 20%; }
col.d-at { width: 15%; }
col.s-record { width: 20%; } col.s-at { width: 15%; } col.s-method { width: 10%; }
col.s-count { width: 9%; } col.s-by { width: 12%; } col.s-witnesses { width: 34%; }
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


# --- the courier's sheet ----------------------------------------------------------
# A fixed number of cards on each page (each card's block has a fixed height), so a
# manifest of N cards always prints on `sheet_pages(N)` pages and no block is split.
FIRST_PAGE_CARDS = 3  # below the heading and the legend of codes
PAGE_CARDS = 4

_SHEET_CSS = """
@page { size: A4 portrait; margin: 10mm 10mm 10mm 10mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 8pt; color: #000; margin: 0; }
h1 { font-size: 13pt; margin: 0; text-align: center; }
p.office { text-align: center; margin: 0 0 2mm 0; font-weight: bold; font-size: 10pt; }
section.page { height: 276mm; position: relative; break-after: page; page-break-after: always; }
section.page.last { break-after: auto; page-break-after: auto; }
table.fields { border-collapse: collapse; width: 100%; }
table.fields td { padding: 0.4mm 1mm; vertical-align: top; }
table.fields td.label { width: 28mm; }
p.how { margin: 1.5mm 0; }
div.legend { border: 0.3mm solid #000; padding: 1mm 2mm; margin: 0 0 2mm 0; font-size: 7.5pt; }
div.legend p { margin: 0.5mm 0; }
table.card { width: 100%; height: 53mm; border-collapse: collapse; table-layout: fixed;
             border: 0.4mm solid #000; margin-bottom: 2mm; break-inside: avoid;
             page-break-inside: avoid; }
table.card td { vertical-align: top; padding: 1.2mm 1.5mm; border-left: 0.2mm solid #888; }
table.card td.qr { width: 27mm; text-align: center; border-left: none; }
table.card td.who { width: 56mm; }
td.qr svg { width: 24mm; height: 24mm; display: block; margin: 0 auto; }
td.qr .code { font-family: "DejaVu Sans Mono", monospace; font-size: 10pt; font-weight: bold; }
td.qr .no { font-size: 10pt; font-weight: bold; margin-bottom: 1mm; }
.line { margin: 0 0 1.2mm 0; }
.name { font-size: 9.5pt; font-weight: bold; white-space: normal; }
.mono { font-family: "DejaVu Sans Mono", monospace; }
.nowrap { white-space: nowrap; }
.box { display: inline-block; width: 3mm; height: 3mm; border: 0.3mm solid #000;
       vertical-align: -0.5mm; margin: 0 0.8mm 0 1.5mm; }
.fill { display: inline-block; border-bottom: 0.2mm solid #000; height: 3.2mm;
        vertical-align: -0.8mm; }
.code-word { font-family: "DejaVu Sans Mono", monospace; font-size: 6.5pt; }
.signbox { border: 0.2mm solid #000; height: 10mm; margin-top: 0.5mm; }
.signatures { margin-top: 6mm; display: flex; justify-content: space-evenly;
              break-inside: avoid; }
.signatures > div { flex: 0 0 30%; height: 28mm; display: flex; flex-direction: column;
                    justify-content: space-between; text-align: center; font-size: 9pt; }
.signatures .line { margin: 0; border-top: 0.3mm solid #000; font-size: 7.5pt; }
p.folio { position: absolute; bottom: 0; left: 0; right: 0; margin: 0; font-size: 7pt;
          text-align: right; }
@media screen { body { width: 190mm; margin: 10mm auto; } section.page { height: auto; } }
"""


def sheet_pages(cards: int) -> int:
    """How many A4 pages the courier's sheet of `cards` cards prints on."""
    rest = max(0, cards - FIRST_PAGE_CARDS)
    return 1 + -(-rest // PAGE_CARDS)


def _fill(width_mm: int) -> str:
    return f'<span class="fill" style="width:{width_mm}mm"></span>'


def _blank(label: str, width_mm: int, *, bold: bool = False) -> str:
    """`label` and a line to write on, kept together on one line."""
    text = f"<b>{_e(label)}:</b>" if bold else f"{_e(label)}:"
    return f'<span class="nowrap">{text} {_fill(width_mm)}</span>'


def _boxes(words: dict[str, str], codes: Iterable[str]) -> str:
    return "".join(f'<span class="nowrap"><span class="box"></span>{_e(words[c])} '
                   f'<span class="code-word">({_e(c)})</span></span> ' for c in codes)


def _legend_line(title: str, words: dict[str, str]) -> str:
    pairs = "; ".join(f'<span class="code-word">{_e(code)}</span> = {_e(word)}'
                      for code, word in words.items())
    return f"<p><b>{_e(title)}:</b> {pairs}</p>"


def _sheet_card(row: SheetRow, qr: Callable[[str], str]) -> str:
    c = w.SHEET_CARD
    rt_rw = " / ".join(f'<span class="nowrap">{label}&nbsp;{_e(v)}</span>'
                       for label, v in (("RT", row.rt), ("RW", row.rw)) if v)
    # The dusun when the request gave it, else a line for the courier to write it on.
    dusun = (f'{_e(c["dusun"])}: {_e(row.dusun)}' if row.dusun else _blank(c["dusun"], 38))
    # The phone in full when known (the courier calls ahead), in groups to dial from.
    phone = (f'{_e(c["phone"])}: <span class="mono nowrap">{_e(group_phone(row.phone))}</span>'
             if row.phone else _blank(c["phone"], 40))
    old_card = (f'<div class="line">{_blank(c["old_card"], 50, bold=True)}</div>'
                if row.surrenders_old_card else "")
    who = (
        f'<div class="name">{_e(row.name)}</div>'
        f'<div class="line">{_e(c["nik"])}: <span class="mono">{_e(row.nik)}</span></div>'
        f'<div class="line">{_e(row.village_name)}, {_e(c["kecamatan"])} '
        f"{_e(row.kecamatan_name)}</div>"
        f'<div class="line">{rt_rw or _e(w.NONE)}</div>'
        f'<div class="line">{dusun}</div>'
        f'<div class="line">{phone}</div>'
        f'<div class="line">{_e(c["request"])}: '
        f"{_e(w.REQUEST_REASON.get(row.request_reason, row.request_reason))}</div>"
        f'<div>{_e(c["signature"])}:<div class="signbox"></div></div>'
    )
    result = (
        f'<div class="line"><b>{_e(c["outcome"])}:</b>'
        f"{_boxes(w.SHEET_OUTCOME, w.SHEET_OUTCOME)}</div>"
        f'<div class="line"><b>{_e(c["recipient"])}:</b>{_boxes(w.RECIPIENT, w.RECIPIENT)}'
        f' {_blank(c["relationship"], 24)}</div>'
        f'<div class="line">{_blank(c["proxy_name"], 80)}</div>'
        f'<div class="line">{_blank(c["proxy_nik"], 34)} {_blank(c["proxy_kk"], 34)}</div>'
        f'<div class="line"><b>{_e(c["verified_by"])}:</b>'
        f"{_boxes(w.VERIFICATION, w.VERIFICATION)}</div>"
        f'<div class="line">{_blank(c["reason"], 34)} {_blank(c["evidence"], 28)}</div>'
        + old_card
        + f'<div class="line">{_blank(c["at"], 34)}</div>'
        f'<div class="line"><b>{_e(c["place"])}:</b>{_boxes(w.PLACE, w.PLACE)}</div>'
    )
    return (f'<table class="card"><tr><td class="qr"><div class="no">{row.number}</div>'
            f"{qr(status_payload(row.short_code))}"
            f'<div class="code">{_e(row.short_code)}</div></td>'
            f'<td class="who">{who}</td><td class="result">{result}</td></tr></table>')


def sheet_html(sheet: Sheet, *, qr: Callable[[str], str] = qr_svg) -> str:
    """The courier's sheet (lembar pengantaran) as A4 pages: per card its short code and
    QR code, the resident's masked NIK, name and full address, the dusun and the
    telephone (each a line to write it on when the request did not give it), and
    every box and line
    ``ektp manifest record`` needs (outcome, recipient, verified-by, reason, evidence,
    old-card serial where the old card is surrendered, when and where)."""
    f = w.SHEET_FIELDS
    m = sheet.manifest
    head = (
        f"<h1>{_e(w.SHEET_TITLE)}</h1>\n<p class=\"office\">{_e(sheet.office_name)}</p>\n"
        + _fields([
            (f["manifest"], f"{short_code(m.id)} ({m.id})"),
            (f["courier"], m.courier),
            (f["date"], m.date.strftime("%d-%m-%Y")),
            (f["seal"], m.seal_number or w.NONE),
            (f["villages"], "; ".join(sheet.village_labels)),
            (f["cards"], str(len(sheet.rows))),
        ])
        + f'\n<p class="how">{_e(w.SHEET_HOW)}</p>\n<div class="legend">'
        + _legend_line(w.SHEET_LEGEND["reason"], w.ATTEMPT_REASON)
        + _legend_line(w.SHEET_LEGEND["relationship"], w.RELATIONSHIP)
        + f'<p>{_e(w.SHEET_LEGEND["returned"])} {_e(w.SHEET_LEGEND["old_card"])}</p></div>\n'
    )
    rows = list(sheet.rows)
    chunks = [rows[:FIRST_PAGE_CARDS]] + [rows[i:i + PAGE_CARDS]
                                          for i in range(FIRST_PAGE_CARDS, len(rows), PAGE_CARDS)]
    total = len(chunks)
    assert total == sheet_pages(len(rows))
    sections = []
    for n, chunk in enumerate(chunks, 1):
        last = n == total
        cards = "\n".join(_sheet_card(r, qr) for r in chunk)
        signatures = _signatures(w.SHEET_SIGNATURES) if last else ""
        folio = (f'<p class="folio">{_e(w.SHEET_FIELDS["manifest"])} {_e(short_code(m.id))}, '
                 f"{_e(m.courier)}, {_e(w.SHEET_PAGE)} {n}/{total}</p>")
        sections.append(f'<section class="page{" last" if last else ""}">'
                        f"{head if n == 1 else ''}{cards}\n{signatures}{folio}</section>")
    return (f'<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">'
            f"<title>{_e(w.SHEET_TITLE)} {_e(short_code(m.id))}</title><style>{_SHEET_CSS}</style>"
            f"</head><body>\n" + "\n".join(sections) + "\n</body></html>\n")


# --- the destruction record ---------------------------------------------------------
def _period(record: DestructionRecord) -> str:
    first, last = record.first.strftime("%d-%m-%Y"), record.last.strftime("%d-%m-%Y")
    if first == last:
        return w.DESTRUCTION_DAY.format(day=first)
    return w.DESTRUCTION_SPAN.format(first=first, last=last)


def _witness_signatures(record: DestructionRecord) -> list[str]:
    """The signature blocks: the officer, every witness recorded (by name and role, once
    each), else two blank witness blocks, and the head of office."""
    seen: dict[str, str] = {}
    for sitting in record.sittings:
        for name, role in sitting.witnesses:
            seen.setdefault(name.casefold(), f"{w.DESTRUCTION_SIGNATURES[1]}: {name} ({role})")
    witnesses = list(seen.values()) or list(w.DESTRUCTION_SIGNATURES[1:3])
    return [w.DESTRUCTION_SIGNATURES[0], *witnesses, w.DESTRUCTION_SIGNATURES[3]]


def _list_table(kind: str, columns: Iterable[str], headers: Iterable[str], rows: str) -> str:
    """A bordered list with its column widths (CSS classes ``d-...``/``s-...``)."""
    cols = "".join(f'<col class="{kind[0]}-{c}">' for c in columns)
    heads = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return (f'<table class="list {kind}"><colgroup>{cols}</colgroup><thead><tr>{heads}</tr>'
            f"</thead><tbody>{rows}</tbody></table>\n")


def destruction_html(record: DestructionRecord) -> str:
    """The destruction record (berita acara pemusnahan) of a span of days as A4 pages:
    every blank serial and card destroyed, with its reason and record number, each
    sitting's method and witnesses, and the signature blocks."""
    f = w.DESTRUCTION_FIELDS
    rows = "".join(
        f"<tr><td>{n}</td><td>{_e(w.DESTRUCTION_KIND.get(i.kind, i.kind))}</td>"
        f'<td class="mono">{_e(i.serial or w.NONE)}</td>'
        f'<td class="mono">{_e(i.card_code or w.NONE)}</td>'
        f"<td>{_e(w.SPOIL_REASON.get(i.reason, i.reason) if i.kind == 'blank' else i.reason)}</td>"
        f"<td>{_e(i.record_number)}</td><td>{_e(_date(i.at))}</td></tr>"
        for n, i in enumerate(record.items, 1))
    sittings = "".join(
        f"<tr><td>{_e(s.record_number)}</td><td>{_e(_date(s.at))}</td>"
        f"<td>{_e(w.DESTRUCTION_METHOD.get(s.method, s.method) if s.method else w.NONE)}</td>"
        f"<td>{s.count}</td><td>{_e(s.by)}</td>"
        f"<td>{_e('; '.join(f'{n} ({r})' for n, r in s.witnesses) or w.DESTRUCTION_NO_WITNESS)}"
        f"</td></tr>"
        for s in record.sittings)
    blanks = sum(1 for i in record.items if i.kind == "blank")
    listing = (
        _list_table("destroyed", ("no", "kind", "serial", "code", "reason", "record", "at"),
                    w.DESTRUCTION_HEADERS, rows)
        + f"<h2>{_e(w.DESTRUCTION_SITTINGS_TITLE)}</h2>\n"
        + _list_table("sittings", ("record", "at", "method", "count", "by", "witnesses"),
                      w.DESTRUCTION_SITTING_HEADERS, sittings)
    ) if record.items else f"<p>{_e(w.DESTRUCTION_NOTHING)}</p>\n"
    body = (
        f"<p>{_e(w.DESTRUCTION_INTRO.format(period=_period(record)))}</p>\n"
        + _fields([
            (f["period"], _period(record)),
            (f["blanks"], str(blanks)),
            (f["cards"], str(len(record.items) - blanks)),
            (f["total"], str(len(record.items))),
        ])
        + "\n" + listing
        + _signatures(_witness_signatures(record))
    )
    return _page(w.DESTRUCTION_TITLE, record.office_name, body)
