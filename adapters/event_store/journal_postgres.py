"""eventsourcing's PostgreSQL application recorder, journalling every event it inserts.

Same tables as on SQLite (`journal_sqlite`), with ``bigint``/``bytea`` columns.
The seam is the insert itself: eventsourcing takes ``LOCK TABLE ... IN
EXCLUSIVE MODE`` on the events table before inserting, which serialises
writers (and so leaf indexes); after the lock the head is selected in the same
pipeline batch as the insert, one sync brings back the events' notification ids
and the head, the leaves are computed, and the nodes and the new head go out
with the commit. One round trip more than eventsourcing's own insert.
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
from psycopg.sql import SQL, Identifier

from ektp.adapters.event_store.postgres import SignedPostgresApplicationRecorder
from ektp.adapters.event_store.journal_sqlite import (
    describe_head,
    head_from_row,
    head_to_row,
    node_rows,
)
from ektp.application.audit.journal import JournalLeaves, advance
from ektp.application.ports.journal import JournalHead
from ektp.application.audit.merkle import CompactRange, NodeId, node_key
from ektp.application.errors import JournalAlreadyBuilt, JournalDamaged, JournalMissing
from ektp.application.ports.journal import JournalStorage

NODES, HEAD, CHECKPOINTS = "ektp_journal", "ektp_journal_head", "ektp_journal_checkpoints"
PAGE = 2000
_HEAD_COLUMNS = SQL("size, frontier, built_from, key_id, last_seq")


class JournalledPostgresApplicationRecorder(SignedPostgresApplicationRecorder, JournalStorage):
    """Inserts events (signed, guarded, locked through the lock function: `postgres`) and
    their journal leaves in one transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.journal: JournalLeaves | None = None  # given by the store that owns the recorder
        schema = Identifier(self.datastore.schema)
        self._nodes = SQL("{}.{}").format(schema, Identifier(NODES))
        self._head = SQL("{}.{}").format(schema, Identifier(HEAD))
        self._checkpoints = SQL("{}.{}").format(schema, Identifier(CHECKPOINTS))
        self._events = SQL("{}.{}").format(schema, Identifier(self.events_table_name))
        self.sql_create_statements += [
            SQL("CREATE TABLE IF NOT EXISTS {} (node bigint PRIMARY KEY, hash bytea NOT NULL, seq bigint)")
            .format(self._nodes),
            SQL("CREATE TABLE IF NOT EXISTS {} (one smallint PRIMARY KEY CHECK (one = 1), "
                "size bigint NOT NULL, frontier bytea NOT NULL, built_from bigint NOT NULL, "
                "key_id bytea, last_seq bigint NOT NULL)").format(self._head),
            SQL("CREATE TABLE IF NOT EXISTS {} (size bigint PRIMARY KEY, note text NOT NULL)")
            .format(self._checkpoints),
            # A store with no events yet starts with an empty journal; one with events
            # from before the journal gets none (`ektp db upgrade` builds it).
            SQL("INSERT INTO {} SELECT 1, 0, ''::bytea, 0, NULL, 0 WHERE NOT EXISTS "
                "(SELECT 1 FROM {}) AND NOT EXISTS (SELECT 1 FROM {}) ON CONFLICT DO NOTHING")
            .format(self._head, self._events, self._nodes),
        ]
        self._select_head = SQL("SELECT {} FROM {} FOR UPDATE").format(_HEAD_COLUMNS, self._head)
        self._insert_node = SQL("INSERT INTO {} VALUES (%s, %s, %s)").format(self._nodes)
        self._update_head = SQL("UPDATE {} SET size=%s, frontier=%s, built_from=%s, key_id=%s, "
                                "last_seq=%s").format(self._head)

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
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline:
                with conn.transaction(), conn.cursor() as curs, conn.cursor() as head_curs:
                    try:
                        self._lock_table(curs)
                        self._notify_channel(curs)
                        head_curs.execute(self._select_head, prepare=True)
                        self._insert_rows(curs, stored_events, **kwargs)
                        pipeline.sync()
                        ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
                        row = head_curs.fetchone()
                        if row is None:
                            raise JournalMissing()
                        head = head_from_row(tuple(row.values()))
                        journal.check_key(head)
                        assert ids is not None
                        leaves = journal.leaf_hashes(stored_events, kwargs.get("events"),
                                                     head.size, ids)
                        nodes, new = advance(head, leaves, journal.key_id(), ids[-1])
                        curs.executemany(self._insert_node, node_rows(nodes, head.size, ids))
                        # Sent with the commit, in the same round trip: the insert itself
                        # costs one round trip more than eventsourcing's, no more.
                        curs.execute(self._update_head, head_to_row(new), prepare=True)
                    except psycopg.errors.UndefinedTable as error:
                        exc = JournalMissing() if HEAD in str(error) or NODES in str(error) else error
                    except psycopg.errors.UniqueViolation as error:
                        # Only the events' primary key is a conflict; a node twice is damage.
                        exc = (JournalDamaged(reason="it already holds nodes beyond its head")
                               if NODES in str(error) else error)
                    except Exception as error:  # noqa: BLE001 - re-raised once the pipeline is closed
                        exc = error
                    if exc is not None:
                        # Roll back everything (a refusal raised here must not commit the
                        # events); the error itself is raised once the pipeline is closed.
                        raise psycopg.Rollback()
            if exc is not None:
                # Inside get_connection, which turns psycopg's errors into eventsourcing's
                # (a version conflict into its IntegrityError), as its own insert does.
                raise exc
        return ids

    # --- reading (the JournalStorage port) --------------------------------------
    def journal_head(self) -> JournalHead | None:
        """The head, or None for a database that predates the journal."""
        try:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(SQL("SELECT {} FROM {}").format(_HEAD_COLUMNS, self._head))
                row = curs.fetchone()
        except Exception as error:  # noqa: BLE001 - eventsourcing wraps psycopg's errors
            if _undefined(error):
                return None
            raise
        return None if row is None else head_from_row(tuple(row.values()))

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
            curs.execute(SQL("SELECT {} FROM {}").format(_HEAD_COLUMNS, self._head))
            row = curs.fetchone()
            if row is not None:
                raise JournalAlreadyBuilt(detail=describe_head(head_from_row(tuple(row.values()))))
            curs.execute(SQL("SELECT 1 FROM {} LIMIT 1").format(self._nodes))
            if curs.fetchone() is not None:
                raise JournalDamaged(reason="its nodes are there but its head is missing")
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
                    nodes += node_rows(tree.append(leaf_of(notification, tree.size)), tree.size - 1,
                                       [notification.id])
                    last_seq = r["notification_id"]
                if nodes:
                    curs.executemany(self._insert_node, nodes)
                if len(rows) < PAGE:
                    break
            head = JournalHead(size=tree.size, frontier=tuple(tree.hashes), built_from=tree.size,
                               key_id=key_id, last_seq=last_seq)
            curs.execute(SQL("INSERT INTO {} VALUES (1, %s, %s, %s, %s, %s)").format(self._head),
                         head_to_row(head))
        return head


def _undefined(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, psycopg.errors.UndefinedTable):
            return True
        cause = cause.__cause__
    return False

