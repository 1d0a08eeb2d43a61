"""The administrator's ``ektp db`` commands: ``init`` (its work), ``upgrade``,
``backup`` and ``restore`` (docs/operations.md)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from ektp.application.kernel.i18n import _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import counted, emit
from ektp.entrypoints.cli.session import Session, session

if TYPE_CHECKING:
    from ektp.adapters.backup import BackupReport

FORCE = click.option("--force", is_flag=True, help="Replace an existing file or database.")


def initialise(s: Session, config_group: str | None, *, head: str | None = None,
               name: str | None = None, nip: str | None = None, group: str | None = None) -> None:
    """``db init``: the database (created or completed) and its protection, its read
    models, the configuration file when none exists, and with `head` the staff register
    founded with its first head of office."""
    from ektp.adapters import office_config, schema
    from ektp.application.errors import SetupRefused
    from ektp.application.operations import ConfigInvalid
    from ektp.domain.actor import Actor, Role
    from ektp.domain.errors import InvalidText

    if (name or nip) and not head:
        raise InvalidText(field=_("--name/--nip"), reason=_("they describe the head given with --head"))
    resolved = s.settings()
    if resolved.path is not None:
        _refuse_contradictions(resolved.path, s.flags)
    if not resolved.config.database.url:
        s.db = f"sqlite:///{os.path.abspath('ektp.db')}"  # the one default: here, said aloud
        s._settings = None
        resolved = s.settings()
    url = s.database()
    notes: list[str] = []
    if url.kind == "sqlite":
        from ektp.adapters.event_store import sqlite_file

        try:
            if group:
                sqlite_file.share_with(url.path, group)
                notes.append(_("database file shared with group {group} (mode 0660)").format(group=group))
            elif os.path.exists(url.path):
                notes.append(sqlite_file.make_private(url.path))
            else:
                notes.append(_("database file private to its owner (mode 0600)"))
        except sqlite_file.FilePermissionProblem as problem:
            raise SetupRefused(reason=str(problem)) from None
    office = s.office(create_tables=True)
    statuses = office.reports.initialise_database()
    if url.kind == "postgresql":
        from ektp.adapters.postgres_admin import DEFAULT_GROUP, NotOwner, secure_database

        try:
            notes += secure_database(url, group or DEFAULT_GROUP)
        except NotOwner as problem:
            if group:
                raise SetupRefused(reason=str(problem)) from None
            click.echo(_("ektp: warning: {problem}").format(problem=problem), err=True)
    founded = None
    if head:
        founder = Actor(office.staff.whoami().login, Role.HEAD)
        founded = office.staff.found(founder, head, name=name, nip=nip)
        notes.append(_("staff register founded: {login} is head of office").format(login=founded.login))
        notes += founded.notes
    elif not office.staff.founded():
        notes.append(_("the staff register is empty: nobody may act until "
                     "'ektp db init --head LOGIN' founds it"))
    lines = [_("database ready: {redacted} (schema version {current_version}), "
             "{counted} up to date.").format(redacted=url.redacted, current_version=schema.current_version(), counted=counted(len(statuses), '{n} read model', '{n} read models')), *notes]
    written = None
    if resolved.path is None:
        path = office_config.locate(s.config_path, os.environ)[0]
        config = resolved.config
        stored_url = office_config.url_without_password(config.database.url)
        import attrs

        config = attrs.evolve(config, database=attrs.evolve(config.database, url=stored_url))
        office_config.write(path, office_config.render(config), group=config_group)
        written = path
        mode = "0640, group " + config_group if config_group else "0600"
        lines.append(_("configuration written: {path} (mode {mode}); every command now uses "
                     "this database").format(path=path, mode=mode))
        if url.password:
            lines.append(_("the password is not in it: put it in ~/.pgpass (docs/operations.md)"))
    else:
        if config_group:
            raise ConfigInvalid(path=resolved.path, reason=(
                _("it exists already; --config-group applies only to a file db init writes")))
        lines.append(_("configuration: {path} (unchanged)").format(path=resolved.path))
        source = resolved.sources["database.url"]
        if source != resolved.path:
            lines.append(_("note: the database came from {source}; commands without it use "
                         "the configuration's").format(source=source))
    emit(s.as_json, {"ready": True, "url": url.redacted, "schema_version": schema.current_version(),
                     "configuration": written or resolved.path, "configuration_written": bool(written),
                     "projections": [{"name": p.name, "position": p.position} for p in statuses],
                     "head": founded.login if founded else None, "notes": notes},
         "\n".join(lines))


def _refuse_contradictions(path: str, flags: dict[str, str | None]) -> None:
    """A flag of db init that the existing file sets otherwise is refused: db init writes
    a configuration only where there is none, so the flag would change nothing lasting."""
    from ektp.adapters.office_config import read_file
    from ektp.application.operations import ConfigInvalid

    existing = read_file(path)
    for key, value in flags.items():
        section, name = key.split(".")
        if value is not None and name in existing.get(section, {}) \
                and str(existing[section][name]) != value:
            raise ConfigInvalid(path=path, reason=(
                _("it sets [{section}] {name} = {existing!r}; edit the file "
                "to change it (db init writes a configuration only where there is none)").format(section=section, name=name, existing=existing[section][name])))


@click.command(cls=translated.Command)
@click.option("--backup", "backup_file", metavar="FILE",
              help="First back the database up to FILE (verified), as db backup does.")
def upgrade(backup_file: str | None) -> None:
    """Move the database forward to this ektp's schema version, one recorded step
    at a time; refused on a database newer than this ektp. Take a backup first
    (--backup FILE does it). Safe to run again.
    """
    from ektp.adapters.event_store.store import SCHEMA_LOCK
    from ektp.adapters.upgrade import upgrade as run_upgrade

    s = session()
    url = s.database()
    office = s.office(check_schema=False)
    settings = s.settings().config.database
    lines = []
    data: dict[str, Any] = {}
    if backup_file:
        report = _backup(url, backup_file, False, settings)
        lines.append(_backup_line(report))
        data["backup"] = _backup_data(report)
    done = run_upgrade(url, settings, office.store.app, lock_key=SCHEMA_LOCK)
    if done.applied:
        steps = ", ".join(f"{version} {name}" for version, name in done.applied)
        lines.append(_("upgraded {where} from schema version {before} to {after}: {steps}").format(where=done.where, before=done.before, after=done.after, steps=steps))
        lines += done.notes
        office.reports.initialise_database()
    else:
        lines.append(_("{where} is at schema version {after}: nothing to do").format(where=done.where, after=done.after))
    data.update({"where": done.where, "before": done.before, "after": done.after,
                 "applied": [{"version": v, "name": n} for v, n in done.applied],
                 "notes": list(done.notes)})
    emit(s.as_json, data, "\n".join(lines))


@click.command(cls=translated.Command)
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False))
@FORCE
def backup(file: str, force: bool) -> None:
    """Copy the office database to FILE and verify the copy (events, latest position,
    digest). SQLite: the online backup API, while the office works on; PostgreSQL:
    pg_dump (custom format). FILE is created with mode 0600; an existing FILE is
    replaced only with --force, and only once the new copy has verified.
    """
    s = session()
    url = s.database()
    office = s.office(check_schema=False)
    state = office.store.app.schema_state  # type: ignore[attr-defined]
    if state is not None and state.problem(url.redacted) is None and not url.read_only:
        office.catch_up_read_models()  # so that a copy's lists are complete
    report = _backup(url, file, force, s.settings().config.database)
    emit(s.as_json, _backup_data(report), _backup_line(report))


@click.command(cls=translated.Command)
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False))
@FORCE
def restore(file: str, force: bool) -> None:
    """Restore the backup FILE into the database --db (or the configuration) names, and
    verify it against FILE. The database must be new or empty (SQLite: no file yet;
    PostgreSQL: a database without ektp's records), unless --force replaces it.
    """
    from ektp.adapters import backup as copies

    s = session()
    url = s.database()
    settings = s.settings().config.database
    if url.kind == "sqlite":
        folder = os.path.dirname(os.path.abspath(url.path))
        if not os.path.isdir(folder):
            from ektp.application.errors import StoreUnavailable

            raise StoreUnavailable(reason=_("the folder {folder} does not exist").format(folder=folder))
        report = copies.restore_sqlite(file, url, force=force, settings=settings)
    else:
        report = copies.restore_postgres(file, url, force=force, settings=settings)
    office = s.office(check_schema=False)
    state = office.store.app.schema_state  # type: ignore[attr-defined]
    problem = state.problem(url.redacted) if state is not None else None
    lines = [_("restored {file} into {where}: {events} up to "
             "position {position}, {get}; "
             "verified against the backup").format(file=file, where=report.where, events=counted(report.figures.events, '{n} event', '{n} events'), position=report.figures.position, get=report.figures.values.get('digest', ''))]
    if problem is not None:
        lines.append(_("note: {problem}").format(problem=problem))
    emit(s.as_json, {"file": file, "where": report.where, "verified": True,
                     **report.figures.as_dict()}, "\n".join(lines))


def _backup(url: Any, file: str, force: bool, settings: Any) -> BackupReport:
    from ektp.adapters import backup as copies

    if url.kind == "sqlite":
        return copies.backup_sqlite(url, file, force=force, settings=settings)
    return copies.backup_postgres(url, file, force=force, settings=settings)


def _backup_line(report: BackupReport) -> str:
    f = report.figures
    return (_("backup {file}: {events} up to position {position}, "
            "{get}; verified against {where}").format(file=report.file, events=counted(f.events, '{n} event', '{n} events'), position=f.position, get=f.values.get('digest', ''), where=report.where))


def _backup_data(report: BackupReport) -> dict[str, Any]:
    return {"file": report.file, "where": report.where, "verified": True, **report.figures.as_dict()}
