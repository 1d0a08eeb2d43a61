"""eventsourcing's PostgreSQL module, append-only, signed by the inserting login, guarded.

What the database itself enforces, for every login (the owner's included):

- **Signed rows.** Each stored event row (and snapshot row) has an
  ``inserted_by`` column set to ``session_user`` by a ``BEFORE INSERT``
  trigger (its default too, but a default can be overridden by naming the
  column; the trigger cannot), so a row written by hand with ``psql`` still
  carries the login that wrote it. Rows stored before ektp recorded it are
  NULL, never the login of whoever upgraded the table.
- **Append-only.** A ``BEFORE UPDATE OR DELETE OR TRUNCATE`` statement trigger
  refuses every change to stored rows. Staff logins also
  lack the privileges (``ektp db init`` grants the staff group SELECT and
  INSERT only: `postgres_admin`), so for them the privilege check already
  refuses; the triggers refuse the owner too.
- **The lock, without the privileges.** eventsourcing's recorder serialises
  inserts with ``LOCK TABLE ... IN EXCLUSIVE MODE`` (so that readers of the
  notification log never pass a gap filled later). PostgreSQL 15 grants that
  lock mode only to a login holding UPDATE, DELETE or TRUNCATE on the table,
  which staff logins must not have. The lock is therefore taken inside
  ``<table>_lock()``, a ``SECURITY DEFINER`` function owned by the table's
  owner that does nothing but take it (a lock taken in a function is held to
  the end of the caller's transaction); staff get EXECUTE on it. Granting the
  privileges and relying on the triggers alone was the other way; a staff
  login with UPDATE could then only be stopped by a trigger the owner can
  disable, and `tests/integration/test_postgres_staff.py` shows the privilege
  refusal itself.

And the door's guard (`kernel.authority`): a write given
``unchanged=((stream, version), ...)`` inserts its rows only if each stream's
latest version is still the one given, in the same statement, under the lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.utils import Environment, EnvType, strtobool
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from ektp.application.kernel.authority import GrantChanged

INSERTED_BY = "inserted_by"
# Set by `store._open_postgres` from what the database holds already.
LOCK_FUNCTION_ENV = "EKTP_LOCK_FUNCTION"
SIGNED_ENV = "EKTP_SIGNED_ROWS"
SERVICE_ENV = "EKTP_PG_SERVICE"


def lock_function_name(table: str) -> str:
    """The SECURITY DEFINER function that takes `table`'s insert lock."""
    return f"{table}_lock"


def schema_statements(schema: str, table: str, *, lock: bool) -> list[Composed]:
    """The DDL that makes `table` signed and append-only (and, with `lock`, gives it
    its lock function). Safe to run again; run by the table's owner."""
    s, t = Identifier(schema), Identifier(table)
    statements = [
        SQL("ALTER TABLE {s}.{t} ADD COLUMN IF NOT EXISTS inserted_by text").format(s=s, t=t),
        SQL("ALTER TABLE {s}.{t} ALTER COLUMN inserted_by SET DEFAULT session_user").format(s=s, t=t),
        SQL("CREATE OR REPLACE FUNCTION {s}.ektp_sign_row() RETURNS trigger LANGUAGE plpgsql "
            "AS $$BEGIN NEW.inserted_by := session_user; RETURN NEW; END$$").format(s=s),
        SQL("CREATE OR REPLACE FUNCTION {s}.ektp_refuse_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION "
            "'ektp: stored events are append-only (% on % refused)', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'insufficient_privilege'; END$$").format(s=s),
    ]
    # The refusal is per statement, so it fires even when no row matches: nothing
    # about the stored rows is ever probed by an UPDATE that "changed 0 rows".
    triggers = (
        ("ektp_sign", "BEFORE INSERT", "ROW", "ektp_sign_row"),
        ("ektp_append_only", "BEFORE UPDATE OR DELETE OR TRUNCATE", "STATEMENT",
         "ektp_refuse_change"),
    )
    for name, when, level, function in triggers:
        statements.append(SQL("DROP TRIGGER IF EXISTS {n} ON {s}.{t}").format(
            n=Identifier(name), s=s, t=t))
        statements.append(SQL("CREATE TRIGGER {n} " + when + " ON {s}.{t} FOR EACH " + level
                              + " EXECUTE FUNCTION {s}.{f}()").format(
            n=Identifier(name), s=s, t=t, f=Identifier(function)))
    if lock:
        fn = Identifier(lock_function_name(table))
        statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {s}.{fn}() RETURNS void LANGUAGE plpgsql "
            "SECURITY DEFINER SET search_path = pg_catalog, pg_temp "
            "AS $$BEGIN LOCK TABLE {s}.{t} IN EXCLUSIVE MODE; END$$").format(s=s, fn=fn, t=t))
        statements.append(SQL("REVOKE ALL ON FUNCTION {s}.{fn}() FROM PUBLIC").format(s=s, fn=fn))
    return statements


class SignedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder: lock through the SECURITY
    DEFINER function, signed rows, guarded writes, two quick reads."""

    guards_streams = True

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self._lock_table_itself = list(self.lock_table_statements)
        self.signed = False
        s, t = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        self._max_version_statement = SQL(
            "SELECT coalesce(max(originator_version), 0) AS v FROM {s}.{t} "
            "WHERE originator_id = %s").format(s=s, t=t)
        self._inserters_statement = SQL(
            "SELECT notification_id, inserted_by FROM {s}.{t} "
            "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id"
        ).format(s=s, t=t)
        self._guarded_inserts: dict[int, Composed] = {}

    def use_lock_function(self, yes: bool) -> None:
        """Take the insert lock through the table's lock function (or, for a database
        not yet upgraded by ``ektp db init``, with LOCK TABLE as eventsourcing does)."""
        if not yes:
            self.lock_table_statements = list(self._lock_table_itself)
            return
        self.lock_table_statements = [
            self._lock_table_itself[0],  # SET LOCAL lock_timeout
            SQL("SELECT {s}.{fn}()").format(
                s=Identifier(self.datastore.schema),
                fn=Identifier(lock_function_name(self.events_table_name))),
        ]

    def create_table(self) -> None:
        """eventsourcing's tables, then made signed and append-only, with the lock function."""
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            for statement in schema_statements(self.datastore.schema, self.events_table_name,
                                               lock=True):
                curs.execute(statement, prepare=False)
        self.use_lock_function(True)
        self.signed = True

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        unchanged = kwargs.get("unchanged")
        if not unchanged:
            super()._insert_stored_events(curs, stored_events, **kwargs)
            return
        self._lock_table(curs)
        self._notify_channel(curs)
        self._insert_rows(curs, stored_events, **kwargs)

    def _insert_rows(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                     **kwargs: Any) -> None:
        """The INSERT alone, guarded when the write is (the lock already taken: the
        journal's recorder takes it first, then reads its head, then inserts)."""
        unchanged = kwargs.get("unchanged")
        if not unchanged:
            PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)
            return
        rows = [self.construct_pg_stored_event(s.originator_id, s.originator_version,
                                               s.topic, s.state) for s in stored_events]
        params: list[Any] = [rows]
        for stream, version in unchanged:
            params += [stream, version]
        curs.execute(self._guarded_insert(len(unchanged)), params)

    def _guarded_insert(self, guards: int) -> Composed:
        """eventsourcing's INSERT ... SELECT, with a WHERE per guarded stream (its
        subquery sees the table as it was before this statement's own rows)."""
        statement = self._guarded_inserts.get(guards)
        if statement is None:
            s, t = Identifier(self.datastore.schema), Identifier(self.events_table_name)
            condition = SQL(" AND ").join(
                [SQL("(SELECT coalesce(max(originator_version), 0) FROM {s}.{t} "
                     "WHERE originator_id = %s) = %s").format(s=s, t=t)] * guards)
            statement = SQL(
                "INSERT INTO {s}.{t} AS t (originator_id, originator_version, topic, state) "
                "SELECT originator_id, originator_version, topic, state "
                "FROM unnest(%s::{s}.{type}[]) WHERE {condition} RETURNING notification_id"
            ).format(s=s, t=t, type=Identifier(self.stored_event_type_name), condition=condition)
            self._guarded_inserts[guards] = statement
        return statement

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow],
                                       stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if kwargs.get("unchanged") and len(ids or ()) < len(stored_events):
            # No row went in (the guard's WHERE was false): the transaction commits
            # nothing, and the door is asked again.
            raise GrantChanged("a guarded stream is no longer at its version")
        return ids

    def max_version(self, stream: UUID | str) -> int:
        """The stream's latest version (0 if it has no events): one statement."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._max_version_statement, (stream,), prepare=True)
            row = curs.fetchone()
        return int(row["v"]) if row else 0

    def select_inserters(self, after: int, upto: int) -> list[tuple[int, str | None]]:
        """(position, inserting login) of the events after `after` up to `upto`
        (empty for a table ektp has not signed yet)."""
        if not self.signed:
            return []
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._inserters_statement, (after, upto))
            return [(int(r["notification_id"]), r["inserted_by"]) for r in curs.fetchall()]


class SignedPostgresAggregateRecorder(PostgresAggregateRecorder):
    """The snapshots' recorder: its table signed and append-only too."""

    def create_table(self) -> None:
        """eventsourcing's table, then made signed and append-only."""
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            for statement in schema_statements(self.datastore.schema, self.events_table_name,
                                               lock=False):
                curs.execute(statement, prepare=False)


class SignedPostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL factory with ektp's recorders."""

    aggregate_recorder_class = SignedPostgresAggregateRecorder
    application_recorder_class = SignedPostgresApplicationRecorder

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        # What the database already holds (read by `store._open_postgres`).
        self._lock_function = strtobool(self.env.get(LOCK_FUNCTION_ENV) or "no")
        self._signed = strtobool(self.env.get(SIGNED_ENV) or "no")
        # No password, user or host in the URL: let libpq find them (~/.pgpass,
        # PGPASSFILE, a service file, PGUSER, the OS user), as psql does; an empty
        # value would count as given.
        kwargs = self.datastore.pool.kwargs
        assert isinstance(kwargs, dict)
        for key in ("password", "user", "host", "dbname"):
            if kwargs.get(key) == "":
                del kwargs[key]
        service = self.env.get(SERVICE_ENV)
        if service:
            kwargs["service"] = service
            if "host" not in kwargs:
                kwargs.pop("port", None)  # the service file's port, not the URL's default

    def application_recorder(self) -> ApplicationRecorder:
        """The signed recorder, locking through the function when the database has it."""
        recorder = super().application_recorder()
        assert isinstance(recorder, SignedPostgresApplicationRecorder)
        if not self.env_create_table():
            recorder.use_lock_function(bool(self._lock_function))
            recorder.signed = bool(self._signed)
        return recorder
