"""``ektp db check``: where the configuration came from, and every check of the
database, for a person (a table) or a cron job (``--json``: ``ok``, ``checks``).

**The extension point**: `CHECKS` is the ordered list of checks. A check is a
function of the `Context` (the session, the office opened without the schema
check, the configuration) returning one `Result` (``ok``, ``warn`` or ``fail``,
a one-line detail, and data for the JSON output), or None when it does not apply
(a PostgreSQL-only check on SQLite). A ``fail`` makes ``db check`` exit 1; a
``warn`` is reported and exits 0. Append a check to add one.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import attrs
import click

from ektp.application.kernel.i18n import N_, _, said, say
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import counted, emit, table
from ektp.entrypoints.cli.session import Session, session

if TYPE_CHECKING:
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.adapters.office_config import Resolved
    from ektp.application.office import Office
    from ektp.application.ports.rows import DatabaseStatus


@attrs.frozen
class Context:
    """What a check looks at."""

    session: Session
    office: Office
    url: DatabaseUrl
    settings: Resolved
    status: DatabaseStatus


@attrs.frozen
class Result:
    """One check's outcome."""

    name: str
    status: Literal["ok", "warn", "fail"]
    detail: str
    data: dict[str, Any] = attrs.Factory(dict)


Check = Callable[[Context], "Result | None"]


def schema_check(c: Context) -> Result:
    """The schema version: this ektp's, or what to run."""
    from ektp.adapters import schema

    state = c.office.store.app.schema_state  # type: ignore[attr-defined]
    current = schema.current_version()
    data = {"version": state.version if state else None, "current": current,
            "initialised": bool(state and state.initialised)}
    problem = state.problem(c.url.redacted) if state is not None else None
    if problem is None:
        return Result("schema", "ok", N_("version {current}", current=current), data)
    return Result("schema", "fail", str(problem), data)


def tables_check(c: Context) -> Result:
    """The event tables and the read-model tables exist."""
    status = c.status
    missing = list(status.missing_read_model_tables)
    if not status.event_tables:
        return Result("tables", "fail", N_("event tables MISSING: run `ektp db init`"), {"missing": missing})
    if missing:
        return Result("tables", "fail", _("read-model tables MISSING: ") + ", ".join(missing)
                      + _(": run `ektp db init`"), {"missing": missing})
    return Result("tables", "ok", N_("event and read-model tables present"), {"missing": []})


def read_models_check(c: Context) -> Result | None:
    """Each read model at its current version; the lag is reported."""
    if not c.status.projections:
        return None
    outdated = [p.name for p in c.status.projections if p.version != p.current_version]
    lag = max(p.lag for p in c.status.projections)
    data = {"lag": lag, "outdated": outdated}
    if outdated:
        return Result("read models", "fail", N_("built by other code: {names} (run `ektp db init`)",
            names=", ".join(outdated)), data)
    return Result("read models", "ok", N_("current, {events} behind at most (they catch up on the "
                                         "next list)",
                                             events=counted(lag, "{n} event", "{n} events")), data)


def durability_check(c: Context) -> Result | None:
    """Whether an acknowledged write survives a crash (`event_store.durability`)."""
    found = c.office.store.app.durability  # type: ignore[attr-defined]
    if found is None:
        return None
    settings = ", ".join(f"{k}={v}" for k, v in found.settings.items() if k != "engine")
    if c.url.kind == "sqlite":
        settings = N_("synchronous=FULL on every connection, journal mode checked")
    data = {"settings": found.settings, "problems": list(found.problems), "allowed": found.allowed}
    if not found.problems:
        return Result("durability", "ok", settings, data)
    problems = ", ".join(found.problems)
    if found.allowed:
        return Result("durability", "warn", N_("UNSAFE ({problems}); writes allowed by allow_unsafe_durability ({source})", problems=problems, source=c.settings.sources['database.allow_unsafe_durability']),
                      data)
    return Result("durability", "fail", N_("UNSAFE ({problems}): writes are refused",
        problems=problems), data)


def file_check(c: Context) -> Result | None:
    """The SQLite file's permissions: readable by others means every NIK is."""
    if c.url.kind != "sqlite":
        return None
    mode = stat.S_IMODE(os.stat(c.url.path).st_mode)
    read_only = c.url.read_only or not c.url.writable()
    data = {"mode": f"{mode:04o}", "read_only": read_only}
    opened = ", opened read only" if read_only else ""
    if mode & stat.S_IROTH:
        return Result("file", "warn", N_("mode {mode:04o}{opened}: anyone on this machine can read it (chmod 600 "
            "{path})", mode=mode, opened=opened, path=c.url.path), data)
    group = c.settings.config.files.group
    if mode & stat.S_IRGRP and not group:
        return Result("file", "warn", N_("mode {mode:04o}{opened}: its group can read it and no [files] group is configured "
            "(chmod 600 {path})", mode=mode, opened=opened, path=c.url.path), data)
    return Result("file", "ok", N_("mode {mode:04o}{opened}", mode=mode, opened=opened), data)


def password_check(c: Context) -> Result | None:
    """Where the PostgreSQL password comes from: a URL that carries one is a warning (a
    command line or an environment shows it to others); the password is never shown."""
    if c.url.kind != "postgresql":
        return None
    if c.session.password_file:
        return Result("password", "ok", N_("from --db-password-file (EKTP_DB_PASSWORD_FILE)"),
                      {"source": "password-file"})
    if c.url.password:
        source = c.settings.sources.get("database.url", _("the URL"))
        return Result("password", "warn", N_("the database URL ({source}) carries a password: others may see it in a command line "
            "or an environment; use ~/.pgpass, PGPASSFILE, a service file (PGSERVICE) or "
            "--db-password-file", source=source),
                      {"source": "url"})
    return Result("password", "ok", N_("none in the URL (libpq: ~/.pgpass, PGPASSFILE, PGSERVICE)"),
                  {"source": "libpq"})


def cipher_check(c: Context) -> Result | None:
    """Which cipher key encrypts the events written now (by its id, never the key), and
    which one the latest stored event was encrypted with."""
    from ektp.adapters.cipher_key import cipher_key
    from ektp.adapters.event_store.codec import encrypted_key_id

    key = cipher_key()
    latest = None
    if c.status.event_tables and c.office.store.last_position():
        found = c.office.store.app.recorder.select_notifications(
            start=c.office.store.last_position(), limit=1)
        latest = encrypted_key_id(bytes(found[0].state)) if found else None
    data = {"key_id": key.id if key else None, "latest_event_key_id": latest}
    data_key = None
    if key is not None and c.status.event_tables:
        # After `keys rotate` the office key wraps data keys (the key table): events
        # are encrypted with the current data key, named here by its id too.
        cipher = getattr(c.office.store.app.mapper, "cipher", None)
        data_key = getattr(cipher, "current_id", None)
        data["data_key_id"] = data_key
    if key is None:
        if latest is not None:
            return Result("cipher", "fail", N_("the latest event is encrypted with key {latest}, but no cipher key is configured "
                "(EKTP_CIPHER_KEY_FILE)", latest=latest), data)
        return Result("cipher", "warn", N_("events are stored unencrypted: make a key with "
                      "`ektp keys init` and name it in [keys] cipher_key_file"), data)
    if latest is not None and latest not in (key.id, data_key):
        return Result("cipher", "fail", N_("key {key_id} is configured, but the latest event is encrypted with key "
            "{latest}", key_id=key.id, latest=latest), data)
    if data_key is not None and data_key != key.id:
        return Result("cipher", "ok", N_("office key {key_id} wraps the data keys; events encrypted with data key {data_key} "
            "(AES-256-GCM)", key_id=key.id, data_key=data_key), data)
    return Result("cipher", "ok", N_("events encrypted with key {key_id} (AES-256-GCM)",
        key_id=key.id), data)


def audit_key_check(c: Context) -> Result | None:
    """Whether the audit key configured here is the one the journal is written with: a
    different key refuses every write and finds no resident by NIK (their register ids
    are keyed by it), so a clerk would only see "not found"."""
    from ektp.adapters.audit.key import audit_key
    from ektp.domain.errors import DomainError

    if not c.status.event_tables:
        return None
    try:
        key = audit_key()
    except DomainError as error:
        return Result("audit key", "fail", said(error), {})
    expected, given = c.office.audit.journal_key(key)
    data = {"journal_key_id": expected, "key_id": given}
    if given is None:
        return Result("audit key", "warn", N_("no audit key is configured (EKTP_AUDIT_KEY or "
                      "EKTP_AUDIT_KEY_FILE): reading works, writing is refused"), data)
    if expected is not None and expected != given:
        return Result("audit key", "fail", N_("the audit key configured here (id {given}) is not "
                      "the one this database's journal is written with (id {expected}): every "
                      "write is refused and no NIK is found", given=given, expected=expected),
                      data)
    return Result("audit key", "ok", N_("key {given} (the journal's)", given=given)
                  if expected is not None else N_("key {given}; the journal is empty", given=given), data)


def records_check(c: Context) -> Result | None:
    """How far the records go (the latest position), for a monitor to watch grow."""
    if not c.status.event_tables:
        return None
    position = c.office.store.last_position()
    return Result("records", "ok", N_("latest position {position}",
        position=position), {"position": position})


def timeouts_check(c: Context) -> Result:
    """The waits in effect (`event_store.waits`)."""
    d = c.settings.config.database
    if c.url.kind == "sqlite":
        detail = N_("busy timeout {lock} s", lock=d.lock_timeout)
    else:
        detail = (N_("connect {connect} s, lock {lock} s, statement {statement} s",
            connect=d.connect_timeout, lock=d.lock_timeout, statement=d.statement_timeout))
    return Result("timeouts", "ok", detail, {"connect": d.connect_timeout, "lock": d.lock_timeout,
                                              "statement": d.statement_timeout})


CHECKS: list[Check] = [schema_check, tables_check, read_models_check, durability_check,
                       file_check, password_check, cipher_check, audit_key_check, records_check, timeouts_check]


@click.command(cls=translated.Command)
def check() -> None:
    """Report the configuration (each setting and where it came from) and check the
    database: schema version, tables, read models, durability, file permissions, where
    the PostgreSQL password comes from, the cipher key in use (by its id). Creates
    nothing.

    Exit code 0 when nothing failed (warnings included), 1 when a check failed
    (the line says what to run), 5 when the database cannot be reached.
    With --json, one object for a monitoring job: ok, checks, configuration.
    """
    from ektp.adapters import office_config

    s = session()
    resolved = s.settings()
    url = s.database()
    office = s.office(check_schema=False)
    status = office.reports.database_status()
    context = Context(s, office, url, resolved, status)
    results = [r for r in (check(context) for check in CHECKS) if r is not None]
    ok = all(r.status != "fail" for r in results)
    settings = {key: {"value": _shown(key, resolved.config.value(key)),
                      "from": resolved.sources[key]} for key in office_config.keys()}
    data = {
        "ok": ok, "url": status.url, "engine": status.engine,
        "server_version": status.server_version, "event_tables": status.event_tables,
        "missing_read_model_tables": list(status.missing_read_model_tables),
        "projections": [{"name": p.name, "position": p.position, "lag": p.lag,
                         "version": p.version, "current_version": p.current_version}
                        for p in status.projections],
        "current": status.current and all(r.status != "fail" for r in results if r.name == "schema"),
        "checks": [{"name": r.name, "status": r.status, "detail": r.detail, **r.data}
                   for r in results],
        "configuration": {"file": resolved.path, "found_by": resolved.path_source,
                          "settings": settings},
    }
    lines = [_("configuration  {file}").format(
                 file=resolved.path or _("none (no file: {how})").format(how=resolved.path_source)),
             table([N_("setting"), N_("value"), N_("from")],
                   [(k, v["value"], v["from"]) for k, v in settings.items()]),
             "",
             _("database     {url}").format(url=status.url),
             _("engine       {engine} {version}").format(engine=status.engine,
                                                      version=status.server_version),
             table([N_("check"), N_("status"), N_("detail")], [(r.name, r.status.upper() if r.status != "ok"
                                                    else "ok", say(r.detail)) for r in results])]
    if status.projections:
        lines.append(table([N_("projection"), N_("position"), N_("lag"), N_("version")],
                           [(p.name, p.position, p.lag,
                             f"{p.version}" + ("" if p.version == p.current_version
                                               else _(" (code has {version})").format(
                                                   version=p.current_version)))
                            for p in status.projections]))
    lines.append(_("schema is current.") if data["current"] else
                 _("schema is NOT current: see the failed checks above."))
    if ok and not data["current"]:
        ok = False
    lines.append(_("all checks passed.") if ok else _("some checks FAILED."))
    emit(s.as_json, data, "\n".join(lines))
    if not ok:
        from ektp.entrypoints.cli import exit_codes

        raise SystemExit(exit_codes.REFUSED)


def _shown(key: str, value: Any) -> Any:
    """A setting as it may be shown (a URL without its password)."""
    if key == "database.url" and value:
        from ektp.adapters.database_url import DatabaseUrl

        return DatabaseUrl.parse(value).redacted
    return value
