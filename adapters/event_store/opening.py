"""What `open_event_store` does once eventsourcing has built the store, the same on
SQLite and PostgreSQL: create the tables when asked (recording the schema
version of a new database), check the schema version, say what a timed-out
wait was for, and refuse writes to a store that would not keep them.

eventsourcing is always constructed with ``CREATE_TABLE=n`` (so that nothing
touches the database before the connections are tuned); the recorders'
``create_table`` is then called here, which is what eventsourcing itself does
with ``CREATE_TABLE=y`` (and what recorders that add tables of their own extend).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ektp.adapters import schema
from ektp.adapters.event_store import durability, waits
from ektp.application.kernel.store import store_errors

if TYPE_CHECKING:
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.adapters.event_store.store import EktpStore
    from ektp.adapters.office_config import DatabaseSection

Execute = Callable[[str], Sequence[tuple[Any, ...]]]


def sqlite_execute(store: EktpStore, *, commit: bool = False) -> Execute:
    """Run one statement on the store's SQLite datastore, in a transaction of its own."""
    datastore = store.factory.datastore  # type: ignore[attr-defined]

    def execute(statement: str) -> Sequence[tuple[Any, ...]]:
        with datastore.transaction(commit=commit) as cursor:
            cursor.execute(statement)
            return [tuple(row) for row in cursor.fetchall()]

    return execute


def create_tables(store: EktpStore) -> None:
    """The recorders' tables (safe to repeat)."""
    store.recorder.create_table()  # type: ignore[attr-defined]
    if store.snapshots is not None:
        store.snapshots.recorder.create_table()  # type: ignore[attr-defined]


def finish_sqlite(store: EktpStore, url: DatabaseUrl, settings: DatabaseSection, *,
                  create: bool, check_schema: bool) -> EktpStore:
    """Tables, schema version, waits and durability of a SQLite store."""
    where = url.path
    waits.tune_sqlite(store, settings, where)
    if not create:
        # eventsourcing switches a file to WAL on its first connection, which writes
        # the file: only db init may (every ektp database is in WAL from its creation).
        store.factory.datastore.pool.is_journal_mode_wal = True  # type: ignore[attr-defined]
    with store_errors():
        state = schema.sqlite_state(sqlite_execute(store))
        if create and not url.read_only:
            if not state.initialised:
                # The version first: a crash before the event tables exist leaves a
                # database that is "not initialised" (run db init again), never one
                # that looks like an old ektp's (version 0).
                _stamp(sqlite_execute(store, commit=True), "sqlite")
            create_tables(store)
            state = schema.sqlite_state(sqlite_execute(store))
        store.legacy_registers = _legacy_registers(state, sqlite_execute(store))
    pool = store.factory.datastore.pool  # type: ignore[attr-defined]
    found = durability.Durability({"engine": "sqlite"}, tuple(pool.durability or ()))
    return _finish(store, state, found, where, settings, check_schema)


def _finish(store: EktpStore, state: schema.SchemaState, found: durability.Durability,
            where: str, settings: DatabaseSection, check_schema: bool) -> EktpStore:
    """Keep what opening found on the store (``db check`` reports it), refuse a schema
    that is not this ektp's, and refuse writes to a store that would not keep them."""
    store.schema_state = state
    if check_schema:
        problem = state.problem(where)
        if problem is not None:
            store.close()
            raise problem
    allowed = found._replace(allowed=settings.allow_unsafe_durability)
    store.durability = durability.guard(store, allowed, where)
    return store


def _legacy_registers(state: schema.SchemaState, execute: Execute) -> bool:
    """Whether NIK registers may live under their uuid5 ids (`schema.legacy_nik_registers`),
    read once as the store opens, with its schema version: asked later, from whichever
    thread makes the first request, it would be a query beside the recorders' own on a
    store that may be closing (issue 17's guards cover the recorders only)."""
    if not state.initialised or state.version < schema.LEGACY_NIK_REGISTERS_STEP:
        return False  # not this ektp's yet: only db init or db upgrade opens it
    return schema.legacy_nik_registers(execute)


def _stamp(execute: Execute, kind: str) -> None:
    for statement in schema.creation_statements(kind):
        execute(statement)


def finish_postgres(make: Callable[[], EktpStore], connection: Any, url: DatabaseUrl,
                    settings: DatabaseSection, *, create: bool, check_schema: bool,
                    lock_key: int) -> EktpStore:
    """Build a PostgreSQL store with `make`, reading the schema version and durability
    on `connection` (the first, direct one) and creating tables under the advisory
    lock `lock_key` when the database has none."""
    import psycopg

    where = url.redacted

    def execute(statement: str) -> Sequence[tuple[Any, ...]]:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else []

    with store_errors():
        store = make()
    waits.tune_postgres(store, settings, where)
    try:
        state = schema.postgres_state(execute)
        found = durability.postgres_durability(execute(durability.POSTGRES_QUERY)[0])
        if create and not state.initialised:
            execute(f"SELECT pg_advisory_lock({int(lock_key)})")
            try:
                state = schema.postgres_state(execute)  # another process may have made them
                if not state.initialised:
                    for statement in schema.creation_statements("postgresql"):
                        execute(statement)
                    with store_errors():
                        create_tables(store)
                    state = schema.postgres_state(execute)
            finally:
                execute(f"SELECT pg_advisory_unlock({int(lock_key)})")
        store.legacy_registers = _legacy_registers(state, execute)
    except psycopg.Error as error:
        from ektp.application.errors import StoreUnavailable

        store.close()
        reason = waits.explain(error, settings, where) or (
            str(error).strip().splitlines() or [type(error).__name__])[0]
        raise StoreUnavailable(reason=reason) from None
    except BaseException:
        store.close()
        raise
    return _finish(store, state, found, where, settings, check_schema)
