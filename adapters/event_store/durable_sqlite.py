"""eventsourcing's SQLite module, opened power-safe, signing and guarding its writes.

- **Power-safe.** eventsourcing turns on WAL but leaves ``synchronous`` at
  SQLite's default (NORMAL), with which a power cut can lose commits already
  acknowledged. Every connection here sets ``synchronous=FULL`` so an
  acknowledged command is on disk, and reads it and the journal mode back
  (`durability`: the first connection's findings are kept on the pool, and any
  later connection that differs is refused). A read-only connection
  (``mode=ro``, ``immutable=1``) writes nothing and is not checked.
- **Signed.** Each stored event row records the login of the OS user whose
  process inserted it (``inserted_by``), in the same INSERT; the audit export
  carries it. On SQLite the file's permissions are the barrier (only its owner,
  or its group, can open it: `sqlite_file`); the column tells an auditor which
  account wrote each row.
- **Guarded.** A write given ``unchanged=((stream, version), ...)`` happens only
  if those streams are still at those versions, checked in the write's own
  transaction (the door's grant, `kernel.authority`).

The journal (`journal_sqlite`) subclasses `SignedSQLiteApplicationRecorder`, so
a journalled write is signed and guarded too.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

from ektp.adapters.event_store.durability import sqlite_problems
from ektp.adapters.identity import os_login
from ektp.application.kernel.authority import GrantChanged
from ektp.application.kernel.i18n import _

INSERTED_BY = "inserted_by"


# How many prepared statements each connection keeps. eventsourcing 9.5 opens its
# connections with ``cached_statements=True``, which the sqlite3 module reads as a
# cache of *one* statement: a command that runs BEGIN, an INSERT and a SELECT
# prepared its statements again every time (about 15-20 us each, here).
STATEMENT_CACHE = 128


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """Connections with ``PRAGMA synchronous=FULL``, checked, and a real statement cache."""

    durability: tuple[str, ...] | None = None  # problems found on the first connection

    def _create_connection(self) -> SQLiteConnection:
        # eventsourcing's own method, but for the statement cache (see above); its
        # journal-mode PRAGMA, unguarded there, would raise sqlite3's own error on a
        # file that is not a database or is read-only.
        try:
            c = sqlite3.connect(database=self.db_name, uri=True, check_same_thread=False,
                                isolation_level=None, cached_statements=STATEMENT_CACHE,
                                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT)
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        try:
            if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
                mode = c.execute("PRAGMA journal_mode;").fetchone()[0]
                if mode.lower() != "wal":
                    c.execute("PRAGMA journal_mode=WAL;")
                    self.journal_mode_was_changed_to_wal = True
                self.is_journal_mode_wal = True
            c.execute("PRAGMA synchronous=FULL")
            if "mode=ro" not in self.db_name:
                synchronous = c.execute("PRAGMA synchronous").fetchone()[0]
                problems = sqlite_problems(synchronous,
                                           c.execute("PRAGMA journal_mode").fetchone()[0])
                if self.durability is None:
                    self.durability = problems
                elif problems != self.durability:
                    raise sqlite3.OperationalError(_(
                        "a new connection is not durable: {problems}").format(
                            
                        problems=", ".join(problems)))
        except sqlite3.Error as error:
            c.close()
            raise OperationalError(error) from error
        c.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=c, max_age=self.max_age)


class SignedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite application recorder with an ``inserted_by`` column,
    guarded writes, and two quick reads (a stream's version, who inserted what)."""

    guards_streams = True

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        login = os_login()
        self.login = login if login is not None else f"uid:{os.geteuid()}"
        table = self.events_table_name
        self.insert_events_statement = (
            f"INSERT INTO {table} (originator_id, originator_version, topic, state, "
            f"{INSERTED_BY}) VALUES (?,?,?,?,?)")
        self._max_version_statement = (
            f"SELECT MAX(originator_version) FROM {table} WHERE originator_id=?")

    def construct_create_table_statements(self) -> list[str]:
        """eventsourcing's table, with the ``inserted_by`` column."""
        return [
            "CREATE TABLE IF NOT EXISTS "
            f"{self.events_table_name} ("
            "originator_id TEXT, "
            "originator_version INTEGER, "
            "topic TEXT, "
            "state BLOB, "
            f"{INSERTED_BY} TEXT, "
            "PRIMARY KEY "
            "(originator_id, originator_version))"
        ]

    # A table made by an earlier ektp gets the column from ``ektp db upgrade``
    # (schema version 3, `ektp.adapters.schema`), not when a store is opened.

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        returning = []
        statement, login = self.insert_events_statement, self.login
        for s in stored_events:
            c.execute(statement, (
                s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                s.originator_version, s.topic, s.state, login))
            returning.append(c.lastrowid)
        unchanged = kwargs.get("unchanged")
        if unchanged:
            # Checked after the inserts, holding the write lock, so nothing can commit
            # in between; this write's own events on a guard stream count. (A guarded
            # INSERT ... SELECT costs more: SQLite materialises a SELECT of the table it
            # inserts into.)
            for stream, version in unchanged:
                own = sum(1 for s in stored_events if s.originator_id == stream)
                c.execute(self._max_version_statement,
                          (stream.hex if isinstance(stream, UUID) else stream,))
                row = c.fetchone()
                if (row[0] or 0) != version + own:
                    raise GrantChanged(f"stream {stream} is no longer at version {version}")
        return returning

    def max_version(self, stream: UUID | str) -> int:
        """The stream's latest version (0 if it has no events): one statement."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._max_version_statement,
                      (stream.hex if isinstance(stream, UUID) else stream,))
            row = c.fetchone()
        return int(row[0] or 0)

    def select_inserters(self, after: int, upto: int) -> list[tuple[int, str | None]]:
        """(position, inserting login) of the events after `after` up to `upto`."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid, {INSERTED_BY} FROM {self.events_table_name} "
                      "WHERE rowid > ? AND rowid <= ? ORDER BY rowid", (after, upto))
            return [(int(row[0]), row[1]) for row in c.fetchall()]


class DurableSQLiteFactory(SQLiteFactory):
    """The SQLite infrastructure factory: `DurableSQLiteConnectionPool` and
    `SignedSQLiteApplicationRecorder`."""

    application_recorder_class = SignedSQLiteApplicationRecorder

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = DurableSQLiteConnectionPool(
            db_name=pool.db_name, lock_timeout=pool.lock_timeout
        )
        pool.close()
