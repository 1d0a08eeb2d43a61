"""The courier's sheet as a workbook and the reader of filled-in files: what the XLSX
holds (text cells, dropdowns, frozen header, A4 page setup), how a filled workbook and
a CSV read back as the same table, and every kind of file that is refused."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile

import attrs
import openpyxl
import pytest

from ektp.adapters.spreadsheet.files import file_format, read_table_file
from ektp.adapters.spreadsheet.xlsx_reader import MAX_UNPACKED_BYTES
from ektp.application.manifest.results_file import REQUIRED, WHAT
from ektp.application.manifest.views import ManifestView, Sheet, SheetRow
from ektp.application.tables.table import CellKind
from ektp.domain.errors import InvalidText
from ektp.entrypoints.cli.sheet_labels import (
    CHOICES,
    XLSX_COLUMNS,
    SheetColumn,
    as_codes,
    header_aliases,
)
from ektp.entrypoints.cli.sheet_workbook import sheet_workbook

LABELS = [c.label for c in XLSX_COLUMNS]


def small_sheet(rows: int = 3) -> Sheet:
    manifest = ManifestView(
        id=uuid.UUID(int=7), status="DISPATCHED", version=3, courier="kurir.anto",
        date=dt.date(2017, 11, 14), villages=("35.17.08.2014",), cards=(),
        opened_by="op.wulan", opened_at=dt.datetime(2017, 11, 14, tzinfo=dt.timezone.utc),
        seal_number="SEGEL-0042", dispatched_by="op.wulan", dispatched_at=None,
        dispatched_count=rows, seal_intact=None, returned_by=None, returned_at=None,
        record_number=None, closed_at=None)
    body = tuple(SheetRow(number=n, card_id=uuid.UUID(int=n), kecamatan="35.17.08",
                          kecamatan_name="Diwek", village="35.17.08.2014", village_name="Ngudirejo",
                          rt=f"{n:03d}", rw="001", nik=f"3517********{n:04d}", name="Siti Lestari")
                 for n in range(1, rows + 1))
    return Sheet(manifest, ("35.17.08.2014 Ngudirejo, Kec. Diwek",), body, "Dispendukcapil Jombang")


def letter(label: str) -> str:
    return openpyxl.utils.get_column_letter(LABELS.index(label) + 1)


def test_the_workbook_keeps_every_cell_as_text_with_dropdowns_and_an_a4_page() -> None:
    book = openpyxl.load_workbook(io.BytesIO(sheet_workbook(small_sheet())))
    ws, lists = book.worksheets
    assert ws.title == "Courier sheet" and lists.sheet_state == "hidden"
    assert [c.value for c in ws[5]] == LABELS and ws.freeze_panes == "A6"
    for row in range(6, 9):
        for label in LABELS:
            assert ws[f"{letter(label)}{row}"].number_format == "@", (label, row)
    assert ws[f"{letter('Card')}6"].value == str(uuid.UUID(int=1))
    assert ws[f"{letter('Card')}6"].data_type == "s" and ws[f"{letter('RT')}6"].value == "001"
    lists_by_range = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    for code, label in [("outcome", "Outcome"), ("recipient", "Recipient"),
                        ("relationship", "Relationship"), ("verified-by", "Verified by"),
                        ("reason", "Reason"), ("place", "Place")]:
        rule = lists_by_range[f"{letter(label)}6:{letter(label)}8"]
        assert rule.type == "list" and rule.formula1.startswith("'Lists'!$")
        source = rule.formula1.split("!")[1].replace("$", "")
        assert [c.value for row in lists[source] for c in row] == list(CHOICES[code].values())
    assert lists_by_range[f"{letter('Outcome')}6:{letter('Outcome')}8"].showErrorMessage
    assert not lists_by_range[f"{letter('Reason')}6:{letter('Reason')}8"].showErrorMessage  # free text for returned
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"  # 9: A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$5"  # the header on every page
    assert str(ws.print_area).endswith(f"$A$1:${letter('Signature')}$8")  # the card id is not printed


def test_text_starting_with_an_equals_sign_is_text_not_a_formula() -> None:
    sheet = small_sheet(1)
    sheet = Sheet(sheet.manifest, sheet.village_labels, sheet.rows, '=HYPERLINK("http://x","y")')
    data = sheet_workbook(sheet)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    cell = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]["A1"]
    assert cell.data_type == "s" and str(cell.value).startswith('=HYPERLINK("http://x","y")')


def filled(sheet: Sheet, cells: dict[tuple[int, str], object]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(sheet_workbook(sheet)))
    for (row, label), value in cells.items():
        book.worksheets[0][f"{letter(label)}{row}"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes) -> list:  # type: ignore[type-arg]
    return list(as_codes(read_table_file(data, REQUIRED, WHAT, header_aliases())).rows)


def test_a_filled_workbook_reads_back_under_the_results_columns() -> None:
    rows = read(filled(small_sheet(), {
        (6, "Outcome"): "handed-over", (6, "Recipient"): "proxy", (6, "Proxy NIK"): "3517081203851230",
        (6, "Proxy KK"): 3517080101901230, (6, "Verified by"): "kk", (7, "Outcome"): "attempt-failed",
        (7, "Reason"): "not-at-home", (7, "Evidence"): 1234}))
    assert [r.line for r in rows] == [6, 7, 8]
    first = rows[0]
    assert first.get("card") == str(uuid.UUID(int=1)) and first.get("outcome") == "handed-over"
    assert first.get("proxy-nik") == "3517081203851230" and first.kind("proxy-nik") is CellKind.TEXT
    assert first.kind("proxy-kk") is CellKind.NUMBER  # refused later, never converted
    assert first.cell("proxy-nik").column == LABELS.index("Proxy NIK") + 1  # type: ignore[union-attr]
    assert rows[1].get("evidence") == "1234" and rows[2].get("outcome") is None


def test_translated_labels_are_read_back_as_the_codes() -> None:
    choices = {"outcome": {"handed-over": "Diserahkan", "attempt-failed": "Gagal diantar"}}
    columns = [SheetColumn("card", "Kartu", 10), SheetColumn("outcome", "Hasil", 10)]
    table = read_table_file("Kartu,Hasil\nx,diserahkan\ny,Gagal diantar\nz,returned\n".encode(),
                            REQUIRED, WHAT, header_aliases(columns))
    rows = as_codes(table, choices).rows
    assert [r.get("outcome") for r in rows] == ["handed-over", "attempt-failed", "returned"]
    assert [r.get("card") for r in rows] == ["x", "y", "z"]


def test_a_csv_and_its_header_hints() -> None:
    text = "Card;Outcome;proxy-nik (4 groups: 3517 0812 0385 1234)\n1;handed-over;3517 0812 0385 1234\n"
    (row,) = read_table_file(text.encode(), REQUIRED, WHAT).rows
    assert row.get("proxy-nik") == "3517 0812 0385 1234" and row.kind("proxy-nik") is CellKind.CSV
    with pytest.raises(InvalidText, match="names the column card twice"):
        read_table_file(b"card,outcome,Card\n1,x,2\n", REQUIRED, WHAT)
    with pytest.raises(InvalidText, match="lacks the column.s. outcome"):
        read_table_file(b"card,result\nx,y\n", REQUIRED, WHAT)


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("data", "said"), [
    (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""}),
     "OpenDocument spreadsheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "Excel 97-2003"),
    (_zip({"notes.txt": b"hello"}), "ZIP file but no workbook"),
    (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not a workbook"}),
     "cannot be read as an XLSX workbook"),
    (_zip({"[Content_Types].xml": b"x", "xl/workbook.xml": b"\0" * (MAX_UNPACKED_BYTES + 1)}),
     "far larger than a sheet"),
    (b"PK\x03\x04 truncated", "ZIP file but no workbook"),
    (b"card,outcome\n\xff\xfe,x\n", "not UTF-8"),
    (b"card,outcome\n\0\0\0,x\n", "not text"),
])
def test_files_that_are_no_sheet_are_refused_with_what_to_do(data: bytes, said: str) -> None:
    with pytest.raises(InvalidText, match=said):
        read_table_file(data, REQUIRED, WHAT)


def test_a_damaged_workbook_is_refused_not_a_traceback() -> None:
    whole = sheet_workbook(small_sheet())
    assert file_format(whole) == "xlsx"
    with pytest.raises(InvalidText):
        read_table_file(whole[: len(whole) // 2], REQUIRED, WHAT)


def test_the_workbook_shows_the_dusun_and_the_phone_as_text() -> None:
    sheet = small_sheet(2)
    first = attrs.evolve(sheet.rows[0], dusun="Krajan", phone="081234567890")
    sheet = Sheet(sheet.manifest, sheet.village_labels, (first, sheet.rows[1]), sheet.office_name)
    ws = openpyxl.load_workbook(io.BytesIO(sheet_workbook(sheet))).worksheets[0]
    assert ws[f"{letter('Dusun')}6"].value == "Krajan" and ws[f"{letter('Phone')}6"].value == "0812 3456 7890"
    assert ws[f"{letter('Phone')}6"].data_type == "s" and ws[f"{letter('Phone')}6"].number_format == "@"
    assert ws[f"{letter('Dusun')}7"].value is None and ws[f"{letter('Phone')}7"].value is None


def test_a_workbook_made_before_the_dusun_and_phone_columns_reads_back_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ektp.entrypoints.cli import sheet_workbook as module

    cells = {"Outcome": "handed-over", "Recipient": "proxy", "Proxy NIK": "3517081203851230",
             "Verified by": "kk", "Relationship": "spouse"}
    new = read(filled(small_sheet(), {(6, label): v for label, v in cells.items()}))
    # The sheet as ektp wrote it before the two columns: the others in the same order.
    before = tuple(c for c in XLSX_COLUMNS if c.code not in ("dusun", "phone"))
    monkeypatch.setattr(module, "XLSX_COLUMNS", before)
    book = openpyxl.load_workbook(io.BytesIO(module.sheet_workbook(small_sheet())))
    old_labels = [c.label for c in before]
    assert "Dusun" not in [c.value for c in book.worksheets[0][5]]
    for label, value in cells.items():
        book.worksheets[0][f"{openpyxl.utils.get_column_letter(old_labels.index(label) + 1)}6"] = value
    out = io.BytesIO()
    book.save(out)
    old = read(out.getvalue())
    results = ("card", "outcome", "recipient", "proxy-nik", "verified-by", "relationship", "reason")
    assert [[r.get(c) for c in results] for r in old] == [[r.get(c) for c in results] for r in new]
    assert old[0].get("outcome") == "handed-over" and old[0].get("proxy-nik") == "3517081203851230"
