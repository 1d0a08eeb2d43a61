"""A file a person filled in, read as a `Table` whatever its format: an XLSX workbook or
CSV text, told apart by content (a renamed file still reads); formats ektp does not read
(OpenDocument, the old binary .xls) are refused with what to save instead."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence

from ektp.application.tables.csv_text import read_csv_table
from ektp.application.tables.table import Table, build_table
from ektp.domain.errors import InvalidText

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Excel (.xls) container
_SAVE_AS = "save it as an Excel workbook (.xlsx) or as CSV"


def file_format(data: bytes) -> str:
    """``xlsx``, ``ods``, ``xls``, ``zip`` (some other ZIP) or ``text``, from the content."""
    if data.startswith(_OLE2):
        return "xls"
    if not data.startswith(_ZIP):
        return "text"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
                return "ods"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    return "xlsx" if "xl/workbook.xml" in names or "[Content_Types].xml" in names else "zip"


def read_table_file(data: bytes, required: Sequence[str], what: str,
                    aliases: Mapping[str, str] | None = None) -> Table:
    """The table in a file's bytes: an XLSX workbook's first visible sheet, or CSV text
    (UTF-8); `what` names the file in messages (``results file``)."""
    kind = file_format(data)
    if kind == "xlsx":
        from ektp.adapters.spreadsheet.xlsx_reader import workbook_grid

        return build_table(workbook_grid(data, what), required, what, aliases)
    if kind == "ods":
        raise InvalidText(field=f"the {what}",
                          reason=f"it is an OpenDocument spreadsheet (.ods); {_SAVE_AS}")
    if kind == "xls":
        raise InvalidText(field=f"the {what}",
                          reason=f"it is an old Excel 97-2003 workbook (.xls); {_SAVE_AS}")
    if kind == "zip":
        raise InvalidText(field=f"the {what}", reason=f"it is a ZIP file but no workbook; {_SAVE_AS}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidText(field=f"the {what}", reason="it is not UTF-8 text") from None
    if "\x00" in text:
        raise InvalidText(field=f"the {what}", reason=f"it is not text; {_SAVE_AS}")
    return read_csv_table(text, required, what, aliases)
