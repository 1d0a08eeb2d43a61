"""Printing results: a readable text for people, one JSON document with ``--json``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

import click

from ektp.application.kernel.i18n import N_, _, ngettext, pgettext

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
    """``1 card``, ``2 cards``, ``0 cards`` in English only (`plural` when adding an s is
    wrong); words for people use `counted`, which the catalogs translate."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def counted(n: int, singular: str, plural: str) -> str:
    """``counted(2, "{n} card", "{n} cards")``: the count's words in the language in force
    (both forms are literals at the call, so that the catalogs collect them)."""
    return ngettext(singular, plural, n).format(n=number(n))


def number(n: int) -> str:
    """A whole number as the language in force writes it: ``1,234`` or ``1.234``."""
    text = f"{n:,}"
    separator = pgettext("thousands separator", ",")
    return text if separator == "," else text.replace(",", separator)


def long_date(day: dt.date) -> str:
    """A day written out: ``2 December 2026``, ``2 Desember 2026``."""
    return _("{day} {month} {year}").format(
        day=day.day, month=_(MONTHS[day.month - 1]), year=day.year)


MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))


def local_time(value: dt.datetime | None) -> str:
    """A time as the office reads it: ``2017-11-14 09:30 WIB``."""
    if value is None:
        return "-"
    return value.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain aligned text table; its headers (marked with `N_` where they are written)
    are translated here."""
    cells = [[_(str(h)) if h else "" for h in headers]] + [["-" if c is None else str(c) for c in r] for r in rows]
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
