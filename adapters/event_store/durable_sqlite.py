"""eventsourcing's SQLite module, opened power-safe.

eventsourcing turns on WAL but leaves ``synchronous`` at SQLite's default
(NORMAL), with which a power cut can lose commits already acknowledged. Every
connection here sets ``synchronous=FULL`` so an acknowledged command is on disk,
and reads it and the journal mode back (`durability`: the first connection's
findings are kept on the pool, and any later connection that differs is refused).
A read-only connection (``mode=ro``, ``immutable=1``) writes nothing and is not checked.
"""

from __future__ import annotations

import sqlite3

from eventsourcing.persistence import OperationalError
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

from ektp.adapters.event_store.durability import sqlite_problems


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """Connections with ``PRAGMA synchronous=FULL``, checked."""

    durability: tuple[str, ...] | None = None  # problems found on the first connection

    def _create_connection(self) -> SQLiteConnection:
        # eventsourcing runs its journal-mode PRAGMA unguarded: a file that is not a
        # database, or a read-only one, would raise sqlite3's own error here.
        try:
            connection = super()._create_connection()
            cursor = connection.cursor()
            cursor.execute("PRAGMA synchronous=FULL")
            if "mode=ro" not in self.db_name:
                cursor.execute("PRAGMA synchronous")
                synchronous = cursor.fetchone()[0]
                cursor.execute("PRAGMA journal_mode")
                problems = sqlite_problems(synchronous, cursor.fetchone()[0])
                if self.durability is None:
                    self.durability = problems
                elif problems != self.durability:
                    raise sqlite3.OperationalError(f"a new connection is not durable: {problems}")
            cursor.sqlite_cursor.close()
        except sqlite3.Error as error:
            raise OperationalError(error) from error
        return connection


class DurableSQLiteFactory(SQLiteFactory):
    """The SQLite infrastructure factory with `DurableSQLiteConnectionPool`."""

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = DurableSQLiteConnectionPool(
            db_name=pool.db_name, lock_timeout=pool.lock_timeout
        )
        pool.close()
