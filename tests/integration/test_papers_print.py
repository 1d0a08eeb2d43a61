"""Every paper the office hands out, printed as the office prints it and checked page by
page: the request receipt, the courier's sheet, the hand-over record and the destruction
record, each made by ``ektp ... --format pdf`` (headless Chromium, one run per paper),
turned into PNG pages by pdftoppm and into text by pdftotext (Debian's poppler-utils).

For each: the number of pages its content calls for, every page A4 at the rendering's
resolution, no page blank, no ink in the page's margins (content cut at the right
margin, or run off the page, would be), and the signature block on the last page only.
scripts/test installs chromium and poppler-utils; without them this test fails (as the
LibreOffice round trip does), it is not skipped.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest
from testkit.papers import PapersOffice, papers_office
from testkit.png import Page, read_grey_png

from ektp.entrypoints.cli.main import main
from ektp.entrypoints.documents import words
from ektp.entrypoints.documents.pages import PAGE_CARDS, FIRST_PAGE_CARDS, sheet_pages

DPI = 50
A4 = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))
MARGIN = round(9 / 25.4 * DPI)  # every paper keeps 10 mm or more; 1 mm of leeway
SIGNED = words.SIGNATURE_NAME_LINE


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> PapersOffice:
    """The office of `testkit.papers`, where Chromium and poppler are installed."""
    for tool in ("chromium", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is required for this test "
                        "(apt-get install chromium poppler-utils; scripts/test does)")
    return papers_office(tmp_path_factory.mktemp("papers"))


def ektp(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> str:
    """``ektp --db DB --as head ARGS`` in this process; its standard output."""
    with pytest.raises(SystemExit) as done:
        main(["--db", f"sqlite:///{db}", "--as", "head", *args])
    out, err = capsys.readouterr()
    assert (done.value.code or 0) == 0, err
    return out


def printed_pages(pdf: Path) -> tuple[list[Page], list[str]]:
    """The PDF's pages as grey PNG images (pdftoppm) and as text (pdftotext)."""
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-gray", "-png", "-r", str(DPI), str(pdf), str(prefix)],
                   check=True, timeout=60)
    images = sorted(pdf.parent.glob(f"{prefix.name}-*.png"),
                    key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout
    return [read_grey_png(p) for p in images], text.split("\f")[:-1]


def faults(page: Page) -> list[str]:
    """What is wrong with a printed page: not A4, blank, or ink in its margins (content
    cut at, or run past, the right margin)."""
    found = []
    if abs(page.width - A4[0]) > 1 or abs(page.height - A4[1]) > 1:
        found.append(f"not A4 at {DPI} dpi: {page.width} x {page.height}")
    ink = page.ink()
    if ink is None or page.dark_share() < 0.002:
        return [*found, "blank"]
    left, top, right, bottom = ink
    if left < MARGIN or top < MARGIN:
        found.append(f"ink in the left or top margin {ink}")
    if right > page.width - 1 - MARGIN:
        found.append(f"ink in the right margin {ink}")
    if bottom > page.height - 1 - MARGIN:
        found.append(f"ink in the bottom margin {ink}")
    return found


def scale(pdf: Path, word: str, size_pt: float) -> float:
    """How large `word` (the first on the first page set in DejaVu Sans at `size_pt`)
    printed, against its designed size. Chromium shrinks a page whose content is wider
    than the paper to fit it rather than cutting it off: an overflow shows as a scale
    below 1 (and no ink in the margin), so each paper's title is measured."""
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                           check=True, timeout=60, capture_output=True, text=True).stdout
    found = re.search(rf'yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)">{re.escape(word)}<',
                      boxes)
    assert found is not None, word
    # A DejaVu Sans word's box is its ascent and descent: 1.164 em (0.928 + 0.236).
    return (float(found.group(2)) - float(found.group(1))) / (1.164 * size_pt)


def check_pages(pdf: Path, expected: int, signature: tuple[str, ...],
                title: tuple[str, float]) -> list[str]:
    """Every check a printed paper must pass (`faults`, the page count, printed at its
    designed size: `title` is its title's first word and size, the signature block on
    the last page only); its pages' text."""
    assert pdf.read_bytes().startswith(b"%PDF")
    assert 0.97 < scale(pdf, *title) < 1.03, f"{pdf.name} printed at {scale(pdf, *title):.2f}"
    images, texts = printed_pages(pdf)
    assert len(images) == len(texts) == expected, (len(images), len(texts), expected)
    for number, (page, text) in enumerate(zip(images, texts), 1):
        where = f"{pdf.name} page {number}"
        assert faults(page) == [], (where, faults(page))
        last = number == expected
        assert (SIGNED in text) is last, f"{where}: the signature block belongs on the last page"
        for who in signature:
            assert (who in text) or not last, (where, who)
    return texts


def test_the_page_checks_see_content_past_the_right_margin_and_a_blank_page(
        office: PapersOffice, tmp_path: Path) -> None:
    from ektp.adapters.pdf import html_to_pdf

    def pdf_of(name: str, body: str) -> Path:
        page = ('<!DOCTYPE html><html><head><style>@page { size: A4; margin: 10mm; } '
                'body { margin: 0; font-family: "DejaVu Sans"; } h1 { font-size: 14pt; } '
                "div { height: 20mm; background: #000; }</style></head><body><h1>Judul</h1>"
                f"{body}</body></html>")
        path = tmp_path / name
        path.write_bytes(html_to_pdf(page))
        return path

    fits = pdf_of("fits.pdf", '<div style="width: 100%"></div><div style="width: 60%"></div>')
    too_wide = pdf_of("wide.pdf", '<div style="width: 235mm; break-after: page"></div>'
                                  '<p style="height: 5mm"></p>')
    (fitting,), _ = printed_pages(fits)
    assert faults(fitting) == [] and 0.97 < scale(fits, "Judul", 14) < 1.03
    (wide, blank), _ = printed_pages(too_wide)
    assert scale(too_wide, "Judul", 14) < 0.9  # shrunk to fit 235 mm into 190 mm
    assert faults(blank) == ["blank"]
    # Ink put into the margin (drawn past the page's content box) is seen.
    edge = attrs.evolve(fitting, rows=tuple(r[:-MARGIN] + b"\x00" + r[-MARGIN + 1:]
                                            for r in fitting.rows))
    assert any("right margin" in f for f in faults(edge)), faults(edge)


def test_the_receipt_prints_on_one_a4_page(capsys: pytest.CaptureFixture[str], office: PapersOffice,
                                           tmp_path: Path) -> None:
    pdf = tmp_path / "receipt.pdf"
    ektp(capsys, office.db, "card", "receipt", office.cards[1], "--format", "pdf",
         "--output", str(pdf))
    (text,) = check_pages(pdf, 1, (words.RECEIPT_SIGNATURE,), ("Tanda", 14))
    code = office.cards[1].replace("-", "")[:8]
    assert words.RECEIPT_TITLE in text and code in text and f"ektp status {code}" in text


def test_the_courier_sheet_prints_its_cards_on_the_pages_its_layout_says(
        capsys: pytest.CaptureFixture[str], office: PapersOffice, tmp_path: Path) -> None:
    rows = json.loads(ektp(capsys, office.db, "--json", "manifest", "sheet", office.manifest))["rows"]
    codes = [r["code"] for r in rows]
    assert len(codes) == 5 and sheet_pages(5) == 2
    pdf = tmp_path / "sheet.pdf"
    ektp(capsys, office.db, "manifest", "sheet", office.manifest, "--format", "pdf",
         "--output", str(pdf))
    texts = check_pages(pdf, sheet_pages(5), words.SHEET_SIGNATURES, ("Lembar", 13))
    on_page = [codes[:FIRST_PAGE_CARDS], codes[FIRST_PAGE_CARDS:FIRST_PAGE_CARDS + PAGE_CARDS]]
    for number, (text, expected) in enumerate(zip(texts, on_page), 1):
        assert [c for c in codes if c in text] == expected, number
        assert f"{words.SHEET_PAGE} {number}/2" in text
        # Every box of the row is on the page, the last of each line included.
        for word in ("dikembalikan", "sidik jari", "kecamatan (kecamatan)", words.SHEET_CARD["phone"]):
            assert text.count(word) >= len(expected), (number, word)
    assert words.SHEET_TITLE in texts[0] and words.SHEET_LEGEND["reason"] in texts[0]
    # Only the damaged card's block asks for the old card's serial.
    assert sum(t.count(words.SHEET_CARD["old_card"]) for t in texts) == 1
    assert "delivery manifest" not in " ".join(texts).lower()


def test_the_handover_record_prints_every_card_and_its_signatures(
        capsys: pytest.CaptureFixture[str], office: PapersOffice, tmp_path: Path) -> None:
    pdf = tmp_path / "handover.pdf"
    ektp(capsys, office.db, "manifest", "handover-record", office.manifest, "--format", "pdf",
         "--output", str(pdf))
    (text,) = check_pages(pdf, 1, words.HANDOVER_SIGNATURES, ("Berita", 14))
    assert all(c.replace("-", "")[:8] in text for c in office.cards)


def test_the_destruction_record_lists_every_serial_and_card_with_the_witnesses(
        capsys: pytest.CaptureFixture[str], office: PapersOffice, tmp_path: Path) -> None:
    pdf = tmp_path / "destruction.pdf"
    ektp(capsys, office.db, "blanks", "destruction-record", "--from", "2018-02-01", "--to",
         "2018-02-28", "--format", "pdf", "--output", str(pdf))
    (text,) = check_pages(pdf, 1, ("Kepala Dinas", "Saksi: Budi Santoso", "(inspektorat)",
                                   "Saksi: Sri Wahyuni", "(kecamatan)"), ("Berita", 14))
    assert words.DESTRUCTION_TITLE in text
    for shown in ("3517170019", "3517170020", office.destroyed.replace("-", "")[:8],
                  "BA/PEMUSNAHAN/01", "dibakar", "rusak fisik", "tidak diambil"):
        assert shown in text, shown
