"""Bulk work (issue 15): ``card import FILE``, ``card ready --file``, ``card allocate
--all-ready`` and ``card print --run``, run in process (``main``) on a real SQLite office.

The 5,000-row import (40 bad rows of every kind) is here; its time and peak memory are
measured by benchmarks/bench_import.py, never asserted."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit.cli import event_count, new_database, run

from ektp.adapters.spreadsheet.files import read_table_file
from ektp.entrypoints.cli.main import main

JABON = "35.17.09.2018"
HEADER = ["nik", "name", "kk", "village", "reason", "evidence"]


@attrs.frozen
class Done:
    code: int
    out: str
    err: str


def ektp(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> Done:
    """``ektp --db DB --as operator ARGS`` in this process."""
    try:
        main(["--db", f"sqlite:///{db}", "--as", "operator", *args])
        code = 0
    except SystemExit as leaving:
        code = int(leaving.code or 0)
    out, err = capsys.readouterr()
    return Done(code, out, err)


def nik(n: int) -> str:
    """A valid NIK of Jombang's kecamatan 09, one per `n` (serial 0001-9999, never ending in 0)."""
    serial = n * 10 + 1  # ends in 1: a CSV's bare 16 digits ending in 0 need --digits-checked
    day, serial = 1 + serial // 10000 % 28, serial % 10000
    return f"351709{day:02d}0385{serial:04d}"


def name(n: int) -> str:
    """A name of letters only, one per `n`."""
    letters = ""
    while True:
        n, digit = divmod(n, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[digit]
        if not n:
            return f"Warga {letters.capitalize()}"


def good_row(n: int) -> list[str]:
    the_nik = nik(n)
    return [the_nik, name(n), the_nik[:6] + "0101100" + the_nik[-3:], JABON, "new", ""]


# Every kind of bad row, as an office's file has them: (column at fault, row).
BAD_KINDS: list[tuple[str, list[str]]] = [
    ("nik", ["3.51709E+15", "Nama E", "3517090101100001", JABON, "new", ""]),  # E-notation
    ("nik", ["351709010385000", "Nama Pendek", "3517090101100001", JABON, "new", ""]),  # 15 digits
    ("nik", ["3517090103850011.0", "Nama Desimal", "3517090101100001", JABON, "new", ""]),
    ("nik", ["3517099903850011", "Tanggal Salah", "3517090101100001", JABON, "new", ""]),
    ("kk", ["3517090103859991", "KK Rusak", "3.51709E+15", JABON, "new", ""]),
    ("name", ["3517090103859981", "", "3517090101100001", JABON, "new", ""]),
    ("village", ["3517090103859971", "Desa Salah", "3517090101100001", "99.99.99.9999", "new", ""]),
    ("reason", ["3517090103859961", "Alasan Salah", "3517090101100001", JABON, "bosan", ""]),
    ("evidence", ["3517090103859951", "Hilang", "3517090101100001", JABON, "lost", ""]),
    ("nik", ["3517090103859941", "Dua Kali", "3517090101100001", JABON, "new", ""]),  # see below
]


def table_rows(count: int, bad_each: int) -> tuple[list[list[str]], int]:
    """`count` rows with `bad_each` bad rows of every kind spread among them; the number
    of bad rows. The last kind is a NIK requested twice with other content (an open
    request already)."""
    rows = [good_row(n) for n in range(count - bad_each * len(BAD_KINDS))]
    bad: list[list[str]] = []
    for k in range(bad_each):
        for i, (_, row) in enumerate(BAD_KINDS):
            row = list(row)
            if i == len(BAD_KINDS) - 1:  # the same NIK as a good row, with another name
                row = list(rows[k])
                row[1] = "Nama Lain"
            bad.append(row)
    step = max(1, len(rows) // (len(bad) + 1))
    for j, row in enumerate(bad):
        rows.insert((j + 1) * step + j, row)
    return rows, len(bad)


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("requests")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)  # text cells, as a workbook with its columns stored as text
    # A number cell where the KK belongs, as a spreadsheet makes it: lost its last digit.
    sheet.append(["3517090103850099", "Sel Angka", 3517090101100001.0, JABON, "new", ""])
    sheet.append([3517090103850089.0, "Sel Angka", "3517090101100001", JABON, "new", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A founded office with 3 blanks in stock (made once; each test copies it)."""
    db = new_database(tmp_path_factory.mktemp("bulk") / "office.db")
    done = run("blanks", "receive", "--bast", "BAST/1", "--source", "ministry",
               "--range", "3517170001-3517170003", db=db)
    assert done.code == 0, done.err
    return db


@pytest.fixture
def office(office_template: Path, tmp_path: Path) -> Path:
    import shutil

    db = tmp_path / "office.db"
    shutil.copy(office_template, db)
    return db


def test_a_requests_file_is_all_rows_or_none_partial_takes_the_good_and_twice_adds_nothing(
        office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows, bad = table_rows(30, 1)
    path = tmp_path / "requests.csv"
    path.write_bytes(csv_bytes(rows, ";", "utf-8-sig"))
    before = event_count(office)
    refused = ektp(capsys, office, "card", "import", str(path))
    assert refused.code == 2 and refused.out == ""
    assert f"{bad} of {len(rows)} rows of the requests file are invalid; nothing was recorded" \
        in refused.err
    assert event_count(office) == before  # nothing half-written
    listed = (tmp_path / "requests.csv.errors.txt").read_text()
    assert len(listed.splitlines()) == bad
    for column, _ in BAD_KINDS:
        assert f"column {column}:" in listed
    assert "spreadsheet" in listed and "E-notation" in listed and "fewer than 16 digits" in listed
    assert re.search(r"\d{16}", listed + refused.err) is None  # no NIK in full
    assert "Traceback" not in refused.err

    taken = ektp(capsys, office, "--json", "card", "import", "--partial", str(path))
    assert taken.code == 0, taken.err
    data = json.loads(taken.out)
    assert (data["recorded"], data["already_recorded"], data["skipped_count"]) == (
        len(rows) - bad, 0, bad)
    assert "Checking requests" not in taken.err  # no progress bar unless on a terminal
    after = event_count(office)
    assert after > before
    again = ektp(capsys, office, "--json", "card", "import", "--partial", str(path))
    data = json.loads(again.out)
    assert (data["recorded"], data["already_recorded"]) == (0, len(rows) - bad)
    assert event_count(office) == after  # the same file twice: nothing new
    # All good now (the bad rows dropped): all or none takes nothing new either.
    path.write_bytes(csv_bytes([good_row(n) for n in range(5)]))
    assert ektp(capsys, office, "card", "import", str(path)).code == 0
    assert event_count(office) == after


@pytest.mark.parametrize(("delimiter", "encoding"), [
    (",", "utf-8"), (";", "utf-8-sig"), ("\t", "utf-16"), ("\t", "utf-16-le"), (";", "cp1252"),
])
def test_every_csv_dialect_and_encoding_imports(
        office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        delimiter: str, encoding: str) -> None:
    rows = [good_row(1), good_row(2)]
    rows[1][1] = "André Hélène"  # a name cp1252 (and every other) encodes
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(rows, delimiter, encoding))
    done = ektp(capsys, office, "--json", "card", "import", str(path))
    assert done.code == 0, done.err
    assert json.loads(done.out)["recorded"] == 2
    shown = ektp(capsys, office, "--json", "card", "list", "--nik", nik(2))
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)[0]["name"].startswith("A")


def test_the_print_batch_readiness_list_allocate_all_ready_and_print_run(
        office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([good_row(n) for n in range(4)]))
    assert ektp(capsys, office, "card", "import", str(path)).code == 0
    ready = tmp_path / "ready.csv"
    ready.write_text("card,reference\n" + "".join(f"{nik(n)},PRR/{n}\n" for n in range(4))
                     + "3.51709E+15,PRR/x\n")
    refused = ektp(capsys, office, "card", "ready", "--file", str(ready))
    assert refused.code == 2 and "line 6, column card:" in refused.err, refused.err
    ready.write_text("card,reference\n" + "".join(f"{nik(n)},PRR/{n}\n" for n in range(4)))
    assert ektp(capsys, office, "card", "ready", "--file", str(ready)).code == 0
    twice = ektp(capsys, office, "--json", "card", "ready", "--file", str(ready))
    assert json.loads(twice.out)["already_recorded"] == 4

    # Three blanks for four cards: three allocated, one fails; exit code 1, listed.
    allocated = ektp(capsys, office, "--json", "card", "allocate", "--all-ready",
                     "--village", "Jabon")
    assert allocated.code != 0
    data = json.loads(allocated.out)
    assert data["counts"]["allocated"] == 3 and data["counts"]["failed"] == 1
    assert "1 of 4 cards of the allocate --all-ready failed" in allocated.err
    cards = [c["card"] for c in data["cards"] if c["outcome"] == "allocated"]
    serials = [c["detail"] for c in data["cards"] if c["outcome"] == "allocated"]

    run_list = tmp_path / "run.csv"
    run_list.write_text("card,serial,result\n"
                        f"{cards[0][:8]},{serials[0]},printed\n"
                        f"{cards[1]},{serials[1]},chip-not-encoded\n"
                        f"{cards[2]},9999999999,printed\n")
    printed = ektp(capsys, office, "card", "print", "--run", str(run_list))
    assert printed.code != 0
    assert "1 printed, 1 print-failed, 0 already, 1 failed" in printed.out, printed.out
    assert "line 4:" in printed.err
    again = ektp(capsys, office, "card", "print", "--run", str(run_list))
    assert "0 printed, 0 print-failed, 2 already, 1 failed" in again.out, again.out


@pytest.mark.parametrize(("content", "expected"), [
    (None, "cannot read it"),
    (b"", "is empty"),
    (b"nik,name,kk,village,email\n3517090103850011,A,3517090101100011,35.17.09.2018,1\n",
     "unknown column(s) email"),
    (b"name,kk\nA,1\n", "lacks the column(s) nik, village"),
    (b"nik,name,kk,village\n", "no rows below its header"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel 97-2003 workbook"),
    (b"PK\x03\x04garbage", "ZIP file but no workbook"),
    (b"nik,name,kk,village\n\x81\x8d,A,B,C\n", "not text in UTF-8, UTF-16 or Windows-1252"),
    (b"nik,name,kk,village\n" + b"1,a,b,c\n" * 100_001, "more than 100000 rows; split it"),
    ("51 MB", "larger than 50 MB, the limit for a requests file; split it"),
])
def test_a_bad_file_is_one_clear_line(office: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str],
                                      content: bytes | str | None, expected: str) -> None:
    path = tmp_path / "in.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:  # a sparse file: refused by its size before it is read
        with path.open("wb") as big:
            big.truncate(51 * 2**20)
    done = ektp(capsys, office, "card", "import", str(path))
    assert done.code == 2, done
    assert expected in done.err and len(done.err.strip().splitlines()) == 1, done.err
    assert "Traceback" not in done.err and done.out == ""


def test_five_thousand_rows_as_a_workbook_with_forty_bad_rows_of_every_kind(
        office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows, bad = table_rows(5000, 4)  # 4 of each of the 10 kinds: 40 bad rows
    assert bad == 40
    path = tmp_path / "requests.xlsx"
    path.write_bytes(xlsx_bytes(rows))  # and number cells where a KK and a NIK belong: two more
    started = time.perf_counter()
    done = ektp(capsys, office, "--json", "card", "import", "--partial", str(path))
    elapsed = time.perf_counter() - started
    assert done.code == 0, done.err
    data = json.loads(done.out)
    assert (data["recorded"], data["skipped_count"]) == (len(rows) - bad, bad + 2), data
    assert len(data["skipped"]) == 42 and "more bad rows" not in data.get("errors_note", "")
    listed = (tmp_path / "requests.xlsx.errors.txt").read_text().splitlines()
    assert len(listed) == bad + 2
    for column, field in (("kk", "KK number"), ("nik", "NIK")):
        assert any(f"column {column}: the {field} looks changed by a spreadsheet (a number cell"
                   in line for line in listed), listed[-2:]
    again = ektp(capsys, office, "--json", "card", "import", "--partial", str(path))
    data = json.loads(again.out)
    assert (data["recorded"], data["already_recorded"]) == (0, len(rows) - bad)
    print(f"5,000-row XLSX import: {elapsed:.1f} s")  # shown with -s; never asserted


# --- the CSV reader: any table, any supported dialect and encoding ---------------
_SAFE_1252 = st.characters(codec="ascii", exclude_characters="\x00") | st.sampled_from(
    [chr(c) for c in range(0xE0, 0x100)])  # never a byte pair that is also valid UTF-8
_ANY = st.characters(exclude_categories=("Cs",), exclude_characters="\x00\ufeff")


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[str]], str, str]:
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252"]))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    alphabet = _SAFE_1252 if encoding == "cp1252" else _ANY
    cell = st.text(alphabet, max_size=12)
    width = 3
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width).filter(
        lambda r: any(c.strip() for c in r)), min_size=1, max_size=8))
    return rows, delimiter, encoding


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_the_csv_reader_reads_back_every_text_cell(table: tuple[list[list[str]], str, str]) -> None:
    rows, delimiter, encoding = table
    if encoding == "utf-16-be" and any(ord(c) > 0xFF for r in rows for c in "".join(r)):
        encoding = "utf-16"  # BOM-less UTF-16 is recognised for Latin text only
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([["a", "b", "c"], *rows])
    data = out.getvalue().encode(encoding)
    read = read_table_file(data, ("a", "b", "c"), "file", any_encoding=True)
    assert [[r.cells.get(k, "") for k in "abc"] for r in read.rows] == rows


@pytest.mark.parametrize(("args", "expected"), [
    (["card", "ready"], "give CARD, or --file"),
    (["card", "ready", "1b4e28ba", "--file", "x.csv"], "not both"),
    (["card", "ready", "1b4e28ba", "--partial"], "go with --file"),
    (["card", "allocate"], "give CARD, or --all-ready"),
    (["card", "allocate", "1b4e28ba", "--all-ready"], "takes no CARD"),
    (["card", "allocate", "1b4e28ba", "--village", "Jabon"], "goes with --all-ready"),
    (["card", "print", "1b4e28ba", "--run", "x.csv"], "not both"),
    (["card", "import"], "Missing argument 'FILE'"),
])
def test_a_wrong_combination_of_arguments_is_one_line(
        office: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    done = ektp(capsys, office, *args)
    assert done.code == 2 and expected in done.err, done
    assert len(done.err.strip().splitlines()) == 1 and "Traceback" not in done.err


def test_the_bulk_commands_explain_themselves(office: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    for args, words in ((["import"], "All rows or none"), (["ready"], "--file FILE"),
                        (["allocate"], "--all-ready"), (["print"], "--run FILE")):
        shown = ektp(capsys, office, "card", *args, "--help")
        assert shown.code == 0 and words in shown.out, shown
    assert "Bulk" not in ektp(capsys, office, "card", "--help").err


def test_a_terminal_gets_a_progress_bar(office: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([good_row(n) for n in range(3)]))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    done = ektp(capsys, office, "card", "import", str(path))
    assert done.code == 0, done.err
    assert "Checking requests" in done.err and "recorded 3 requests" in done.out
