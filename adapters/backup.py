"""``ektp db backup`` and ``ektp db restore``: a copy of the office database, and
the database again from such a copy, each verified before it is reported done.

- **SQLite**: the online backup API copies a consistent snapshot of the file
  while the office keeps working. The copy is a plain SQLite file in rollback
  journal mode (so it opens read only on any medium) holding everything: events,
  snapshots, read models (caught up first by the command) and the schema version.
  A restore copies it back with the same API (into a database in use too: SQLite
  locks it for the copy) and turns the write-ahead log on again.
- **PostgreSQL**: ``pg_dump --format=custom`` of one exported snapshot, in which
  ektp has read the figures first; a restore is ``pg_restore --single-transaction``
  (all or nothing) into the database ``--db`` names. The tools come from PATH or
  Debian's ``/usr/lib/postgresql/*/bin`` (package ``postgresql-client``), newest first.

**Verified** means the copy's `Figures` equal the original's: the number of
events, the latest position, and every `FIGURES` accumulator over the events in
order (a SHA-256 digest of each event's position, stream, version, topic and
stored bytes). Events are append-only, so a backup of a database that took more
writes meanwhile is compared with the original's events up to the copy's
position. A PostgreSQL dump is read back with ``pg_restore`` (its events'
COPY data, parsed here), so the file itself is what is checked.

**The extension point**: `FIGURES` is the list of accumulators; a figure such as
the Merkle root of the office's journal (issue 13) is one more `Accumulator`
appended to it, compared on every backup and restore with no other change.

Backup files are created with mode 0600, beside the target as ``NAME.partial-PID``
first and renamed over it only once verified, so a failed backup leaves no file
and never spoils an earlier one (which is replaced only with ``--force``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

import attrs

from ektp.application.kernel.i18n import N_, _
from ektp.application.operations import (
    BackupFailed,
    BackupFileExists,
    BackupMismatch,
    RestoreTargetNotEmpty,
)

if TYPE_CHECKING:
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.adapters.office_config import DatabaseSection


@attrs.frozen
class EventRow:
    """One stored event in the engine-neutral form the figures are computed over."""

    position: int
    stream: str  # the UUID in its canonical text form
    version: int
    topic: str
    state: bytes


class Accumulator(Protocol):
    """A figure computed over every event, in order of position."""

    name: str

    def add(self, row: EventRow) -> None:
        """Take the next event."""

    def result(self) -> str:
        """The figure."""


class Sha256Digest:
    """SHA-256 over each event's position, stream, version, topic and stored bytes."""

    name = "digest"

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, row: EventRow) -> None:
        """Hash the next event (each field length-prefixed: no two sequences collide)."""
        for part in (str(row.position).encode(), row.stream.encode(), str(row.version).encode(),
                     row.topic.encode("utf-8"), row.state):
            self._hash.update(len(part).to_bytes(8, "big"))
            self._hash.update(part)

    def result(self) -> str:
        """``sha256:HEX``."""
        return "sha256:" + self._hash.hexdigest()


FIGURES: list[Callable[[], Accumulator]] = [Sha256Digest]


@attrs.frozen
class Figures:
    """What a copy is checked by: event count, latest position and each accumulator's figure."""

    events: int
    position: int
    values: dict[str, str]

    def differences(self, other: Figures) -> list[str]:
        """How `other` differs from these figures (empty when it is the same)."""
        out = []
        if other.events != self.events:
            out.append(_("{found} events instead of {expected}").format(
                found=other.events, expected=self.events))
        if other.position != self.position:
            out.append(_("latest position {found} instead of {expected}").format(
                found=other.position, expected=self.position))
        for name, value in self.values.items():
            if other.values.get(name) != value:
                out.append(_("{name} {found} instead of {expected}").format(
                    name=name, found=other.values.get(name), expected=value))
        return out

    def as_dict(self) -> dict[str, object]:
        """The figures for JSON output."""
        return {"events": self.events, "position": self.position, **self.values}


def figures(rows: Iterable[EventRow]) -> Figures:
    """The figures of `rows` (in order of position)."""
    accumulators = [make() for make in FIGURES]
    count = position = 0
    for row in rows:
        count += 1
        position = row.position
        for accumulator in accumulators:
            accumulator.add(row)
    return Figures(count, position, {a.name: a.result() for a in accumulators})


@attrs.frozen
class BackupReport:
    """A verified backup or restore: the file, the database and their figures."""

    file: str
    where: str
    figures: Figures


def _canonical(stream: object) -> str:
    return str(stream if isinstance(stream, UUID) else UUID(str(stream)))


# --- files ---------------------------------------------------------------------------
def _partial(target: str, force: bool, protected: Iterable[str] = ()) -> str:
    """A new private file beside `target` to write the copy into (`BackupFileExists` if
    `target` exists and not `force`; `FileRefused` for a symbolic link, a folder or the
    office database itself: `ektp.adapters.files`)."""
    from ektp.adapters import files

    if os.path.lexists(target) and not force:
        raise BackupFileExists(path=target)
    # An older backup is an SQLite file too: --force may replace one, never the office's.
    files.check_target(target, force=True, protected=protected, allow_sqlite=True)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise BackupFailed(what=N_("backup"),
            reason=_("the folder {folder} does not exist").format(folder=folder))
    try:
        return files.temporary_beside(target)
    except OSError as error:
        raise BackupFailed(what=N_("backup"),
            reason=_("cannot create a file beside {target}: {error}").format(
                target=target, error=error.strerror)) from None


def _settle(partial: str, target: str) -> None:
    """Make the verified copy `target`, durably (file, then the folder's entry)."""
    from ektp.adapters import files

    files.settle(partial, target, replace=True)


def _keep_if_same(original: Figures, made: Figures, partial: str, target: str) -> None:
    """Name the copy `target` if its figures are the original's (else `BackupMismatch`)."""
    differences = original.differences(made)
    if differences:
        raise BackupMismatch(what=N_("backup"), reason="; ".join(differences))
    _settle(partial, target)


def _discard(path: str) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass


# --- SQLite ----------------------------------------------------------------------
def _sqlite_rows(connection: Any, upto: int | None = None) -> Iterator[EventRow]:
    query = ("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
             + ("" if upto is None else f" WHERE rowid <= {int(upto)}") + " ORDER BY rowid")
    for position, stream, version, topic, state in connection.execute(query):
        yield EventRow(int(position), _canonical(stream), int(version), str(topic), bytes(state))


def _open_sqlite_reading(path: str, timeout: int) -> Any:
    """A read-only connection to the SQLite file at `path` (wherever it lies)."""
    import sqlite3

    from ektp.adapters.database_url import DatabaseUrl

    url = DatabaseUrl("sqlite", path=path)
    if not url.writable():
        url = url.reading_copy()
    else:
        url = attrs.evolve(url, mode="ro")
    return sqlite3.connect(url.sqlite_uri(), uri=True, timeout=timeout)


def _tool_said(program: str, done: subprocess.CompletedProcess[str]) -> str:
    """The last line `program` wrote on failing, in its own words (and its own locale)."""
    return f"{program}: {(done.stderr.strip().splitlines() or [f'exit {done.returncode}'])[-1]}"


def _sqlite_error(what: str, error: Exception) -> BackupFailed:
    return BackupFailed(what=what, reason=str(error).strip().splitlines()[0] if str(error) else type(error).__name__)


def backup_sqlite(url: DatabaseUrl, target: str, *, force: bool,
                  settings: DatabaseSection) -> BackupReport:
    """Copy the SQLite database at `url` to `target` and verify the copy."""
    import sqlite3

    from ektp.adapters.files import protected_paths

    partial = _partial(target, force, protected_paths(url.path))
    try:
        try:
            source = _open_sqlite_reading(url.path, settings.lock_timeout)
            copy = sqlite3.connect(partial, isolation_level=None)
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            copy.close()
            reading = sqlite3.connect(f"file:{partial}?mode=ro", uri=True)
            check = reading.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupMismatch(what=N_("backup"),
                    reason=_("the copy fails SQLite's check ({check})").format(check=check))
            made = figures(_sqlite_rows(reading))
            reading.close()
            original = figures(_sqlite_rows(source, made.position))
            source.close()
        except sqlite3.Error as error:
            raise _sqlite_error(N_("backup"), error) from None
        _keep_if_same(original, made, partial, target)
    except BaseException:
        _discard(partial)
        raise
    return BackupReport(target, url.path, made)


def restore_sqlite(backup: str, url: DatabaseUrl, *, force: bool,
                   settings: DatabaseSection) -> BackupReport:
    """Copy the SQLite backup `backup` into the database at `url` and verify it."""
    import sqlite3

    if not os.path.isfile(backup):
        raise BackupFailed(what=N_("restore"),
            reason=_("there is no backup file {backup}").format(backup=backup))
    try:
        source = _open_sqlite_reading(backup, settings.lock_timeout)
        expected = figures(_sqlite_rows(source))
    except sqlite3.Error as error:
        raise BackupFailed(what=N_("restore"),
            reason=_("{backup} is not an ektp backup ({error})").format(
                backup=backup, error=error)) from None
    created = not os.path.exists(url.path)
    try:
        if created:
            from ektp.adapters.files import create_empty

            create_empty(url.path)
        target = sqlite3.connect(url.path, timeout=settings.lock_timeout, isolation_level=None)
        if not created:
            held = _sqlite_event_count(target)
            if held and not force:
                raise RestoreTargetNotEmpty(where=url.path, events=held)
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        source.close()
        restored = _open_sqlite_reading(url.path, settings.lock_timeout)
        found = figures(_sqlite_rows(restored))
        restored.close()
    except sqlite3.Error as error:
        if created:
            _discard(url.path)
        raise _sqlite_error(N_("restore"), error) from None
    except BaseException:
        if created:
            _discard(url.path)
        raise
    differences = expected.differences(found)
    if differences:
        raise BackupMismatch(what=N_("restored database"), reason="; ".join(differences))
    return BackupReport(backup, url.path, found)


def _sqlite_event_count(connection: Any) -> int:
    import sqlite3

    try:
        return int(connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])
    except sqlite3.OperationalError:  # no such table: an empty file
        return 0


# --- PostgreSQL -------------------------------------------------------------------
def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: PATH first, then Debian's newest."""
    import glob
    import shutil

    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise BackupFailed(what=N_("backup"), reason=(
        _("{name} is not installed (Debian: apt-get install postgresql-client)").format(name=name)))


def _pg_environment(url: DatabaseUrl, settings: DatabaseSection) -> dict[str, str]:
    """The tools' connection settings: the URL's, through the environment (a password
    never appears on a command line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGCONNECT_TIMEOUT"] = str(settings.connect_timeout)
    # What the URL leaves out, libpq finds itself (a service file, ~/.pgpass, the OS user).
    for name, value in (("PGHOST", url.host), ("PGDATABASE", url.dbname),
                        ("PGSERVICE", url.service)):
        if value:
            env[name] = value
    if url.host:
        env["PGPORT"] = str(url.port)
    for name in ("PGPASSFILE", "PGSERVICEFILE", "PGSSLMODE", "PGSSLROOTCERT"):
        if name in os.environ:
            env[name] = os.environ[name]
    if url.user:
        env["PGUSER"] = url.user
    if url.password:
        env["PGPASSWORD"] = url.password
    return env


def _pg_connect(url: DatabaseUrl, settings: DatabaseSection, **options: Any) -> Any:
    import psycopg

    from ektp.adapters.event_store.waits import postgres_options

    try:
        return psycopg.connect(url.conninfo(), connect_timeout=settings.connect_timeout,
                               options=postgres_options(settings), **options)
    except psycopg.Error as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[-1]
        raise BackupFailed(what=N_("connection"),
            reason=_("cannot connect to {url}: {reason}").format(
                url=url.redacted, reason=reason)) from None


def _pg_rows(connection: Any) -> Iterator[EventRow]:
    with connection.cursor(name="ektp_backup_rows") as cursor:
        cursor.itersize = 2000
        cursor.execute("SELECT notification_id, originator_id, originator_version, topic, state "
                       "FROM ektp_events ORDER BY notification_id")
        for position, stream, version, topic, state in cursor:
            yield EventRow(int(position), _canonical(stream), int(version), str(topic), bytes(state))


_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _copy_field(text: str) -> str | None:
    """One field of PostgreSQL's COPY text format, unescaped (None for ``\\N``)."""
    if text == "\\N":
        return None
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char != "\\" or i + 1 == len(text):
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in _COPY_ESCAPES:
            out.append(_COPY_ESCAPES[nxt])
            i += 2
        elif nxt == "x" and i + 2 < len(text):
            digits = text[i + 2:i + 4]
            digits = digits if len(digits) == 2 and all(c in "0123456789abcdefABCDEF" for c in digits) \
                else digits[:1]
            out.append(chr(int(digits, 16)))
            i += 2 + len(digits)
        elif nxt in "01234567":
            j = i + 1
            while j < len(text) and j < i + 4 and text[j] in "01234567":
                j += 1
            out.append(chr(int(text[i + 1:j], 8)))
            i = j
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


def _dump_stream(dump: str) -> Iterator[EventRow]:
    """The events of a custom-format dump as ``pg_restore`` writes their COPY data."""
    process = subprocess.Popen(
        [pg_tool("pg_restore"), "--data-only", "--table=ektp_events", "--file=-", dump],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert process.stdout is not None and process.stderr is not None
    columns: list[str] | None = None
    try:
        for line in process.stdout:
            line = line.rstrip("\n")
            if columns is None:
                if line.startswith("COPY ") and "ektp_events" in line:
                    columns = [c.strip() for c in line.split("(", 1)[1].split(")", 1)[0].split(",")]
                continue
            if line == "\\.":
                columns = []  # the table's data ended; ignore anything after it
                continue
            if not columns:
                continue
            cells = dict(zip(columns, (_copy_field(f) for f in line.split("\t")), strict=False))
            state = cells["state"] or ""
            yield EventRow(int(cells["notification_id"] or 0), _canonical(cells["originator_id"]),
                           int(cells["originator_version"] or 0), cells["topic"] or "",
                           bytes.fromhex(state[2:]) if state.startswith("\\x") else state.encode())
        error = process.stderr.read()
        if process.wait() != 0:
            raise BackupMismatch(what=N_("backup file"), reason=(
                _("pg_restore cannot read it ({error})").format(
                    error=(error.strip().splitlines() or ['?'])[-1])))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


class _OutOfOrder(Exception):
    """An event came before one of a lower position."""


def _ordered(rows: Iterable[EventRow]) -> Iterator[EventRow]:
    last = 0
    for row in rows:
        if row.position <= last:
            raise _OutOfOrder
        last = row.position
        yield row


def dump_figures(dump: str) -> Figures:
    """The figures of a custom-format dump's events. COPY writes a table in its physical
    order, which for an append-only table is the order of insertion; should it not be,
    the dump is read a second time and its events sorted in memory."""
    try:
        return figures(_ordered(_dump_stream(dump)))
    except _OutOfOrder:
        return figures(sorted(_dump_stream(dump), key=lambda row: row.position))


def backup_postgres(url: DatabaseUrl, target: str, *, force: bool,
                    settings: DatabaseSection) -> BackupReport:
    """``pg_dump`` the database at `url` to `target` (one snapshot) and verify the file."""
    partial = _partial(target, force)
    try:
        connection = _pg_connect(url, settings)
        try:
            import psycopg

            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            original = figures(_pg_rows(connection))
            done = subprocess.run(
                [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}",
                 f"--file={partial}", url.dbname],
                env=_pg_environment(url, settings), capture_output=True, text=True)
        except psycopg.Error as error:
            raise BackupFailed(what=N_("backup"), reason=str(error).strip().splitlines()[0]) from None
        finally:
            connection.close()
        if done.returncode != 0:
            raise BackupFailed(what=N_("backup"), reason=_tool_said("pg_dump", done))
        made = dump_figures(partial)
        _keep_if_same(original, made, partial, target)
    except BaseException:
        _discard(partial)
        raise
    return BackupReport(target, url.redacted, made)


def restore_postgres(backup: str, url: DatabaseUrl, *, force: bool,
                     settings: DatabaseSection) -> BackupReport:
    """``pg_restore`` the dump `backup` into the database at `url` and verify it."""
    if not os.path.isfile(backup):
        raise BackupFailed(what=N_("restore"),
            reason=_("there is no backup file {backup}").format(backup=backup))
    expected = dump_figures(backup)
    connection = _pg_connect(url, settings, autocommit=True)
    try:
        present = connection.execute("SELECT to_regclass('ektp_events') IS NOT NULL").fetchone()[0]
        held = int(connection.execute("SELECT COUNT(*) FROM ektp_events").fetchone()[0]) \
            if present else 0
    finally:
        connection.close()
    if held and not force:
        raise RestoreTargetNotEmpty(where=url.redacted, events=held)
    command = [pg_tool("pg_restore"), "--single-transaction", "--exit-on-error",
               f"--dbname={url.dbname}", backup]
    if present:
        command[1:1] = ["--clean", "--if-exists"]  # an empty or replaced ektp schema
    done = subprocess.run(command, env=_pg_environment(url, settings), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupFailed(what=N_("restore"), reason=_tool_said("pg_restore", done))
    connection = _pg_connect(url, settings)
    try:
        found = figures(_pg_rows(connection))
    finally:
        connection.close()
    differences = expected.differences(found)
    if differences:
        raise BackupMismatch(what=N_("restored database"), reason="; ".join(differences))
    return BackupReport(backup, url.redacted, found)
