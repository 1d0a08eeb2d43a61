"""eventsourcing's SQLite application recorder, journalling every event it inserts.

The journal's tables live beside ``stored_events`` in the same file (`journal_tables`):
the tree's nodes, one row of facts set when the journal is created or built, and the
signed checkpoints. The head (size, frontier, last store position) is derived from
the nodes; the recorder remembers the one it last committed (`HeadCache`).

The seam is the recorder's own `_insert_events`, which runs inside the write
transaction eventsourcing opens for an insert: after the events' rows are inserted
(so their rowids, the store positions, are known and SQLite's write lock is held),
the head is taken from memory if the rowids follow it and read from the nodes
otherwise, the leaves are computed and appended, and the new nodes are inserted in
one statement; then eventsourcing commits it all, or rolls it all back. Appending
writes about two nodes a leaf and, with the head in memory, reads nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore

from ektp.application.kernel.i18n import _
from ektp.adapters.event_store import subjects
from ektp.adapters.event_store.durable_sqlite import SignedSQLiteApplicationRecorder
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
from ektp.application.audit.journal import JournalLeaves, PlacedLeaves, append_rows
from ektp.application.audit.merkle import CompactRange, NodeId, node_key
from ektp.application.errors import JournalAlreadyBuilt, JournalDamaged, JournalMissing
from ektp.application.ports.journal import JournalHead, JournalStorage

_INSERT_NODES = f"INSERT INTO {NODES} VALUES (?, ?, ?)"
_SELECT_INFO = f"SELECT built_from, key_id, (SELECT MAX(node) FROM {NODES}) FROM {INFO}"


def _missing_table(error: sqlite3.OperationalError) -> bool:
    return "no such table" in str(error)


class JournalledSQLiteApplicationRecorder(SignedSQLiteApplicationRecorder, JournalStorage):
    """Inserts events (signed and guarded: `durable_sqlite`) and their journal leaves in
    one transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.journal: JournalLeaves | None = None  # given by the store that owns the recorder
        self._head = HeadCache()
        self._subject_table = False  # whether the subject keys' table is known to exist

    def construct_create_table_statements(self) -> list[str]:
        """eventsourcing's table, then the journal's."""
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {NODES} (node INTEGER PRIMARY KEY, hash BLOB NOT NULL, "
                "seq INTEGER)",
                f"CREATE TABLE IF NOT EXISTS {INFO} (one INTEGER PRIMARY KEY CHECK (one = 1), "
                "built_from INTEGER NOT NULL, key_id BLOB)",
                f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (size INTEGER PRIMARY KEY, note TEXT NOT NULL)",
                subjects.create_statement("sqlite")]

    def create_table(self) -> None:
        """Create the tables; a store with no events yet gets an empty journal, one that
        has events from before the journal gets none (``ektp db upgrade`` builds it).
        A journal of the first version (a head row updated with every insert) keeps its
        facts and loses the head row, which the nodes make redundant."""
        super().create_table()
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT 1 FROM {INFO}")
            if c.fetchone() is not None:
                return
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (OLD_HEAD,))
            if c.fetchone() is not None:
                c.execute(f"INSERT OR IGNORE INTO {INFO} SELECT 1, built_from, key_id FROM {OLD_HEAD}")
                c.execute(f"DROP TABLE {OLD_HEAD}")
            c.execute(f"INSERT OR IGNORE INTO {INFO} SELECT 1, 0, NULL "
                      f"WHERE NOT EXISTS (SELECT 1 FROM {self.events_table_name}) "
                      f"AND NOT EXISTS (SELECT 1 FROM {NODES})")

    # --- writing ---------------------------------------------------------------
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """eventsourcing's insert, journalled; the new head is remembered once committed.
        The leaves' pieces are computed before the transaction, so SQLite's write lock is
        held only for the inserts."""
        placed = self._prepare(stored_events, kwargs)
        try:
            with self.datastore.transaction(commit=True) as c:
                ids, tip = self._insert_journalled(c, stored_events, kwargs, placed)
        except BaseException:
            self._subject_table = False  # its creation, if this made it, was rolled back
            raise
        if tip is not None:
            self._head.remember(*tip)
        if subjects.erasing_subjects(kwargs.get("events")):
            self._shred()
        return ids

    def _shred(self) -> None:
        """After an erasure: copy the WAL into the file and truncate it, so that the
        destroyed key's old page (zeroed by ``secure_delete`` in the file) is in no WAL
        frame either. Best effort: a reader holding an old snapshot keeps the frames
        until the next checkpoint (``ektp db check`` and closing the office make one)."""
        try:
            with self.datastore.transaction(commit=False) as c:
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:  # noqa: BLE001 - the erasure is committed; this only tidies
            pass

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        # For any other caller of the seam: journalled, the head not remembered (a
        # head is remembered only once its transaction has committed).
        placed = self._prepare(stored_events, kwargs)
        return self._insert_journalled(c, stored_events, kwargs, placed)[0]

    def _prepare(self, stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]) -> PlacedLeaves | None:
        if not stored_events:
            return None
        journal = self.journal
        if journal is None:
            raise TypeError("this recorder journals every event: give it a JournalLeaves first")
        return journal.prepare(stored_events, kwargs.get("events"))

    def _insert_journalled(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                           kwargs: dict[str, Any], placed: PlacedLeaves | None
                           ) -> tuple[Sequence[int] | None, tuple[JournalHead, CompactRange] | None]:
        ids = super()._insert_events(c, stored_events, **kwargs)
        keys = subjects.write_statements(kwargs, "?")
        if keys:
            # The subjects' keys the events need (or an erasure destroys), in their
            # transaction; a database made before the table gets it at its first key.
            # Two writers making the same subject's first key conflict: the later retries
            # (`subjects.SubjectKeyTaken`).
            if not self._subject_table:
                c.execute(subjects.create_statement("sqlite"))
                self._subject_table = True
            if subjects.erasing_subjects(kwargs.get("events")):
                # A deleted key's bytes are overwritten, not left in a free page.
                c.execute("PRAGMA secure_delete = ON")
            try:
                for statement, parameters in keys:
                    c.execute(statement, parameters)
            except sqlite3.IntegrityError:
                # A new key for a subject that has one (made by another process since
                # this one last looked): rolled back, and encoded again under the kept key.
                raise subjects.SubjectKeyTaken([row[1] for row in subjects.pending_rows(kwargs)]) from None
        if placed is None:
            return ids, None
        journal = self.journal
        assert ids is not None and journal is not None
        head, tree = self._head.current(ids) or (self._read_head(c), None)
        journal.check_key(head)
        rows, new, tree = append_rows(head, tree, placed(head.size, ids), journal.key_id(), ids)
        try:
            c.executemany(_INSERT_NODES, rows)
            if head.key_id is None:
                c.execute(f"UPDATE {INFO} SET key_id = ? WHERE key_id IS NULL", (new.key_id,))
        except sqlite3.IntegrityError:
            raise JournalDamaged(reason=_(
                "it already holds nodes beyond its {head_size} leaves (or the events after them "
                "were deleted)").format(
                    head_size=head.size)) from None
        except sqlite3.OperationalError as error:
            if _missing_table(error):
                raise JournalMissing() from None
            raise
        return ids, (new, tree)

    def _read_head(self, c: SQLiteCursor) -> JournalHead:
        head = self._head_in(c)
        if head is None:
            raise JournalMissing()
        return head

    def _head_in(self, c: SQLiteCursor) -> JournalHead | None:
        """The head derived from the nodes, in the transaction of `c` (None: no journal)."""
        try:
            c.execute(_SELECT_INFO)
        except sqlite3.OperationalError as error:
            if _missing_table(error):
                return None
            raise
        row = c.fetchone()
        if row is None:
            return None
        built_from, key_id, last_key = tuple(row)
        size = head_size(last_key)
        keys = head_keys(size)
        c.execute(f"SELECT node, hash, seq FROM {NODES} WHERE node IN ({','.join('?' * len(keys))})",
                  keys)
        rows = {int(key): (bytes(digest), seq) for key, digest, seq in c.fetchall()}
        return head_from_rows(size, rows, built_from, key_id)

    # --- reading (the JournalStorage port) --------------------------------------
    def journal_head(self) -> JournalHead | None:
        """The head, or None for a database that predates the journal."""
        with self.datastore.transaction(commit=False) as c:
            return self._head_in(c)

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
                if _missing_table(error):
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
                c.execute(f"INSERT INTO {INFO} VALUES (1, 0, NULL)")
            except sqlite3.IntegrityError:
                raise JournalAlreadyBuilt(detail=describe_head(self._head_in(c))) from None
            c.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {NODES} LIMIT 1)")
            if c.fetchone()[0]:
                raise JournalDamaged(reason=_("its nodes are there but its facts row is missing"))
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
                    nodes += tree.append_rows([leaf_of(notification, tree.size)], [notification.id])
                    last_seq = row["rowid"]
                c.executemany(_INSERT_NODES, nodes)
                if len(rows) < PAGE:
                    break
            c.execute(f"UPDATE {INFO} SET built_from = ?, key_id = ?", (tree.size, key_id))
        self._head.forget()
        return JournalHead(size=tree.size, frontier=tuple(tree.hashes), built_from=tree.size,
                           key_id=key_id, last_seq=last_seq)
