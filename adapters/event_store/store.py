"""The event store: eventsourcing's Application configured from a database URL."""

from __future__ import annotations

import os
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper
from eventsourcing.utils import Environment, EnvType

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.codec import AttrsEventMapper
from ektp.application.errors import StoreUnavailable
from ektp.application.kernel.store import store_errors

# The cache is updated with each saved state (no fast-forward query before each
# command: optimistic concurrency catches a stale state, see store_access), and
# states are immutable, so cached ones need no defensive copy.
# Snapshots (a table of their own, outside the notification log) let the blank
# ledger load from its latest snapshot plus a few events (see ledger_access).
_CACHE_ENV = {
    "AGGREGATE_CACHE_MAXSIZE": "1000",
    "AGGREGATE_CACHE_FASTFORWARD": "n",
    "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
    "IS_SNAPSHOTTING_ENABLED": "y",
}


class EktpStore(Application[UUID]):
    """All of an office's event streams in one store (cards, registers, ledger...)."""

    name = "ektp"
    # The PostgreSQL login the store's connections were opened as (`session_user`),
    # read when it opens: the identity of a PostgreSQL office. None on other stores.
    login: str | None = None
    # The SQLite file, for the file's permissions and group. None on other stores.
    path: str | None = None

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the given settings: never the process environment (two stores can coexist)."""
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        """Events are frozen attrs classes rebuilt through their constructors."""
        return AttrsEventMapper()


def store_settings(url: DatabaseUrl) -> dict[str, str]:
    """The eventsourcing settings for `url`."""
    if url.kind == "memory":
        return {"PERSISTENCE_MODULE": "ektp.adapters.event_store.memory:MemoryFactory",
                **_CACHE_ENV}
    if url.kind == "sqlite":
        return {
            "PERSISTENCE_MODULE": "ektp.adapters.event_store.durable_sqlite:DurableSQLiteFactory",
            "SQLITE_DBNAME": url.path,
            **_CACHE_ENV,
        }
    return {
        "PERSISTENCE_MODULE": "ektp.adapters.event_store.postgres:SignedPostgresFactory",
        "EKTP_PG_SERVICE": url.service,
        "POSTGRES_DBNAME": url.dbname,
        "POSTGRES_HOST": url.host,
        "POSTGRES_PORT": str(url.port),
        "POSTGRES_USER": url.user,
        "POSTGRES_PASSWORD": url.password,
        "POSTGRES_CONNECT_TIMEOUT": "5",
        **_CACHE_ENV,
    }


def open_event_store(
    url: DatabaseUrl, *, must_exist: bool = False, create_tables: bool = True
) -> EktpStore:
    """Open (creating tables if needed) the store `url` names.

    With `must_exist`, a missing SQLite file is refused instead of created, so a
    mistyped path on a read command does not leave an empty database behind;
    without `create_tables` nothing is created (``ektp db check``).
    """
    if url.kind == "sqlite":
        # os.path, not pathlib: this is on every command's path and pathlib is slow to import.
        folder = os.path.dirname(url.path) or "."
        exists = os.path.exists(url.path)
        if not exists and os.path.isdir(folder) and not os.access(folder, os.X_OK):
            # The file may well be there: this account may not look (the folder of a
            # shared office is its group's alone).
            raise StoreUnavailable(reason=f"this account may not open the folder {folder} "
                                          "(permission denied)")
        if must_exist and not exists:
            raise StoreUnavailable(reason=f"there is no database file at {url.path}")
        if not os.path.isdir(folder):
            raise StoreUnavailable(reason=f"the folder {folder} does not exist")
        if not exists:
            # Created by us, private (0600) before SQLite writes its first byte;
            # SQLite gives its -wal and -shm files the database file's mode.
            from ektp.adapters.event_store.sqlite_file import create_private

            create_private(url.path)
    if url.kind == "postgresql":
        return _open_postgres(url, create_tables)
    settings = store_settings(url)
    if not create_tables:
        settings["CREATE_TABLE"] = "n"
    with store_errors():
        store = EktpStore(env=settings)
    if url.kind == "sqlite":
        store.path = url.path
    return store


# pg_advisory_lock key serialising schema creation across processes.
SCHEMA_LOCK = 35_17_2017


def _open_postgres(url: DatabaseUrl, create_tables: bool) -> EktpStore:
    """Connect once directly first, so a wrong host, port, password or database is
    reported with the server's own reason at once (the pool would only time out).

    Tables are created only when missing, under an advisory lock: PostgreSQL
    fails ("tuple concurrently updated") when processes run the same DDL at once.
    """
    import psycopg

    from ektp.adapters.event_store.postgres import LOCK_FUNCTION_ENV, SIGNED_ENV, lock_function_name

    try:
        connection = psycopg.connect(url.conninfo(), connect_timeout=5, autocommit=True)
    except psycopg.Error as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[-1]
        raise StoreUnavailable(reason=f"cannot connect to {url.redacted}: {reason}") from None
    settings = store_settings(url)
    table = f"{EktpStore.name}_events"
    with connection:
        # One round trip: who we are, and what the database holds already.
        row = connection.execute(
            "SELECT session_user, to_regclass(%s) IS NOT NULL, to_regprocedure(%s) IS NOT NULL, "
            "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = %s "
            "AND column_name = 'inserted_by')",
            (table, f"{lock_function_name(table)}()", table)).fetchone()
        assert row is not None
        login, exists, has_lock, signed = str(row[0]), bool(row[1]), bool(row[2]), bool(row[3])
        settings[LOCK_FUNCTION_ENV] = "y" if has_lock else "n"
        settings[SIGNED_ENV] = "y" if signed else "n"
        if exists or not create_tables:
            settings["CREATE_TABLE"] = "n"
            with store_errors():
                store = EktpStore(env=settings)
        else:
            connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
            try:
                with store_errors():
                    store = EktpStore(env=settings)
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
    store.login = login
    return store
