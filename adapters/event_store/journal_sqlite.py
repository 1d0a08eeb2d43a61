"""eventsourcing's SQLite application recorder, journalling every event it inserts.

The journal's tables live beside ``stored_events`` in the same file:
``ektp_journal`` (one row per perfect node of the tree: key = its place in post-order,
`merkle.node_key`; hash; for a leaf, the store position it was written for), ``ektp_journal_head`` (one row: size, frontier, since which leaf
leaves were written with their events, the audit key's id, the last leaf's
store position) and ``ektp_journal_checkpoints`` (the signed checkpoints).

The seam is the recorder's own `_insert_events`, which runs inside the write
transaction eventsourcing opens for an insert: after the events' rows are
inserted (so their rowids, the store positions, are known and SQLite's write
lock is held), the head is read, the leaves computed and appended, the new
nodes inserted and the head updated; then eventsourcing commits it all, or
rolls it all back. Appending reads one row and writes about two nodes a leaf.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore

from ektp.adapters.event_store.durable_sqlite import SignedSQLiteApplicationRecorder
from ektp.application.audit.journal import JournalLeaves, advance, pack_frontier, unpack_frontier
from ektp.application.ports.journal import JournalHead
from ektp.application.audit.merkle import CompactRange, NodeId, node_key
from ektp.application.errors import JournalAlreadyBuilt, JournalDamaged, JournalMissing
from ektp.application.ports.journal import JournalStorage

NODES, HEAD, CHECKPOINTS = "ektp_journal", "ektp_journal_head", "ektp_journal_checkpoints"
PAGE = 2000
_HEAD_COLUMNS = "size, frontier, built_from, key_id, last_seq"


def head_from_row(row: Sequence[Any]) -> JournalHead:
    """A head from its stored columns."""
    size, frontier, built_from, key_id, last_seq = row
    return JournalHead(size=int(size), frontier=unpack_frontier(bytes(frontier)),
                       built_from=int(built_from), key_id=None if key_id is None else bytes(key_id),
                       last_seq=int(last_seq))


def node_rows(nodes: Sequence[tuple[NodeId, bytes]], first: int,
              seqs: Sequence[int]) -> list[tuple[int, bytes, int | None]]:
    """Stored rows of new nodes: key, hash, and for a leaf the seq it was written for."""
    return [(node_key(level, index), digest, seqs[index - first] if level == 0 else None)
            for (level, index), digest in nodes]


def head_to_row(head: JournalHead) -> tuple[int, bytes, int, bytes | None, int]:
    """A head's stored columns."""
    return (head.size, pack_frontier(head.frontier), head.built_from, head.key_id, head.last_seq)


class JournalledSQLiteApplicationRecorder(SignedSQLiteApplicationRecorder, JournalStorage):
    """Inserts events (signed and guarded: `durable_sqlite`) and their journal leaves in
    one transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.journal: JournalLeaves | None = None  # given by the store that owns the recorder

    def construct_create_table_statements(self) -> list[str]:
        """eventsourcing's table, then the journal's."""
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {NODES} (node INTEGER PRIMARY KEY, hash BLOB NOT NULL, "
                "seq INTEGER)",
                f"CREATE TABLE IF NOT EXISTS {HEAD} (one INTEGER PRIMARY KEY CHECK (one = 1), "
                "size INTEGER NOT NULL, frontier BLOB NOT NULL, built_from INTEGER NOT NULL, "
                "key_id BLOB, last_seq INTEGER NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (size INTEGER PRIMARY KEY, note TEXT NOT NULL)"]

    def create_table(self) -> None:
        """Create the tables; a store with no events yet gets an empty journal, one that
        has events from before the journal gets none (``ektp db upgrade`` builds it)."""
        super().create_table()
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT 1 FROM {HEAD}")
            if c.fetchone() is not None:
                return
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"INSERT OR IGNORE INTO {HEAD} SELECT 1, 0, x'', 0, NULL, 0 "
                      f"WHERE NOT EXISTS (SELECT 1 FROM {self.events_table_name}) "
                      f"AND NOT EXISTS (SELECT 1 FROM {NODES})")

    # --- writing ---------------------------------------------------------------
    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if not stored_events:
            return ids
        journal = self.journal
        if journal is None:
            raise TypeError("this recorder journals every event: give it a JournalLeaves first")
        assert ids is not None
        try:
            c.execute(f"SELECT {_HEAD_COLUMNS} FROM {HEAD}")
            row = c.fetchone()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                raise JournalMissing() from None
            raise
        if row is None:
            raise JournalMissing()
        head = head_from_row(tuple(row))
        journal.check_key(head)
        leaves = journal.leaf_hashes(stored_events, kwargs.get("events"), head.size, ids)
        nodes, new = advance(head, leaves, journal.key_id(), ids[-1])
        try:
            c.executemany(f"INSERT INTO {NODES} VALUES (?, ?, ?)", node_rows(nodes, head.size, ids))
        except sqlite3.IntegrityError:
            raise JournalDamaged(reason=f"it already holds nodes beyond its head's {head.size} "
                                        "leaves") from None
        c.execute(f"UPDATE {HEAD} SET size=?, frontier=?, built_from=?, key_id=?, last_seq=?",
                  head_to_row(new))
        return ids

    # --- reading (the JournalStorage port) --------------------------------------
    def journal_head(self) -> JournalHead | None:
        """The head, or None for a database that predates the journal."""
        with self.datastore.transaction(commit=False) as c:
            try:
                c.execute(f"SELECT {_HEAD_COLUMNS} FROM {HEAD}")
            except sqlite3.OperationalError as error:
                if "no such table" in str(error):
                    return None
                raise
            row = c.fetchone()
        return None if row is None else head_from_row(tuple(row))

    def journal_nodes(self, nodes: Sequence[NodeId]) -> dict[NodeId, bytes]:
        """The hashes of these stored nodes."""
        by_key = {node_key(*n): n for n in nodes}
        return {by_key[key]: digest for key, digest in self._hashes(list(by_key), "hash").items()}

    def _hashes(self, keys: list[int], column: str) -> dict[int, Any]:
        found: dict[int, Any] = {}
        with self.datastore.transaction(commit=False) as c:
            for at in range(0, len(keys), 500):
                part = keys[at:at + 500]
                c.execute(f"SELECT node, {column} FROM {NODES} WHERE node IN "
                          f"({','.join('?' * len(part))})", part)
                for key, value in c.fetchall():
                    if value is not None:
                        found[int(key)] = bytes(value) if column == "hash" else int(value)
        return found

    def journal_level(self, level: int, start: int, stop: int) -> list[tuple[int, bytes]]:
        """(index, hash) of the stored nodes of `level` from `start` to before `stop`."""
        by_key = {node_key(level, i): i for i in range(start, stop)}
        found = self._hashes(list(by_key), "hash")
        return sorted((by_key[key], digest) for key, digest in found.items())

    def journal_seqs(self, indexes: Sequence[int]) -> dict[int, int]:
        """The seq each of these leaves was written for."""
        by_key = {node_key(0, i): i for i in indexes}
        return {by_key[key]: seq for key, seq in self._hashes(list(by_key), "seq").items()}

    def stream_positions(self, stream_id: UUID) -> list[tuple[int, int]]:
        """(version, seq) of the stream's stored events."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT originator_version, rowid FROM {self.events_table_name} "
                      "WHERE originator_id = ? ORDER BY originator_version", (stream_id.hex,))
            return [(int(v), int(r)) for v, r in c.fetchall()]

    def store_checkpoint(self, size: int, note: str) -> bool:
        """Keep a checkpoint; False if one of that size is kept already."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"INSERT OR IGNORE INTO {CHECKPOINTS} VALUES (?, ?)", (size, note))
            c.execute("SELECT changes()")
            return bool(c.fetchone()[0])

    def checkpoints(self) -> list[tuple[int, str]]:
        """Every kept checkpoint, smallest first."""
        with self.datastore.transaction(commit=False) as c:
            try:
                c.execute(f"SELECT size, note FROM {CHECKPOINTS} ORDER BY size")
            except sqlite3.OperationalError as error:
                if "no such table" in str(error):
                    return []
                raise
            return [(int(size), str(note)) for size, note in c.fetchall()]

    def create_journal_tables(self) -> None:
        """The journal's tables where they are missing (with the recorder's own: safe to repeat)."""
        self.create_table()

    def build_journal(self, leaf_of: Callable[[Any, int], bytes], key_id: bytes) -> JournalHead:
        """Give every stored event its leaf, in one transaction that holds the write lock."""
        with self.datastore.transaction(commit=True) as c:
            try:
                # A write first: it takes SQLite's write lock, so no event can be
                # added while the leaves of the others are computed.
                c.execute(f"INSERT INTO {HEAD} VALUES (1, 0, x'', 0, NULL, 0)")
            except sqlite3.IntegrityError:
                head = self._read_head(c)
                raise JournalAlreadyBuilt(detail=describe_head(head)) from None
            c.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {NODES} LIMIT 1)")
            if c.fetchone()[0]:
                raise JournalDamaged(reason="its nodes are there but its head is missing")
            tree = CompactRange()
            last_seq = 0
            while True:
                c.execute(f"SELECT rowid, * FROM {self.events_table_name} WHERE rowid > ? "
                          "ORDER BY rowid LIMIT ?", (last_seq, PAGE))
                rows = c.fetchall()
                nodes: list[tuple[int, bytes, int | None]] = []
                for row in rows:
                    notification = Notification(
                        id=row["rowid"], originator_id=self.convert_originator_id(row["originator_id"]),
                        originator_version=row["originator_version"], topic=row["topic"],
                        state=row["state"])
                    nodes += node_rows(tree.append(leaf_of(notification, tree.size)), tree.size - 1,
                                       [notification.id])
                    last_seq = row["rowid"]
                c.executemany(f"INSERT INTO {NODES} VALUES (?, ?, ?)", nodes)
                if len(rows) < PAGE:
                    break
            head = JournalHead(size=tree.size, frontier=tuple(tree.hashes), built_from=tree.size,
                               key_id=key_id, last_seq=last_seq)
            c.execute(f"UPDATE {HEAD} SET size=?, frontier=?, built_from=?, key_id=?, last_seq=?",
                      head_to_row(head))
        return head

    def _read_head(self, c: SQLiteCursor) -> JournalHead | None:
        c.execute(f"SELECT {_HEAD_COLUMNS} FROM {HEAD}")
        row = c.fetchone()
        return None if row is None else head_from_row(tuple(row))


def describe_head(head: JournalHead | None) -> str:
    """What a journal's head says about how it was built."""
    if head is None:
        return "its head is missing"
    if head.built_from:
        return (f"{head.size} leaves; leaves 0 to {head.built_from - 1} were built by an upgrade, "
                f"leaf {head.built_from} onward at write time")
    return f"{head.size} leaves, every one written with its event"
