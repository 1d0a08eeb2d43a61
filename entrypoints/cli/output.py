"""Printing results: a readable text for people, one JSON document with ``--json``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

import click

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, (UUID, dt.date)):
        return str(value)
    raise TypeError(type(value).__name__)


def to_json(data: Any) -> str:
    """`data` as one line of JSON (datetimes in UTC ISO 8601)."""
    return json.dumps(data, default=_json_default, ensure_ascii=False, sort_keys=True)


def emit(as_json: bool, data: Any, text: str | None = None) -> None:
    """Print `data` as JSON, or `text` for people."""
    click.echo(to_json(data) if as_json or text is None else text)


def count(n: int, word: str, plural: str | None = None) -> str:
    """``1 card``, ``2 cards``, ``0 cards`` (`plural` when adding an s is wrong)."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def local_time(value: dt.datetime | None) -> str:
    """A time as the office reads it: ``2017-11-14 09:30 WIB``."""
    if value is None:
        return "-"
    return value.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain aligned text table."""
    cells = [[str(h) for h in headers]] + [["-" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# A spreadsheet treats a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula: text starting with = + - @ (or a
    tab or carriage return) gets a leading apostrophe; numbers and plain negative
    numbers are left as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    body = value[1:]
    if value[0] == "-" and body.replace(".", "", 1).isdigit():
        return value
    return "'" + value


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `neutralise` (every CSV ektp prints)."""

    def __init__(self, out: Any, lineterminator: str = "\n") -> None:
        import csv

        self._writer = csv.writer(out, lineterminator=lineterminator)

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row."""
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write many rows."""
        for row in rows:
            self.writerow(row)
