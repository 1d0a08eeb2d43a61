"""The courier's sheet through a real spreadsheet program, as an office fills it in:
LibreOffice Calc (headless) opens the XLSX or CSV sheet, a clerk's typing goes into the
proxy's NIK and KK cells, Calc saves, and ``ektp manifest record`` reads the result.

Paths, each with its own card of one manifest:
- xlsx: the XLSX sheet, typed into, saved as ODS (Calc's own format), opened again and
  saved as XLSX: the text-formatted NIK and KK cells keep every digit.
- csv bare: the CSV sheet through Calc's CSV import, 16 bare digits typed, saved as CSV.
- csv grouped: the same with the digits typed in four groups, as the sheet's header asks.
- csv bare via xlsx: bare digits typed into the CSV sheet, kept in the Excel format (as an
  office that saves its work as .xlsx does), then saved as CSV for ektp.
The proxy's KK genuinely ends in 0 (as about one KK in ten does), so it is what
``--digits-checked`` is for. All typing is one Calc start (testkit.libreoffice).
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from testkit.cli import event_count, run
from testkit.delivery_cli import COURIER, dispatched_round
from testkit.libreoffice import (
    CSV_FILTER,
    CSV_IMPORT,
    ODS_FILTER,
    XLSX_FILTER,
    Calc,
    CalcUnavailable,
)

from ektp.entrypoints.composition import open_office

OWNER_KK = "3517080101901230"  # genuinely ends in 0
PROXY_NIK = "3517081203851234"
ROUNDED_NIK = "3517081203851230"  # what 15 significant digits leave of it
OWNERS = {"3517081409820003": "Siti Lestari", "3517084804010004": "Dewi Lestari",
          "3517085505880005": "Rina Lestari", "3517086101770006": "Ayu Lestari"}


@pytest.fixture(scope="module")
def calc(tmp_path_factory: pytest.TempPathFactory) -> Calc:
    try:
        return Calc(tmp_path_factory.mktemp("calc"))
    except CalcUnavailable as missing:
        pytest.fail(f"LibreOffice Calc is required for this test: {missing}")


def _proxy(nik: str, kk: str) -> dict[str, str]:
    return {"outcome": "handed-over", "recipient": "proxy", "relationship": "sibling",
            "verified-by": "kk", "proxy-nik": nik, "proxy-name": "Hendra Gunawan",
            "proxy-kk": kk, "evidence": "TTD-1"}


def _xlsx_cells(path: Path, card: str, typed: dict[str, str]) -> list[list[str]]:
    """The steps typing `typed` into `card`'s row of the XLSX sheet (cells by header)."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = next(r for r in sheet.iter_rows() if any(c.value == "Outcome" for c in r))
    columns = {str(c.value).lower().replace(" ", "-"): c.column for c in header if c.value}
    row = next(c.row for c in sheet[get_column_letter(columns["card"])] if c.value == card)
    return [["type", f"{get_column_letter(columns[k])}{row}", v] for k, v in typed.items()]


def _csv_cells(path: Path, card: str, typed: dict[str, str]) -> list[list[str]]:
    """The same for the CSV sheet (headers matched without their hint in parentheses)."""
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    columns = {h.split(" (")[0]: n for n, h in enumerate(lines[0], start=1)}
    row = next(n for n, line in enumerate(lines, start=1) if line[1:2] == [card])
    return [["type", f"{get_column_letter(columns[k])}{row}", v] for k, v in typed.items()]


def _recorded(db: Path) -> dict[str, tuple[str, str]]:
    """Each handed-over card's proxy NIK and KK, as ektp stored them."""
    with open_office(f"sqlite:///{db}") as office:
        return {str(r.stream_id): (r.event.recipient.nik, r.event.recipient.kk)  # type: ignore[attr-defined]
                for r in office.events_since() if r.type == "HandedOver"}


@pytest.mark.slow
def test_the_sheet_survives_libreoffice_calc(calc: Calc, tmp_path: Path) -> None:
    db = tmp_path / "office.db"
    manifest, (on_xlsx, on_bare, on_grouped, on_via) = dispatched_round(db, OWNERS, OWNER_KK)
    sheet_xlsx, sheet_csv = tmp_path / "sheet.xlsx", tmp_path / "sheet.csv"
    assert run("manifest", "sheet", manifest, "--format", "xlsx", "--output", str(sheet_xlsx), db=db).code == 0
    assert run("manifest", "sheet", manifest, "--format", "csv", "--output", str(sheet_csv), db=db).code == 0
    bare, grouped = _proxy(PROXY_NIK, OWNER_KK), _proxy("3517 0812 0385 1234", "3517 0801 0190 1230")
    out = {name: tmp_path / name for name in ("filled.ods", "filled.xlsx", "bare.csv", "grouped.csv",
                                              "kept.xlsx", "via.csv")}
    control = ["type", "Z1", PROXY_NIK]  # the same digits typed into an ordinary (General) cell
    started = time.monotonic()
    calc.run([
        ["open", str(sheet_xlsx)], *_xlsx_cells(sheet_xlsx, on_xlsx, bare), control,
        ["save", str(out["filled.ods"]), ODS_FILTER], ["close"],
        ["open", str(out["filled.ods"])], ["save", str(out["filled.xlsx"]), XLSX_FILTER], ["close"],
        ["open", str(sheet_csv), CSV_IMPORT], *_csv_cells(sheet_csv, on_bare, bare),
        ["save", str(out["bare.csv"]), CSV_FILTER, CSV_IMPORT], ["close"],
        ["open", str(sheet_csv), CSV_IMPORT], *_csv_cells(sheet_csv, on_grouped, grouped),
        ["save", str(out["grouped.csv"]), CSV_FILTER, CSV_IMPORT], ["close"],
        ["open", str(sheet_csv), CSV_IMPORT], *_csv_cells(sheet_csv, on_via, bare),
        ["save", str(out["kept.xlsx"]), XLSX_FILTER], ["close"],
        ["open", str(out["kept.xlsx"])], ["save", str(out["via.csv"]), CSV_FILTER, CSV_IMPORT], ["close"],
    ])
    print(f"LibreOffice job: {time.monotonic() - started:.1f} s")

    # The typing is real: in a General cell Calc made the digits a number, which the
    # XLSX file keeps to 15 significant digits; the sheet's text cells kept them.
    control_cell = openpyxl.load_workbook(out["filled.xlsx"]).worksheets[0]["Z1"].value
    assert control_cell in (int(ROUNDED_NIK), float(ROUNDED_NIK)), control_cell
    via = out["via.csv"].read_text(encoding="utf-8")
    assert ROUNDED_NIK in via and PROXY_NIK not in via, "Calc no longer rounds the bare NIK"
    assert "3517 0812 0385 1234" in out["grouped.csv"].read_text(encoding="utf-8")

    def record(name: str, *flags: str) -> tuple[int, str]:
        done = run("manifest", "record", manifest, "--file", str(out[name]), *flags, db=db, **COURIER)
        assert "Traceback" not in done.err
        return done.code, done.err

    # Refused, nothing recorded: a bare KK ending in 0 (bare.csv), a rounded NIK (via.csv).
    before = event_count(db)
    for name in ("bare.csv", "via.csv"):
        code, err = record(name)
        assert code == 2 and "spreadsheet" in err and "nothing was recorded" in err, err
    assert event_count(db) == before and _recorded(db) == {}

    assert record("grouped.csv") == (0, "")
    assert record("filled.xlsx") == (0, "")
    assert record("bare.csv", "--digits-checked") == (0, "")
    assert record("via.csv", "--digits-checked") == (0, "")
    recorded = _recorded(db)
    print("recorded:", {path: recorded[card] for path, card in
                        (("xlsx", on_xlsx), ("csv grouped", on_grouped),
                         ("csv bare --digits-checked", on_bare),
                         ("csv bare via xlsx --digits-checked", on_via))})
    assert recorded[on_xlsx] == (PROXY_NIK, OWNER_KK)
    assert recorded[on_grouped] == (PROXY_NIK, OWNER_KK)
    assert recorded[on_bare] == (PROXY_NIK, OWNER_KK)  # Calc's CSV kept these 16 digits
    # --digits-checked is the clerk's word: given for a rounded NIK, the wrong NIK is recorded.
    assert recorded[on_via] == (ROUNDED_NIK, OWNER_KK)
