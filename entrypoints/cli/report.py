"""``ektp report ...``: the head of office's figures, from the read models."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import click

from ektp.entrypoints.cli.output import emit, local_time, table
from ektp.entrypoints.cli.session import session

CSV = click.option("--csv", "as_csv", is_flag=True, help="Comma-separated values for spreadsheets.")
DAILY_METRICS = ("requests", "printed", "spoiled", "dispatched", "handed_over", "returned",
                 "failed_attempts", "cancelled")


def _csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")


def _show(data: Any, headers: Sequence[str], rows: Sequence[Sequence[object]], as_csv: bool,
          empty: str = "nothing to report.") -> None:
    s = session()
    if as_csv and not s.as_json:
        click.echo(_csv(headers, rows))
    else:
        emit(s.as_json, data, table(headers, rows) if rows else empty)


@click.group()
def report() -> None:
    """Figures for the head of office (``--json`` before the group, or ``--csv``)."""


@report.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="The day (default today, WIB).")
@CSV
def daily(day: dt.datetime | None, as_csv: bool) -> None:
    """One day's requests, prints, spoiled blanks, dispatches, hand-overs and returns."""
    figures = session().office(must_exist=True).daily_report(day.date() if day else None)
    counts = {metric: figures.counts.get(metric, 0) for metric in DAILY_METRICS}
    _show({"date": figures.day.isoformat(), **counts}, ["date", *DAILY_METRICS],
          [(figures.day.isoformat(), *counts.values())], as_csv)


@report.command()
@CSV
def backlog(as_csv: bool) -> None:
    """Open cards per kecamatan by state and age band, oldest first."""
    rows = session().office(must_exist=True).backlog_report()
    data = [{"kecamatan": r.kecamatan, "status": r.status, "age_band": r.age_band, "cards": r.cards,
             "oldest_requested_at": r.oldest_requested_at} for r in rows]
    _show(data, ["kecamatan", "status", "age band", "cards", "oldest request"],
          [(r.kecamatan, r.status, r.age_band, r.cards, local_time(r.oldest_requested_at)) for r in rows],
          as_csv, "no open cards.")


@report.command()
@CSV
def villages(as_csv: bool) -> None:
    """Coverage per village: requests, handed over, still open, cancelled."""
    rows = session().office(must_exist=True).village_report()
    data = [{"village": r.village, "requested": r.requested, "handed_over": r.handed_over,
             "open": r.open, "cancelled": r.cancelled,
             "coverage": None if r.coverage is None else f"{r.coverage:.3f}"} for r in rows]
    _show(data, ["village", "requested", "handed over", "open", "cancelled", "coverage"],
          [(r.village, r.requested, r.handed_over, r.open, r.cancelled,
            "-" if r.coverage is None else f"{r.coverage:.0%}") for r in rows], as_csv)
