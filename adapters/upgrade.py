"""``ektp db upgrade``: run the pending `schema.STEPS` on one database, in order,
each in its own transaction with the row that records it.

Two upgrades at once are serialised (SQLite's write lock, taken at ``BEGIN
IMMEDIATE``; a PostgreSQL advisory lock), and each step re-reads the version
inside its transaction, so a step is never applied twice. A database newer than
this ektp is refused before anything is done.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs

from ektp.adapters import schema
from ektp.application.errors import StoreUnavailable

if TYPE_CHECKING:
    from eventsourcing.application import Application

    from ektp.adapters.database_url import DatabaseUrl
    from ektp.adapters.office_config import DatabaseSection


@attrs.frozen
class UpgradeReport:
    """What an upgrade did: the version before and after, and the steps it ran."""

    where: str
    before: int
    after: int
    applied: tuple[tuple[int, str], ...]
    notes: tuple[str, ...] = ()  # what the steps said (e.g. how the journal was built)


class _Database:
    """One direct connection for the upgrade: `execute` a statement, `transaction`."""

    def __init__(self, url: DatabaseUrl, settings: DatabaseSection) -> None:
        self.kind = url.kind
        if url.kind == "sqlite":
            import sqlite3

            self._connection: Any = sqlite3.connect(url.path, timeout=settings.lock_timeout,
                                                    isolation_level=None)
            self._connection.execute("PRAGMA synchronous=FULL")
        else:
            import psycopg

            from ektp.adapters.event_store.waits import postgres_options

            self._connection = psycopg.connect(
                host=url.host, port=url.port, user=url.user, password=url.password or None,
                dbname=url.dbname, connect_timeout=settings.connect_timeout, autocommit=True,
                options=postgres_options(settings))

    def execute(self, statement: str) -> Sequence[tuple[Any, ...]]:
        """Run one statement; its rows (if any)."""
        cursor = self._connection.execute(statement)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []

    def state(self) -> schema.SchemaState:
        """The database's schema state now."""
        reader = schema.sqlite_state if self.kind == "sqlite" else schema.postgres_state
        return reader(self.execute)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (SQLite: holding the write lock from its start)."""
        self.execute("BEGIN IMMEDIATE" if self.kind == "sqlite" else "BEGIN")
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()


def upgrade(url: DatabaseUrl, settings: DatabaseSection,
            store: Application[Any] | None = None, *, lock_key: int = 0) -> UpgradeReport:
    """Bring the database at `url` to this ektp's schema version (`store`: the event
    store opened without the schema check, for steps that read events)."""
    import os

    where = url.redacted if url.kind != "sqlite" else url.path
    if url.kind == "sqlite" and not os.path.exists(url.path):
        from ektp.application.operations import DatabaseMissing

        raise DatabaseMissing(where=where)
    try:
        database = _Database(url, settings)
    except Exception as error:  # noqa: BLE001 - the driver's own errors, as one line
        raise StoreUnavailable(reason=_first_line(error)) from None
    try:
        return _upgrade(database, where, store, lock_key)
    except Exception as error:
        if _is_driver_error(error):
            from ektp.adapters.event_store.waits import explain

            raise StoreUnavailable(reason=explain(error, settings, where) or _first_line(error)) from None
        raise
    finally:
        database.close()


def _upgrade(database: _Database, where: str, store: Application[Any] | None,
             lock_key: int) -> UpgradeReport:
    before = database.state()
    problem = before.problem(where)
    if not before.initialised or before.version > schema.current_version():
        assert problem is not None
        raise problem
    applied: list[tuple[int, str]] = []
    notes: list[str] = []
    if database.kind == "postgresql":
        database.execute(f"SELECT pg_advisory_lock({int(lock_key)})")
    try:
        for step in schema.pending_steps(before):
            if step.prepare is not None and database.state().version < step.version:
                note = step.prepare(schema.UpgradeContext(database.kind, database.execute, store))
                if note:
                    notes.append(note)
            with database.transaction():
                if database.state().version >= step.version:  # another upgrade did it
                    continue
                for statement in schema.create_statements(database.kind):
                    database.execute(statement)
                step.run(schema.UpgradeContext(database.kind, database.execute, store))
                database.execute(schema.record_statement(database.kind, step, "upgraded"))
            applied.append((step.version, step.name))
    finally:
        if database.kind == "postgresql":
            database.execute(f"SELECT pg_advisory_unlock({int(lock_key)})")
    return UpgradeReport(where, before.version, database.state().version, tuple(applied),
                         tuple(notes))


def _is_driver_error(error: Exception) -> bool:
    import sqlite3

    if isinstance(error, sqlite3.Error):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(error, psycopg.Error)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
