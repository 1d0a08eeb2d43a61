"""eventsourcing's PostgreSQL application recorder, journalling every event it inserts.

Same tables as on SQLite (`journal_tables`), with ``bigint``/``bytea`` columns.
The seam is the insert itself: eventsourcing takes ``LOCK TABLE ... IN EXCLUSIVE
MODE`` on the events table before inserting, which serialises writers (and so leaf
indexes); the lock, the notification and the insert go out in one pipeline batch,
one sync brings back the events' notification ids, and then the head is the one
this recorder last committed if the ids follow it (`HeadCache`), or is read from
the nodes otherwise (one more round trip for the largest key, one for the
frontier). The leaves are computed, and their nodes go out in one statement with
the commit: with the head in memory, exactly eventsourcing's own round trips.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import psycopg
import psycopg.errors
from eventsourcing.persistence import (
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from ektp.application.kernel.i18n import _
from ektp.adapters.event_store import subjects
from ektp.adapters.event_store.postgres import SignedPostgresApplicationRecorder
from ektp.adapters.event_store.journal_tables import (
    CHECKPOINTS,
    INFO,
    NODES,
    OLD_HEAD,
    PAGE,
    HeadCache,
    describe_head,
    head_from_rows,
    head_keys,
    head_size,
)
from ektp.application.audit.journal import JournalLeaves, append_rows
from ektp.application.audit.merkle import CompactRange, NodeId, node_key
from ektp.application.errors import JournalAlreadyBuilt, JournalDamaged, JournalMissing
from ektp.application.ports.journal import JournalHead, JournalStorage


class JournalledPostgresApplicationRecorder(SignedPostgresApplicationRecorder, JournalStorage):
    """Inserts events (signed, guarded, locked through the lock function: `postgres`) and
    their journal leaves in one transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.journal: JournalLeaves | None = None  # given by the store that owns the recorder
        self._head = HeadCache()
        schema = Identifier(self.datastore.schema)
        self._nodes = SQL("{}.{}").format(schema, Identifier(NODES))
        self._info = SQL("{}.{}").format(schema, Identifier(INFO))
        self._old_head = SQL("{}.{}").format(schema, Identifier(OLD_HEAD))
        self._checkpoints = SQL("{}.{}").format(schema, Identifier(CHECKPOINTS))
        self._events = SQL("{}.{}").format(schema, Identifier(self.events_table_name))
        self.sql_create_statements += [
            SQL(subjects.create_statement("postgresql")).format(),  # a constant: no identifiers to compose
            SQL("CREATE TABLE IF NOT EXISTS {} (node bigint PRIMARY KEY, hash bytea NOT NULL, seq bigint)")
            .format(self._nodes),
            SQL("CREATE TABLE IF NOT EXISTS {} (one smallint PRIMARY KEY CHECK (one = 1), "
                "built_from bigint NOT NULL, key_id bytea)").format(self._info),
            SQL("CREATE TABLE IF NOT EXISTS {} (size bigint PRIMARY KEY, note text NOT NULL)")
            .format(self._checkpoints),
            # A journal of the first version (a head row updated with every insert) keeps
            # its facts and loses the head row, which the nodes make redundant.
            SQL("DO $$ BEGIN IF to_regclass({old}) IS NOT NULL THEN "
                "INSERT INTO {info} SELECT 1, built_from, key_id FROM {head} ON CONFLICT DO NOTHING; "
                "DROP TABLE {head}; END IF; END $$")
            .format(old=psycopg.sql.Literal(f"{self.datastore.schema}.{OLD_HEAD}"),
                    info=self._info, head=self._old_head),
            # A store with no events yet starts with an empty journal; one with events
            # from before the journal gets none (`ektp db upgrade` builds it).
            SQL("INSERT INTO {} SELECT 1, 0, NULL WHERE NOT EXISTS "
                "(SELECT 1 FROM {}) AND NOT EXISTS (SELECT 1 FROM {}) ON CONFLICT DO NOTHING")
            .format(self._info, self._events, self._nodes),
        ]
        self._select_info = SQL("SELECT built_from, key_id, (SELECT max(node) FROM {}) AS last_key "
                                "FROM {}").format(self._nodes, self._info)
        self._select_rows = SQL("SELECT node, hash, seq FROM {} WHERE node = ANY(%s)").format(self._nodes)
        self._insert_nodes_sql: dict[int, bytes] = {}
        self._insert_node = SQL("INSERT INTO {} VALUES (%s, %s, %s)").format(self._nodes)
        self._set_key = SQL("UPDATE {} SET key_id = %s WHERE key_id IS NULL").format(self._info)

    # --- writing ---------------------------------------------------------------
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """eventsourcing's pipelined insert (never its database function), with the journal."""
        journal = self.journal
        if journal is None:
            raise TypeError("this recorder journals every event: give it a JournalLeaves first")
        if not stored_events:
            return []
        exc: BaseException | None = None
        ids: Sequence[int] | None = None
        tip: tuple[JournalHead, CompactRange] | None = None
        with self.datastore.get_connection() as conn:
            try:
                with conn.pipeline() as pipeline:
                    with conn.transaction(), conn.cursor() as curs:
                        try:
                            self._lock_table(curs)
                            # (eventsourcing's NOTIFY goes out with the nodes: `_insert_nodes`)
                            self._insert_rows(curs, stored_events, **kwargs)  # signed, and guarded when asked
                            # The insert is on its way: the leaves' pieces are computed
                            # while the server takes the lock and inserts.
                            placed = journal.prepare(stored_events, kwargs.get("events"))
                            pipeline.sync()
                            ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
                            assert ids is not None
                            # The subjects' keys the events need (or an erasure destroys),
                            # after the events' ids are read,
                            # in their transaction (`subjects`).
                            for statement, parameters in subjects.write_statements(kwargs, "%s"):
                                curs.execute(statement, parameters)
                            head, tree = self._head.current(ids) or (self._read_head(curs, pipeline), None)
                            journal.check_key(head)
                            rows, new, tree = append_rows(head, tree, placed(head.size, ids),
                                                          journal.key_id(), ids)
                            # Sent with the commit, in the same round trip.
                            self._insert_nodes(curs, rows)
                            if head.key_id is None:
                                curs.execute(self._set_key, (new.key_id,))
                            tip = (new, tree)
                        except psycopg.errors.UndefinedTable as error:
                            exc = JournalMissing() if _journal_table(error) else error
                        except psycopg.errors.UniqueViolation as error:
                            # A sync before the commit (reading the head) brings the key's
                            # refusal early: the same as at the commit (below).
                            exc = _key_taken(error, kwargs) or error
                        except Exception as error:  # noqa: BLE001 - re-raised once the pipeline is closed
                            exc = error
                        if exc is not None:
                            # Roll back everything (a refusal raised here must not commit the
                            # events); the error itself is raised once the pipeline is closed.
                            raise psycopg.Rollback()
            except psycopg.errors.UniqueViolation as error:
                # The nodes' and the subject keys' errors arrive with the commit. The events'
                # primary key is a conflict, and so is a new subject key for a subject that
                # has one (made by another process: the events are encoded again under it);
                # a node twice is damage.
                exc, tip = _key_taken(error, kwargs), None
                if exc is None:
                    if error.diag.table_name != NODES:
                        raise
                    exc = JournalDamaged(reason=_("it already holds nodes beyond its head (or the "
                                                  "events after them were deleted)"))
            except psycopg.errors.UndefinedTable as error:
                if not _journal_table(error):
                    raise
                exc, tip = JournalMissing(), None
            if exc is not None:
                # Inside get_connection, which turns psycopg's errors into eventsourcing's
                # (a version conflict into its IntegrityError), as its own insert does.
                raise exc
        if tip is not None:
            self._head.remember(*tip)
        return ids

    def _insert_nodes(self, curs: Cursor[DictRow], rows: Sequence[tuple[int, bytes, int | None]]) -> None:
        """Insert an insert's nodes, and notify eventsourcing's listeners, in one statement.

        Each statement a pipeline sends costs the client a round of adaptation and
        socket calls, so this one statement also carries eventsourcing's ``NOTIFY``
        (as ``pg_notify``, the same notification: delivered at commit, empty payload,
        on the channel eventsourcing listens to) and eventsourcing's own insert sends no
        more statements than without the journal. A data-modifying ``WITH`` always runs
        to completion. One prepared statement per number of nodes (a few: 1 to ~10)."""
        statement = self._insert_nodes_sql.get(len(rows))
        if statement is None:
            statement = SQL("WITH nodes AS (INSERT INTO {} (node, hash, seq) VALUES {}) "
                            "SELECT pg_notify({}, '')").format(
                self._nodes, SQL(", ").join([SQL("(%s, %s, %s)")] * len(rows)),
                psycopg.sql.Literal(self.channel_name)).as_bytes(None)
            self._insert_nodes_sql[len(rows)] = statement
        curs.execute(statement, [value for row in rows for value in row], prepare=True)

    def _read_head(self, curs: Cursor[DictRow], pipeline: Any) -> JournalHead:
        head = self._head_in(curs, pipeline.sync)
        if head is None:
            raise JournalMissing()
        return head

    def _head_in(self, curs: Cursor[DictRow], sync: Callable[[], object] = lambda: None
                 ) -> JournalHead | None:
        """The head derived from the nodes (None: no journal), in two statements (`sync`
        them in pipeline mode): nodes are only ever added, so the frontier of the size
        the first gives is still there when the second reads it."""
        curs.execute(self._select_info, prepare=True)
        sync()
        row = curs.fetchone()
        if row is None:
            return None
        size = head_size(row["last_key"])
        curs.execute(self._select_rows, (head_keys(size),), prepare=True)
        sync()
        rows = {int(r["node"]): (bytes(r["hash"]), r["seq"]) for r in curs.fetchall()}
        return head_from_rows(size, rows, row["built_from"], row["key_id"])

    # --- reading (the JournalStorage port) --------------------------------------
    def journal_head(self) -> JournalHead | None:
        """The head, or None for a database that predates the journal."""
        try:
            with self.datastore.transaction(commit=False) as curs:
                return self._head_in(curs)
        except Exception as error:  # noqa: BLE001 - eventsourcing wraps psycopg's errors
            if _undefined(error):
                return None
            raise

    def journal_nodes(self, nodes: Sequence[NodeId]) -> dict[NodeId, bytes]:
        """The hashes of these stored nodes."""
        by_key = {node_key(*n): n for n in nodes}
        return {by_key[key]: digest for key, digest in self._values(list(by_key), "hash").items()}

    def _values(self, keys: list[int], column: str) -> dict[int, Any]:
        if not keys:
            return {}
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT node, {} AS value FROM {} WHERE node = ANY(%s)").format(
                Identifier(column), self._nodes), (keys,))
            return {int(r["node"]): bytes(r["value"]) if column == "hash" else int(r["value"])
                    for r in curs.fetchall() if r["value"] is not None}

    def journal_level(self, level: int, start: int, stop: int) -> list[tuple[int, bytes]]:
        """(index, hash) of the stored nodes of `level` from `start` to before `stop`."""
        by_key = {node_key(level, i): i for i in range(start, stop)}
        return sorted((by_key[key], digest) for key, digest in self._values(list(by_key), "hash").items())

    def journal_seqs(self, indexes: Sequence[int]) -> dict[int, int]:
        """The seq each of these leaves was written for."""
        by_key = {node_key(0, i): i for i in indexes}
        return {by_key[key]: seq for key, seq in self._values(list(by_key), "seq").items()}

    def stream_positions(self, stream_id: UUID) -> list[tuple[int, int]]:
        """(version, seq) of the stream's stored events."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT originator_version, notification_id FROM {} WHERE originator_id = %s "
                             "ORDER BY originator_version").format(self._events), (stream_id,))
            return [(int(r["originator_version"]), int(r["notification_id"])) for r in curs.fetchall()]

    def store_checkpoint(self, size: int, note: str) -> bool:
        """Keep a checkpoint; False if one of that size is kept already."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("INSERT INTO {} VALUES (%s, %s) ON CONFLICT DO NOTHING")
                         .format(self._checkpoints), (size, note))
            return curs.rowcount == 1

    def checkpoints(self) -> list[tuple[int, str]]:
        """Every kept checkpoint, smallest first."""
        try:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(SQL("SELECT size, note FROM {} ORDER BY size").format(self._checkpoints))
                return [(int(row["size"]), str(row["note"])) for row in curs.fetchall()]
        except Exception as error:  # noqa: BLE001
            if _undefined(error):
                return []
            raise

    def create_journal_tables(self) -> None:
        """The journal's tables where they are missing (with the recorder's own: safe to repeat)."""
        self.create_table()

    def build_journal(self, leaf_of: Callable[[Any, int], bytes], key_id: bytes) -> JournalHead:
        """Give every stored event its leaf, in one transaction that locks writers out."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            curs.execute(SQL("SELECT 1 FROM {}").format(self._info))
            if curs.fetchone() is not None:
                raise JournalAlreadyBuilt(detail=describe_head(self._head_in(curs)))
            curs.execute(SQL("SELECT 1 FROM {} LIMIT 1").format(self._nodes))
            if curs.fetchone() is not None:
                raise JournalDamaged(reason=_("its nodes are there but its facts row is missing"))
            tree = CompactRange()
            last_seq = 0
            while True:
                curs.execute(SQL("SELECT * FROM {} WHERE notification_id > %s ORDER BY notification_id "
                                 "LIMIT %s").format(self._events), (last_seq, PAGE))
                rows = curs.fetchall()
                nodes: list[tuple[int, bytes, int | None]] = []
                for r in rows:
                    notification = Notification(
                        id=r["notification_id"], originator_id=r["originator_id"],
                        originator_version=r["originator_version"], topic=r["topic"],
                        state=bytes(r["state"]))
                    nodes += tree.append_rows([leaf_of(notification, tree.size)], [notification.id])
                    last_seq = r["notification_id"]
                if nodes:
                    curs.executemany(self._insert_node, nodes)
                if len(rows) < PAGE:
                    break
            curs.execute(SQL("INSERT INTO {} VALUES (1, %s, %s)").format(self._info), (tree.size, key_id))
        self._head.forget()
        return JournalHead(size=tree.size, frontier=tuple(tree.hashes), built_from=tree.size,
                           key_id=key_id, last_seq=last_seq)


def _key_taken(error: psycopg.errors.UniqueViolation, kwargs: dict[str, Any]) -> BaseException | None:
    """`subjects.SubjectKeyTaken` when `error` is the subject keys' table refusing a new
    key (its subject has one already), else None."""
    if error.diag.table_name != subjects.TABLE:
        return None
    return subjects.SubjectKeyTaken([row[1] for row in subjects.pending_rows(kwargs)])


def _journal_table(error: BaseException) -> bool:
    return NODES in str(error)  # the nodes' table, and (a prefix of their names) the others


def _undefined(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, psycopg.errors.UndefinedTable):
            return True
        cause = cause.__cause__
    return False
