"""``ektp db ...``: create and check the database (events, read models, the staff register)."""

from __future__ import annotations

import click

from ektp.entrypoints.cli.output import emit, table
from ektp.entrypoints.cli.session import session


@click.group()
def db() -> None:
    """Create or check the database that --db names."""


@db.command()
@click.option("--head", metavar="LOGIN",
              help="Found the staff register with LOGIN as its first head of office "
                   "(only while the register is empty).")
@click.option("--name", help="The head of office's name (with --head).")
@click.option("--nip", help="The head of office's NIP (with --head).")
@click.option("--group", metavar="GROUP",
              help="SQLite: the OS group whose members may open the file (mode 0660; its "
                   "folder must be GROUP's, setgid). PostgreSQL: the staff group role "
                   "(default ektp_staff).")
def init(head: str | None, name: str | None, nip: str | None, group: str | None) -> None:
    """Create what is missing: the event and read-model tables, their protection, and
    (with --head) the staff register with its first head of office.

    On SQLite the file is created readable by its owner only (0600), or by GROUP
    too (0660). On PostgreSQL, run it as the tables' owner: the event tables become
    append-only, each row signed with the login that inserted it, and the staff
    group role gets only the privileges ektp's commands need. Safe to run again:
    it only adds what is missing.
    """
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.application.errors import SetupRefused
    from ektp.domain.actor import Actor, Role
    from ektp.domain.errors import InvalidText

    s = session()
    if (name or nip) and not head:
        raise InvalidText(field="--name/--nip", reason="they describe the head given with --head")
    url = DatabaseUrl.parse(s.db)
    notes: list[str] = []
    if url.kind == "sqlite":
        from ektp.adapters.event_store import sqlite_file

        try:
            if group:
                sqlite_file.share_with(url.path, group)
                notes.append(f"database file shared with group {group} (mode 0660)")
            elif _exists(url.path):
                notes.append(sqlite_file.make_private(url.path))
            else:
                notes.append("database file private to its owner (mode 0600)")
        except sqlite_file.FilePermissionProblem as problem:
            raise SetupRefused(reason=str(problem)) from None
    office = s.office(must_exist=False)
    statuses = office.reports.initialise_database()
    if url.kind == "postgresql":
        from ektp.adapters.postgres_admin import DEFAULT_GROUP, NotOwner, secure_database

        try:
            notes += secure_database(url, group or DEFAULT_GROUP)
        except NotOwner as problem:
            if group:
                raise SetupRefused(reason=str(problem)) from None
            click.echo(f"ektp: warning: {problem}", err=True)
    founded = None
    if head:
        founder = Actor(office.staff.whoami().login, Role.HEAD)
        founded = office.staff.found(founder, head, name=name, nip=nip)
        notes.append(f"staff register founded: {founded.login} is head of office")
        notes += founded.notes
    elif not office.staff.founded():
        notes.append("the staff register is empty: nobody may act until "
                     "'ektp db init --head LOGIN' founds it")
    data = {"ready": True, "projections": [{"name": p.name, "position": p.position}
                                          for p in statuses],
            "head": founded.login if founded else None, "notes": notes}
    lines = [f"database ready: {len(statuses)} read models up to date."] + notes
    emit(s.as_json, data, "\n".join(lines))


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)


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
