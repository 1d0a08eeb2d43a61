"""Every word of the courier's sheet a person reads, in one place: titles, heading
lines, column headers, the dropdown lists and their prompts, for the text, CSV and XLSX
formats (the A4 paper sheet's Indonesian words are in `ektp.entrypoints.documents.words`).
A translation (gettext) replaces the labels here and nowhere else.

What ektp stores and reads stays the documented codes (``handed-over``, ``proxy-nik``):
a dropdown shows `CHOICES`' labels, and `as_codes` turns a label picked from one back
into its code before a results file is checked. Today's English labels are the codes
themselves, so a sheet filled in by hand and the README's codes read the same.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

import attrs

from ektp.application.kernel.i18n import N_
from ektp.application.manifest.views import Sheet
from ektp.application.tables.table import Table, TableRow, column_key
from ektp.domain.card.vocabulary import (
    AttemptFailureReason,
    HandOverPlace,
    RecipientKind,
    Relationship,
    Verification,
)
from ektp.domain.manifest.vocabulary import Outcome
from ektp.entrypoints.cli.output import count

SHEET_TITLE = "Courier sheet"  # the workbook's worksheet
LISTS_TITLE = "Lists"  # the hidden worksheet holding the dropdown lists
# Translated by `table` ("No.", not "no", which the catalog has as the word "tidak").
TEXT_HEADERS = (N_("No."), N_("NIK"), N_("name"), N_("address"), N_("phone"), N_("recipient"),
                N_("relationship"), N_("signature"))
GROUPED_NIK, GROUPED_KK = "3517 0812 0385 1234", "3517 0801 0190 0001"


def heading(sheet: Sheet) -> list[str]:
    """The sheet's title lines: office and manifest, courier and day, villages."""
    m = sheet.manifest
    return [
        f"{sheet.office_name}: delivery manifest {m.id}",
        f"Courier {m.courier}, {m.date.isoformat()}, {count(len(sheet.rows), 'card')}, "
        f"seal {m.seal_number or '-'} ({m.status})",
        "Villages: " + "; ".join(sheet.village_labels),
    ]


def footer(sheet: Sheet) -> str:
    """The line printed at the foot of each page of the workbook."""
    return f"Manifest {sheet.manifest.id}, courier {sheet.manifest.courier}"


def _labels(vocabulary: type[enum.StrEnum]) -> dict[str, str]:
    # The English label of a code is the code: what people pick is what the README documents.
    return {member.value: member.value for member in vocabulary}


# column code -> {code: the label a dropdown shows}
CHOICES: Mapping[str, Mapping[str, str]] = {
    "outcome": _labels(Outcome),
    "recipient": _labels(RecipientKind),
    "relationship": _labels(Relationship),
    "verified-by": _labels(Verification),
    "reason": _labels(AttemptFailureReason),
    "place": _labels(HandOverPlace),
}


@attrs.frozen
class SheetColumn:
    """A column of the workbook: the code ektp reads, and what people see."""

    code: str
    label: str
    width: float
    prompt: str | None = None
    strict: bool = True  # only the dropdown's values (False: the list only suggests)
    printed: bool = True


# The workbook's columns, in the order people fill them in; the card id is for ektp only,
# so it is last and not printed. The results reader finds its columns by their headers,
# so a workbook made before a column was added (dusun, phone) reads back the same.
XLSX_COLUMNS = (
    SheetColumn("no", "No", 4),
    SheetColumn("code", "Code", 10, "The card's short code, as on its receipt and QR code"),
    SheetColumn("kecamatan", "Kecamatan", 14),
    SheetColumn("village", "Village", 20),
    SheetColumn("dusun", "Dusun", 12),
    SheetColumn("rt", "RT", 5),
    SheetColumn("rw", "RW", 5),
    SheetColumn("nik", "NIK", 18),
    SheetColumn("name", "Name", 22),
    SheetColumn("phone", "Phone", 15, "The resident's phone number, when the request gave it"),
    SheetColumn("outcome", "Outcome", 14, "handed-over, attempt-failed or returned"),
    SheetColumn("recipient", "Recipient", 10, "owner, or proxy (then the proxy's columns)"),
    SheetColumn("relationship", "Relationship", 13, "The proxy's relationship to the owner"),
    SheetColumn("verified-by", "Verified by", 11, "How the recipient's identity was checked"),
    SheetColumn("proxy-nik", "Proxy NIK", 21,
                "The proxy's NIK, all 16 digits: this cell keeps them as typed"),
    SheetColumn("proxy-name", "Proxy name", 20),
    SheetColumn("proxy-kk", "Proxy KK", 21,
                "The proxy's family card (KK) number, all 16 digits, the owner's KK"),
    SheetColumn("reason", "Reason", 18,
                "attempt-failed: pick a reason; returned: write why", strict=False),
    SheetColumn("evidence", "Evidence", 12, "The signature or photo reference"),
    SheetColumn("place", "Place", 10, "Where it was handed over (empty: door)"),
    SheetColumn("old-card", "Old card", 12,
                "damaged or data-change request: the serial of the surrendered old card"),
    SheetColumn("at", "At", 17, "When it happened: YYYY-MM-DD HH:MM (empty: when recorded)"),
    SheetColumn("signature", "Signature", 16),
    SheetColumn("card", "Card", 38, printed=False),
)

# The CSV sheet's header: the results file's column names, the NIK and KK columns with
# the four groups that keep a spreadsheet from taking them for numbers.
CSV_HEADER = ("no", "card", "code", "kecamatan", "village", "rt", "rw", "nik", "name", "address",
              "phone", "request", "outcome", "recipient", "relationship", "verified-by", "evidence", "reason",
              f"proxy-nik (4 groups: {GROUPED_NIK})", "proxy-name",
              f"proxy-kk (4 groups: {GROUPED_KK})", "place", "old-card", "at (YYYY-MM-DD HH:MM)",
              "signature")


def header_aliases(columns: Sequence[SheetColumn] = XLSX_COLUMNS) -> dict[str, str]:
    """Each workbook header label as the column code it stands for."""
    return {column.label: column.code for column in columns}


def as_codes(table: Table, choices: Mapping[str, Mapping[str, str]] = CHOICES) -> Table:
    """`table` with every dropdown label in a choice column turned back into its code."""
    codes = {column: {column_key(label): code for code, label in labels.items()}
             for column, labels in choices.items()}

    def relabel(row: TableRow) -> TableRow:
        cells = dict(row.cells)
        for column, by_label in codes.items():
            text = cells.get(column, "").strip()
            if text and column_key(text) in by_label:
                cells[column] = by_label[column_key(text)]
        return attrs.evolve(row, cells=cells)

    return attrs.evolve(table, rows=tuple(relabel(row) for row in table.rows))
