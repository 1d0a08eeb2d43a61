"""Every word of the courier's sheet a person reads, in one place: titles, heading
lines, column headers, the dropdown lists and their prompts, for the text, CSV and XLSX
formats (the A4 paper sheet's Indonesian words are in `ektp.entrypoints.documents.words`).
The labels are English here, marked for the catalogs, and said in the language in
force where a sheet is made (`choices`, `xlsx_columns`, `heading`); the CSV sheet's
header stays the results file's column names (codes), which a script reads.

What ektp stores and reads stays the documented codes (``handed-over``, ``proxy-nik``):
a dropdown shows `choices()`' labels, and `as_codes` turns a label picked from one back
into its code before a results file is checked, in any of ektp's languages (a sheet
made in Indonesian is read back by a clerk working in English too). The English labels
are the codes themselves, so a sheet filled in by hand and the README's codes read the same.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence

import attrs

from ektp.application.kernel.code_words import code_word
from ektp.application.kernel.i18n import N_, _, speaking
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
from ektp.entrypoints.cli.output import counted

SHEET_TITLE = N_("Courier sheet")  # the workbook's worksheet
LISTS_TITLE = N_("Lists")  # the hidden worksheet holding the dropdown lists
# Translated by `table` ("no.", not "no", which the catalog has as the word "tidak").
TEXT_HEADERS = (N_("no."), N_("NIK"), N_("name"), N_("address"), N_("phone"), N_("recipient"),
                N_("relationship"), N_("signature"))
GROUPED_NIK, GROUPED_KK = "3517 0812 0385 1234", "3517 0801 0190 0001"


def heading(sheet: Sheet) -> list[str]:
    """The sheet's title lines: office and manifest, courier and day, villages."""
    m = sheet.manifest
    return [
        _("{office}: delivery manifest {manifest}").format(office=sheet.office_name, manifest=m.id),
        _("Courier {courier}, {date}, {cards}, seal {seal} ({status})").format(
            courier=m.courier, date=m.date.isoformat(),
            cards=counted(len(sheet.rows), "{n} card", "{n} cards"), seal=m.seal_number or "-",
            status=m.status),
        _("Villages: {villages}").format(villages="; ".join(sheet.village_labels)),
    ]


def footer(sheet: Sheet) -> str:
    """The line printed at the foot of each page of the workbook."""
    return _("Manifest {manifest}, courier {courier}").format(
        manifest=sheet.manifest.id, courier=sheet.manifest.courier)


def _labels(vocabulary: type[enum.StrEnum]) -> dict[str, str]:
    # The English label of a code is the code: what people pick is what the README documents.
    return {member.value: member.value for member in vocabulary}


# column code -> {code: the label a dropdown shows}: in English, the codes themselves.
CHOICES: Mapping[str, Mapping[str, str]] = {
    "outcome": _labels(Outcome),
    "recipient": _labels(RecipientKind),
    "relationship": _labels(Relationship),
    "verified-by": _labels(Verification),
    "reason": _labels(AttemptFailureReason),
    "place": _labels(HandOverPlace),
}


def choice_labels() -> dict[str, dict[str, str]]:
    """`CHOICES` with each label in the language in force (the workbook's dropdowns)."""
    return {column: {code: code_word(code) for code in labels}
            for column, labels in CHOICES.items()}


def _every_language(make: Callable[[], Mapping[str, str]]) -> dict[str, str]:
    # What `make` gives in each of ektp's languages, merged: a sheet is read back
    # whatever language it was made in.
    from ektp.adapters.i18n import LANGUAGES, CatalogMissing, translations

    merged: dict[str, str] = {}
    for lang in LANGUAGES:
        try:
            with speaking(translations(lang)):
                merged.update(make())
        except CatalogMissing:  # not compiled: that language's labels are not known
            continue
    return merged


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
    SheetColumn("no", N_("No."), 4),
    SheetColumn("code", N_("Code"), 10, N_("The card's short code, as on its receipt and QR code")),
    SheetColumn("kecamatan", N_("Kecamatan"), 14),
    SheetColumn("village", N_("Village"), 20),
    SheetColumn("dusun", N_("Dusun"), 12),
    SheetColumn("rt", N_("RT"), 5),
    SheetColumn("rw", N_("RW"), 5),
    SheetColumn("nik", N_("NIK"), 18),
    SheetColumn("name", N_("Name"), 22),
    SheetColumn("phone", N_("Phone"), 15, N_("The resident's phone number, when the request gave it")),
    SheetColumn("outcome", N_("Outcome"), 14, N_("handed-over, attempt-failed or returned")),
    SheetColumn("recipient", N_("Recipient"), 10, N_("owner, or proxy (then the proxy's columns)")),
    SheetColumn("relationship", N_("Relationship"), 13, N_("The proxy's relationship to the owner")),
    SheetColumn("verified-by", N_("Verified by"), 11, N_("How the recipient's identity was checked")),
    SheetColumn("proxy-nik", N_("Proxy NIK"), 21,
                N_("The proxy's NIK, all 16 digits: this cell keeps them as typed")),
    SheetColumn("proxy-name", N_("Proxy name"), 20),
    SheetColumn("proxy-kk", N_("Proxy KK"), 21,
                N_("The proxy's family card (KK) number, all 16 digits, the owner's KK")),
    SheetColumn("reason", N_("Reason"), 18,
                N_("attempt-failed: pick a reason; returned: write why"), strict=False),
    SheetColumn("evidence", N_("Evidence"), 12, N_("The signature or photo reference")),
    SheetColumn("place", N_("Place"), 10, N_("Where it was handed over (empty: door)")),
    SheetColumn("old-card", N_("Old card"), 12,
                N_("damaged or data-change request: the serial of the surrendered old card")),
    SheetColumn("at", N_("At"), 17, N_("When it happened: YYYY-MM-DD HH:MM (empty: when recorded)")),
    SheetColumn("signature", N_("Signature"), 16),
    SheetColumn("card", N_("Card"), 38, printed=False),
)

# The CSV sheet's header: the results file's column names, the NIK and KK columns with
# the four groups that keep a spreadsheet from taking them for numbers.
CSV_HEADER = ("no", "card", "code", "kecamatan", "village", "rt", "rw", "nik", "name", "address",
              "phone", "request", "outcome", "recipient", "relationship", "verified-by", "evidence", "reason",
              f"proxy-nik (4 groups: {GROUPED_NIK})", "proxy-name",
              f"proxy-kk (4 groups: {GROUPED_KK})", "place", "old-card", "at (YYYY-MM-DD HH:MM)",
              "signature")


def xlsx_columns() -> tuple[SheetColumn, ...]:
    """`XLSX_COLUMNS` with their labels and prompts in the language in force."""
    return tuple(attrs.evolve(c, label=_(c.label), prompt=_(c.prompt) if c.prompt else None)
                 for c in XLSX_COLUMNS)


def header_aliases(columns: Sequence[SheetColumn] | None = None) -> dict[str, str]:
    """Each workbook header label as the column code it stands for (by default the
    workbook's labels in every language ektp speaks)."""
    if columns is None:
        # "No": the label of the first column in workbooks made before the labels were
        # translated; such a sheet is still read back.
        return {"No": "no", **_every_language(lambda: header_aliases(xlsx_columns()))}
    return {column.label: column.code for column in columns}


def as_codes(table: Table, choices: Mapping[str, Mapping[str, str]] | None = None) -> Table:
    """`table` with every dropdown label in a choice column turned back into its code
    (by default a label in any language ektp speaks)."""
    if choices is None:
        codes = {column: {column_key(label): code for label, code in _every_language(
            lambda column=column: {label: code  # type: ignore[misc]
                                   for code, label in choice_labels()[column].items()}).items()}
                 for column in CHOICES}
    else:
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

