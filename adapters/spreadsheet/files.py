"""A file a person filled in, read as a `Table` whatever its format: an XLSX workbook or
CSV text, told apart by content (a renamed file still reads); formats ektp does not read
(OpenDocument, the old binary .xls) are refused with what to save instead."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence

from ektp.application.kernel.i18n import N_, _
from ektp.application.tables.csv_text import read_csv_table
from ektp.application.tables.table import Table, build_table
from ektp.domain.errors import InvalidText

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Excel (.xls) container
_SAVE_AS = N_("save it as an Excel workbook (.xlsx) or as CSV")


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
                    aliases: Mapping[str, str] | None = None, *,
                    any_encoding: bool = False) -> Table:
    """The table in a file's bytes: an XLSX workbook's first visible sheet, or CSV text
    (UTF-8; with `any_encoding` also UTF-16 and Windows-1252, see `decode_text`); `what`
    names the file in messages (``results file``)."""
    kind = file_format(data)
    if kind == "xlsx":
        from ektp.adapters.spreadsheet.xlsx_reader import workbook_grid

        return build_table(workbook_grid(data, what), required, what, aliases)
    if kind == "ods":
        raise InvalidText(field=_("the {what}").format(what=_(what)),
                          reason=_("it is an OpenDocument spreadsheet (.ods); {advice}").format(advice=_(_SAVE_AS)))
    if kind == "xls":
        raise InvalidText(field=_("the {what}").format(what=_(what)),
                          reason=_("it is an old Excel 97-2003 workbook (.xls); {advice}").format(advice=_(_SAVE_AS)))
    if kind == "zip":
        raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_("it is a ZIP file but no workbook; {advice}").format(advice=_(_SAVE_AS)))
    if any_encoding:
        text = decode_text(data, what)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_("it is not UTF-8 text")) from None
    if "\x00" in text:
        raise InvalidText(field=_("the {what}").format(what=_(what)), reason=_("it is not text; {advice}").format(advice=_(_SAVE_AS)))
    return read_csv_table(text, required, what, aliases)


def decode_text(data: bytes, what: str) -> str:
    """A CSV file's text in the encodings an office's spreadsheet saves: UTF-8 (with or
    without a BOM), UTF-16 (Excel's "Unicode text", with a BOM, or without one when its
    NUL bytes say so), else Windows-1252 (Excel's "CSV" on a Western Windows). Each is
    decoded strictly: bytes none of them reads are refused, never replaced."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # the BOM says which byte order, and is dropped
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif _utf16_without_bom(data[:4096]):
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise InvalidText(field=_("the {what}").format(what=_(what)),
                          reason=_("it is not text in UTF-8, UTF-16 or Windows-1252")) from None


def _utf16_without_bom(head: bytes) -> bool:
    """Whether `head` looks like BOM-less UTF-16 text: most of one byte of each pair NUL
    (Latin text), which no UTF-8 or Windows-1252 CSV has."""
    if len(head) < 4 or len(head) % 2:
        head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    return max(even, odd) > pairs * 0.6 and min(even, odd) == 0
