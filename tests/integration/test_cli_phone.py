"""A resident's phone number through the command line (issue 15): ``card request
--phone``, a requests file's phone column (CSV and XLSX, English and Indonesian
headers), ``card show`` (masked unless --full) and the courier's sheets (paper, CSV,
XLSX, text), with the XLSX sheet's dusun; run in process through ``ektp``'s own `main`
on a SQLite office."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from testkit.staff import me, staff_file

from ektp.domain.actor import Actor, Role
from ektp.entrypoints.cli.main import main
from ektp.entrypoints.composition import open_office

VILLAGE = "35.17.08.2014"  # Ngudirejo
WITH_PHONE = ("3517081409820003", "Siti Nur Lestari", "3517080101901231")
WITHOUT = ("3517084804010004", "Dewi Lestari", "3517080101901231")
PHONE, MASKED, GROUPED = "081234567890", "0812****7890", "0812 3456 7890"


def ektp(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """Run ``ektp --db DB --as operator ARGS`` in this process: exit code, out, err."""
    with pytest.raises(SystemExit) as done:
        main(["--db", f"sqlite:///{db}", "--as", "operator", *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An office whose OS user is operator and courier, with blanks in stock."""
    path = staff_file(tmp_path / "office.db")
    with open_office(f"sqlite:///{path}") as o:
        o.staff.grant(Actor(me(), Role.HEAD), me(), Role.COURIER)
        o.receive_blanks(Actor(me(), Role.OPERATOR), bast="BAST/1", source="ministry",
                         ranges=["3517170001-3517170010"])
    return path


def _dispatched(db: Path, cards: list[str]) -> str:
    """The cards printed and put on one manifest; its id."""
    operator = Actor(me(), Role.OPERATOR)
    with open_office(f"sqlite:///{db}") as o:
        for c in cards:
            o.confirm_print_readiness(operator, c)
            o.allocate_blank(operator, c)
            o.record_printed(operator, c)
        manifest = str(o.manifests.open_manifest(operator, courier=me(), date="2026-11-14",
                                                 villages=[VILLAGE]).id)
        o.manifests.assign_cards(operator, manifest, cards)
    return manifest


def test_a_phone_is_masked_on_card_show_in_full_with_full_and_on_every_courier_sheet(
        capsys: pytest.CaptureFixture[str], db: Path) -> None:
    nik, name, kk = WITH_PHONE
    rc, out, err = ektp(capsys, db, "card", "request", "--nik", nik, "--name", name, "--kk", kk,
                        "--village", VILLAGE, "--dusun", "Krajan", "--phone", "+62 812-3456-7890")
    assert rc == 0, err
    card = out.strip()
    assert PHONE not in out + err
    rc, out, err = ektp(capsys, db, "card", "request", "--nik", WITHOUT[0], "--name", WITHOUT[1],
                        "--kk", WITHOUT[2], "--village", VILLAGE)
    assert rc == 0, err
    plain = out.strip()
    rc, shown, _ = ektp(capsys, db, "--lang", "en", "card", "show", card)
    assert rc == 0 and f"Phone        {MASKED}" in shown and PHONE not in shown
    rc, shown, _ = ektp(capsys, db, "--json", "card", "show", card)
    assert json.loads(shown)["phone"] == MASKED
    rc, shown, err = ektp(capsys, db, "--json", "card", "show", card, "--full")
    assert rc == 0, err
    assert json.loads(shown)["phone"] == PHONE
    rc, shown, _ = ektp(capsys, db, "--lang", "id", "card", "show", plain)
    assert rc == 0 and "Telepon" in shown
    rc, shown, _ = ektp(capsys, db, "--json", "card", "show", plain)
    assert json.loads(shown)["phone"] is None

    manifest = _dispatched(db, [card, plain])
    rc, page, err = ektp(capsys, db, "manifest", "sheet", manifest, "--format", "html")
    assert rc == 0, err
    assert page.count(GROUPED) == 1  # the known phone, written in to dial from
    assert page.count("Telp.:") == 2  # and the other card's line left blank to write on
    rc, sheet, err = ektp(capsys, db, "manifest", "sheet", manifest, "--format", "csv")
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(sheet)))
    assert sorted(r["phone"] for r in rows) == ["", GROUPED]
    rc, text, err = ektp(capsys, db, "manifest", "sheet", manifest, "--format", "text")
    assert rc == 0 and GROUPED in text and "phone" in text
    rc, text, err = ektp(capsys, db, "--lang", "id", "manifest", "sheet", manifest, "--format", "text")
    header = next(line for line in text.splitlines() if line.startswith("No."))
    assert rc == 0 and header.split()[:5] == ["No.", "NIK", "nama", "alamat", "telepon"]
    rc, data, err = ektp(capsys, db, "--json", "manifest", "sheet", manifest)
    assert sorted(str(r["phone"]) for r in json.loads(data)["rows"]) == [PHONE, "None"]


def test_the_xlsx_sheet_has_the_dusun_and_the_phone(capsys: pytest.CaptureFixture[str], db: Path,
                                                     tmp_path: Path) -> None:
    nik, name, kk = WITH_PHONE
    rc, out, err = ektp(capsys, db, "card", "request", "--nik", nik, "--name", name, "--kk", kk,
                        "--village", VILLAGE, "--dusun", "Krajan Wetan", "--phone", "0812.3456.7890")
    assert rc == 0, err
    card = out.strip()
    rc, out, err = ektp(capsys, db, "card", "request", "--nik", WITHOUT[0], "--name", WITHOUT[1],
                        "--kk", WITHOUT[2], "--village", VILLAGE)
    plain = out.strip()
    manifest = _dispatched(db, [card, plain])
    path = tmp_path / "sheet.xlsx"
    rc, out, err = ektp(capsys, db, "manifest", "sheet", manifest, "--format", "xlsx", "--output",
                        str(path))
    assert rc == 0, err
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in ws[5]]
    assert {"Dusun", "Phone"} <= set(header)
    rows = {r[header.index("Card")]: r for r in ws.iter_rows(min_row=6, values_only=True)}
    assert rows[card][header.index("Dusun")] == "Krajan Wetan"
    assert rows[card][header.index("Phone")] == GROUPED
    line = next(c.row for c in ws[openpyxl.utils.get_column_letter(header.index("Card") + 1)]
                if c.value == card)
    phone = ws.cell(line, header.index("Phone") + 1)
    assert phone.data_type == "s" and phone.number_format == "@"  # text: the leading 0 stays
    assert rows[plain][header.index("Dusun")] is None and rows[plain][header.index("Phone")] is None


def test_a_bad_phone_is_refused_in_the_offices_language_without_the_number(
        capsys: pytest.CaptureFixture[str], db: Path) -> None:
    nik, name, kk = WITH_PHONE
    base = ("card", "request", "--nik", nik, "--name", name, "--kk", kk, "--village", VILLAGE)
    rc, out, err = ektp(capsys, db, "--lang", "en", *base, "--phone", "0812-3456-78901234")
    assert rc == 2 and out == "" and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "phone number is not valid: it is too long" in err and "78901234" not in err
    rc, out, err = ektp(capsys, db, "--lang", "id", *base, "--phone", "0812-3456-789O")
    assert rc == 2 and "nomor telepon" in err.lower() and "hanya" in err
    assert "3456" not in err
    rc, out, err = ektp(capsys, db, "--json", "card", "show", nik)
    assert rc != 0  # nothing was recorded


def test_a_requests_file_takes_a_phone_column_by_its_english_or_indonesian_name(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    rows = [["nik", "nama", "no kk", "desa", "No. HP"], [*WITH_PHONE, VILLAGE, "62 812 3456 7890"],
            [*WITHOUT, VILLAGE, ""]]
    path.write_text("".join(",".join(r) + "\n" for r in rows))
    rc, out, err = ektp(capsys, db, "--json", "card", "import", str(path))
    assert rc == 0, err
    assert json.loads(out)["recorded"] == 2
    rc, shown, _ = ektp(capsys, db, "--json", "card", "show", WITH_PHONE[0], "--full")
    assert json.loads(shown)["phone"] == PHONE
    rc, shown, _ = ektp(capsys, db, "--json", "card", "show", WITHOUT[0])
    assert json.loads(shown)["phone"] is None
    # The same file again records nothing new (its phone read the same).
    rc, again, err = ektp(capsys, db, "--json", "card", "import", str(path))
    assert rc == 0, err
    assert json.loads(again)["recorded"] == 0 and json.loads(again)["already_recorded"] == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("nik,name,kk,village,telepon\n3517081203850005,Budi Santoso,3517080101901231,"
                   f"{VILLAGE},0812 3456 78x0\n")
    rc, out, err = ektp(capsys, db, "--lang", "en", "card", "import", str(bad))
    assert rc != 0 and "column phone" in err and "Traceback" not in err and "3456" not in err


def test_a_workbooks_phone_cell_is_read_as_text_and_a_number_that_lost_its_0_refused(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    def workbook(phone: object) -> Path:
        book = openpyxl.Workbook()
        ws = book.active
        ws.append(["NIK", "Name", "KK", "Village", "no_hp"])
        ws.append([WITH_PHONE[0], WITH_PHONE[1], WITH_PHONE[2], VILLAGE, None])
        ws.cell(2, 5).value = phone
        ws.cell(2, 1).data_type = ws.cell(2, 3).data_type = "s"
        path = tmp_path / f"requests-{type(phone).__name__}.xlsx"
        book.save(path)
        return path

    rc, out, err = ektp(capsys, db, "--lang", "en", "card", "import", str(workbook(81234567890)))
    assert rc != 0 and "drops the leading 0" in err and "column phone" in err
    rc, out, err = ektp(capsys, db, "--json", "card", "import", str(workbook(6281234567890)))
    assert rc == 0, err  # a number cell with the country code lost nothing
    rc, shown, _ = ektp(capsys, db, "--json", "card", "show", WITH_PHONE[0], "--full")
    assert json.loads(shown)["phone"] == PHONE
