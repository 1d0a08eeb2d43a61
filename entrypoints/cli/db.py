"""``ektp db ...``: create and check the database (events and read models)."""

from __future__ import annotations

import click

from ektp.entrypoints.cli.output import emit, table
from ektp.entrypoints.cli.session import session


@click.group()
def db() -> None:
    """Create or check the database that --db names."""


@db.command()
def init() -> None:
    """Create the event and read-model tables that are missing, then fill the read models.

    Safe to run again: it only adds what is missing.
    """
    s = session()
    statuses = s.office(must_exist=False).reports.initialise_database()
    emit(s.as_json, {"ready": True, "projections": [{"name": p.name, "position": p.position}
                                                    for p in statuses]},
         f"database ready: {len(statuses)} read models up to date.")


@db.command()
def check() -> None:
    """Say what --db connects to and whether its schema is current (creates nothing).

    Exit code 0 when current, 1 when something is missing or outdated
    (run ``ektp db init``), 5 when the database cannot be reached.
    """
    from ektp.entrypoints.cli import exit_codes

    s = session()
    status = s.office(must_exist=True, create_tables=False).reports.database_status()
    data = {
        "url": status.url, "engine": status.engine, "server_version": status.server_version,
        "event_tables": status.event_tables, "missing_read_model_tables": list(status.missing_read_model_tables),
        "projections": [{"name": p.name, "position": p.position, "lag": p.lag, "version": p.version,
                         "current_version": p.current_version} for p in status.projections],
        "current": status.current,
    }
    lines = [
        f"database     {status.url}",
        f"engine       {status.engine} {status.server_version}",
        f"event tables {'present' if status.event_tables else 'MISSING'}",
        "read models  " + ("MISSING " + ", ".join(status.missing_read_model_tables)
                           if status.missing_read_model_tables else "present"),
    ]
    if status.projections:
        lines.append(table(["projection", "position", "lag", "version"],
                           [(p.name, p.position, p.lag,
                             f"{p.version}" + ("" if p.version == p.current_version
                                               else f" (code has {p.current_version})"))
                            for p in status.projections]))
    lines.append("schema is current." if status.current else "schema is NOT current: run `ektp db init`.")
    emit(s.as_json, data, "\n".join(lines))
    if not status.current:
        raise SystemExit(exit_codes.REFUSED)
