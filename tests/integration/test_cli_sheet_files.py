"""``ektp manifest sheet --format xlsx`` and ``manifest record`` of a workbook or CSV, as
a clerk runs them: real subprocesses on a SQLite file (the workbook filled with openpyxl
here; tests/integration/test_spreadsheet_round_trip.py fills it in LibreOffice)."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from testkit.cli import EKTP, assert_one_line_error, event_count, run
from testkit.delivery_cli import COURIER, dispatched_round
from testkit.papers import NAMES, NIKS, PapersOffice, papers_office

OWNER_KK = "3517080101901230"


@pytest.fixture
def dispatched(tmp_path: Path) -> tuple[Path, str, list[str]]:
    """Two printed cards of one family on a dispatched manifest."""
    db = tmp_path / "office.db"
    manifest, cards = dispatched_round(db, {"3517081409820003": "Siti Lestari",
                                            "3517084804010004": "Dewi Lestari"}, OWNER_KK)
    return db, manifest, cards


def test_an_xlsx_sheet_is_never_written_to_a_terminal(dispatched: tuple[Path, str, list[str]]) -> None:
    db, manifest, _ = dispatched
    main, terminal = pty.openpty()
    env = {**os.environ, "EKTP_AS": "operator"}
    done = subprocess.run([EKTP, "--db", f"sqlite:///{db}", "manifest", "sheet", manifest, "--format", "xlsx"],
                          stdout=terminal, stderr=subprocess.PIPE, env=env, timeout=60)
    os.close(terminal)
    os.set_blocking(main, False)
    try:
        shown = os.read(main, 65536)
    except (BlockingIOError, OSError):
        shown = b""
    os.close(main)
    assert done.returncode == 2 and shown == b""
    assert b"--output" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    piped = subprocess.run([EKTP, "--db", f"sqlite:///{db}", "manifest", "sheet", manifest, "--format", "xlsx"],
                           capture_output=True, env=env, timeout=60)
    assert piped.returncode == 0 and piped.stdout.startswith(b"PK\x03\x04")
    assert openpyxl.load_workbook(io.BytesIO(piped.stdout)).worksheets[0]["A1"].value.startswith("Dispendukcapil")


def _fill(path: Path, card: str, values: dict[str, object], card_header: str = "Card") -> None:
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    header = {str(c.value): c.column_letter for c in ws[5] if c.value}
    row = next(c.row for c in ws[header[card_header]] if c.value == card)
    for label, value in values.items():
        ws[f"{header[label]}{row}"] = value
    book.save(path)


def test_a_filled_workbook_is_recorded_and_a_number_where_a_nik_belongs_is_refused(
        dispatched: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    db, manifest, (first, second) = dispatched
    sheet = tmp_path / "sheet.xlsx"
    assert run("manifest", "sheet", manifest, "--format", "xlsx", "--output", str(sheet), db=db).code == 0
    _fill(sheet, first, {"Outcome": "handed-over", "Recipient": "owner", "Verified by": "ktp",
                         "Evidence": "TTD-1"})
    proxy = {"Outcome": "handed-over", "Recipient": "proxy", "Relationship": "sibling",
             "Verified by": "kk", "Proxy name": "Hendra Gunawan", "Proxy KK": OWNER_KK}
    _fill(sheet, second, {**proxy, "Proxy NIK": 3517081203851230})  # a number cell
    before = event_count(db)
    refused = run("manifest", "record", manifest, "--file", str(sheet), db=db, **COURIER)
    assert refused.code == 2 and "Traceback" not in refused.err and refused.out == ""
    assert "line 7: the proxy NIK looks changed by a spreadsheet (a number cell" in refused.err
    assert "1 of 2 rows" in refused.err and "3517081203851230" not in refused.err
    assert event_count(db) == before

    _fill(sheet, second, {**proxy, "Proxy NIK": "3517081203851230"})  # typed into the text cell
    recorded = run("manifest", "record", manifest, "--file", str(sheet), db=db, **COURIER)
    assert recorded.code == 0 and "recorded 2 rows" in recorded.out, recorded.err
    statuses = [run("--json", "card", "show", c, db=db).json()["status"] for c in (first, second)]
    assert statuses == ["HANDED_OVER", "HANDED_OVER"]


def test_an_indonesian_workbook_is_filled_in_its_own_words_and_read_back_in_either_language(
        dispatched: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    # The office's clerk makes the sheet in Indonesian (headers, prompts and dropdowns);
    # the courier picks "diserahkan", "kuasa", "KK"; a clerk working in English records it.
    db, manifest, (first, second) = dispatched
    sheet = tmp_path / "lembar.xlsx"
    made = run("--lang", "id", "manifest", "sheet", manifest, "--format", "xlsx", "--output",
               str(sheet), db=db)
    assert made.code == 0, made.err
    book = openpyxl.load_workbook(sheet)
    ws = book.worksheets[0]
    assert ws.title == "Lembar kurir"
    assert "manifest pengantaran" in str(ws["A1"].value)
    header = [str(c.value) for c in ws[5] if c.value]
    assert header[:3] == ["No.", "Kode", "Kecamatan"] and "Hasil" in header and "Outcome" not in header
    lists = [str(c.value) for row in book.worksheets[1].iter_rows() for c in row if c.value]
    assert {"diserahkan", "gagal diantar", "kuasa", "suami/istri", "tidak ada di rumah"} <= set(lists)
    assert "handed-over" not in lists
    book.close()

    _fill(sheet, first, {"Hasil": "diserahkan", "Penerima": "pemilik", "Diperiksa dengan": "KTP-el lama",
                         "Bukti": "TTD-1"}, card_header="Kartu")
    _fill(sheet, second, {"Hasil": "diserahkan", "Penerima": "kuasa", "Hubungan": "saudara kandung",
                          "Diperiksa dengan": "KK", "Nama kuasa": "Hendra Gunawan",
                          "KK kuasa": OWNER_KK, "NIK kuasa": "3517081203851230"}, card_header="Kartu")
    recorded = run("--lang", "en", "manifest", "record", manifest, "--file", str(sheet), db=db,
                   **COURIER)
    assert recorded.code == 0 and "recorded 2 rows" in recorded.out, recorded.err
    shown = [run("--json", "card", "show", c, db=db).json() for c in (first, second)]
    assert [c["status"] for c in shown] == ["HANDED_OVER", "HANDED_OVER"]


def test_a_csv_nik_of_bare_digits_ending_in_0_needs_digits_checked(
        dispatched: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    db, manifest, (card, _) = dispatched
    results = tmp_path / "results.csv"
    results.write_text("card,outcome,recipient,relationship,verified-by,proxy-nik,proxy-name,proxy-kk\n"
                       f"{card},handed-over,proxy,sibling,kk,3517081203851230,Hendra Gunawan,{OWNER_KK}\n")
    before = event_count(db)
    refused = run("manifest", "record", manifest, "--file", str(results), db=db, **COURIER)
    assert refused.code == 2 and event_count(db) == before
    assert "line 2: the proxy NIK 3517********1230 is 16 bare digits ending in 0" in refused.err
    assert "--digits-checked" in refused.err and "3517081203851230" not in refused.err
    grouped = tmp_path / "grouped.csv"
    grouped.write_text(results.read_text().replace("3517081203851230", "3517 0812 0385 1230"))
    kk = run("manifest", "record", manifest, "--file", str(grouped), db=db, **COURIER)
    assert kk.code == 2 and "line 2: the proxy KK number 3517********1230 is 16 bare" in kk.err
    assert event_count(db) == before
    checked = run("manifest", "record", manifest, "--file", str(results), "--digits-checked", db=db, **COURIER)
    assert checked.code == 0 and "recorded 1 row," in checked.out, checked.err


def test_files_ektp_does_not_read_are_refused_in_one_line(
        dispatched: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    db, manifest, _ = dispatched
    ods = tmp_path / "sheet.ods"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    result = run("manifest", "record", manifest, "--file", str(ods), db=db, **COURIER)
    assert_one_line_error(result, 2)
    assert "OpenDocument" in result.err and ".xlsx" in result.err
    assert_one_line_error(run("manifest", "record", manifest, "--file", str(tmp_path / "none.xlsx"),
                              db=db, **COURIER), 2)
    stdin = run("manifest", "record", manifest, "--file", "-", db=db, stdin="card,result\n", **COURIER)
    assert_one_line_error(stdin, 2)


def test_the_help_says_what_a_spreadsheet_does_to_a_nik() -> None:
    record = run("manifest", "record", "--help", actor=None).out
    assert "--digits-checked" in record and "four groups" in record and "15 digits" in record
    sheet = run("manifest", "sheet", "--help", actor=None).out
    assert "xlsx" in sheet and "3517081203851230" in sheet


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> PapersOffice:
    """An office (made in process: fast) whose dispatched manifest holds a damaged-card
    request, its old card 0012345678 (`testkit.papers`)."""
    return papers_office(tmp_path_factory.mktemp("sheet-papers"))


def test_a_damaged_card_is_recorded_from_its_sheet_with_the_old_cards_serial(
        papers: PapersOffice, tmp_path: Path) -> None:
    db, manifest, damaged = papers.db, papers.manifest, papers.cards[1]
    sheet = tmp_path / "sheet.xlsx"
    assert run("manifest", "sheet", manifest, "--format", "xlsx", "--output", str(sheet), db=db).code == 0
    header = [c.value for c in openpyxl.load_workbook(sheet).worksheets[0][5]]
    assert {"Code", "Old card", "At"} <= set(header)
    _fill(sheet, damaged, {"Outcome": "handed-over", "Recipient": "owner", "Verified by": "ktp",
                           "Evidence": "TTD-9"})
    before = event_count(db)
    refused = run("manifest", "record", manifest, "--file", str(sheet), db=db, **COURIER)
    assert refused.code == 2 and "old card" in refused.err and event_count(db) == before
    _fill(sheet, damaged, {"Old card": "0012345678"})
    recorded = run("manifest", "record", manifest, "--file", str(sheet), db=db, **COURIER)
    assert recorded.code == 0 and "recorded 1 row" in recorded.out, recorded.err
    assert run("--json", "card", "show", damaged, db=db).json()["status"] == "HANDED_OVER"


def test_the_paper_sheet_is_indonesian_and_carries_what_manifest_record_needs(
        papers: PapersOffice) -> None:
    from ektp.application.manifest.results_file import OPTIONAL, REQUIRED
    from ektp.application.tables.table import column_key
    from ektp.entrypoints.cli.sheet_labels import CSV_HEADER, XLSX_COLUMNS
    from ektp.entrypoints.documents import words
    from ektp.entrypoints.documents.pages import qr_svg, status_payload

    db, manifest, damaged = papers.db, papers.manifest, papers.cards[1]
    page = run("manifest", "sheet", manifest, "--format", "html", db=db).out
    code = damaged.replace("-", "")[:8]
    assert 'lang="id"' in page and "Lembar Pengantaran KTP-el" in page
    assert "delivery manifest" not in page.lower() and "Courier" not in page
    assert qr_svg(status_payload(code)) in page and f'<div class="code">{code}</div>' in page
    assert "RT&nbsp;002</span> / <span class=\"nowrap\">RW&nbsp;001" in page  # never "RW / 001"
    assert NAMES[1] in page and "3517********0012" in page and NIKS[1] not in page
    for word in ("No. seri KTP-el lama", "Telp.", "Dusun", "Diperiksa dengan", "Bukti",
                 "Waktu", *words.SHEET_SIGNATURES):
        assert word in page, word
    for code_word in (*words.SHEET_OUTCOME, *words.VERIFICATION, *words.ATTEMPT_REASON,
                      *words.RELATIONSHIP, *words.PLACE, *words.RECIPIENT):
        # the code the clerk types, beside its box or in the legend
        assert f"({code_word})</span>" in page or f">{code_word}</span> = " in page, code_word
    # Every column manifest record reads is on the CSV and XLSX sheets.
    read = {*REQUIRED, *OPTIONAL}
    assert read <= {column_key(h) for h in CSV_HEADER}
    assert read <= {c.code for c in XLSX_COLUMNS}
    csv_sheet = run("manifest", "sheet", manifest, "--format", "csv", db=db).out
    assert f",{damaged},{code}," in csv_sheet and ",damaged," in csv_sheet


def test_every_code_of_the_sheet_has_its_indonesian_word() -> None:
    from ektp.domain.card.vocabulary import (
        AttemptFailureReason,
        HandOverPlace,
        RecipientKind,
        Relationship,
        RequestReason,
        Verification,
    )
    from ektp.domain.manifest.vocabulary import Outcome
    from ektp.entrypoints.documents import words

    assert set(words.SHEET_OUTCOME) == {o.value for o in Outcome}
    assert set(words.ATTEMPT_REASON) == {r.value for r in AttemptFailureReason}
    assert set(words.RELATIONSHIP) == {r.value for r in Relationship}
    assert set(words.VERIFICATION) == {v.value for v in Verification}
    assert set(words.PLACE) == {p.value for p in HandOverPlace}
    assert set(words.RECIPIENT) == {r.value for r in RecipientKind}
    assert set(words.REQUEST_REASON) == {r.value for r in RequestReason}


def test_a_pdf_sheet_without_chromium_is_refused_before_the_access_is_recorded(
        papers: PapersOffice, tmp_path: Path) -> None:
    db, manifest = papers.db, papers.manifest
    target = tmp_path / "sheet.pdf"
    before = event_count(db)
    bare = run("manifest", "sheet", manifest, "--format", "pdf", "--output", str(target), db=db,
               env={"PATH": "/nonexistent"})  # no chromium on this PATH
    assert_one_line_error(bare, 5)
    assert "chromium" in bare.err and not target.exists() and event_count(db) == before
