"""Reading a courier's results file: one row per card outcome, every cell as text.

Columns (header names ignore case, spaces, underscores and a hint in parentheses):
``card`` (card id or NIK), ``outcome`` (handed-over, attempt-failed, returned),
``recipient`` (owner, proxy), ``relationship``, ``verified-by``, ``evidence``,
``reason``, and for a proxy ``proxy-nik``, ``proxy-name``, ``proxy-kk``; optionally
``place``, ``old-card`` and ``at`` (when it happened). Other columns (those of ``ektp manifest sheet``) are
ignored, so the filled-in sheet itself can be recorded. The header is the first row
naming ``card`` and ``outcome`` (the XLSX sheet has title lines above it).

A NIK is read as text and never repaired (`ektp.application.tables.digits`): a
spreadsheet that stored it as a number shows it in E-notation, with a trailing ``.0``,
with digits lost, or ending in 0, and such a row is refused rather than guessed. The
XLSX reader lives in `ektp.adapters.spreadsheet`; it gives the same `Table`.
"""

from __future__ import annotations

from ektp.application.tables.csv_text import read_csv_table
from ektp.application.tables.digits import number_text
from ektp.application.tables.table import TableRow

__all__ = ["OPTIONAL", "REQUIRED", "WHAT", "ResultRow", "number_text", "read_results"]

REQUIRED = ("card", "outcome")
# Every other column a row's reading looks at (`ektp.application.manifest.results`); the
# courier's sheet (CSV and XLSX) carries each of them, so a filled sheet records whole.
OPTIONAL = ("recipient", "relationship", "verified-by", "evidence", "reason", "proxy-nik",
            "proxy-name", "proxy-kk", "place", "old-card", "at")
WHAT = "results file"  # how messages name the file
# One row of a results file (the embedding API's name for a table row).
ResultRow = TableRow


def read_results(text: str) -> list[ResultRow]:
    """The rows of a results CSV (comma, semicolon or tab separated); raise on a bad header."""
    return list(read_csv_table(text, REQUIRED, WHAT).rows)
