"""What the SQLite and PostgreSQL journal recorders share: the tables, and the head
derived from the stored nodes, with the one a recorder last committed kept in memory.

Tables (the same on both engines): ``ektp_journal``, one row per perfect node of the
tree (key = its place in post-order, `merkle.node_key`; hash; for a leaf, the store
position it was written for); ``ektp_journal_info``, one row written only when the
journal is created, built by ``ektp db upgrade`` or first written with a key (since
which leaf leaves were written with their events, the audit key's id); and
``ektp_journal_checkpoints``.

There is no head row to update with every insert: the head is derived from the nodes.
The tree of n leaves has stored exactly the node keys 0 ... `merkle.node_count`(n) - 1,
so the largest key gives the size, the frontier is the known set of perfect nodes of
that size, and the last leaf's row holds the last store position. A largest key that
no tree size gives, or a frontier node that is missing, is a damaged journal.

`HeadCache`: a recorder remembers the head it last committed. Under the write lock,
the new events' store positions tell whether it is still current: both engines hand
out positions in commit order under that lock (SQLite: rowid = largest rowid + 1;
PostgreSQL: a ``bigserial`` taken after ``LOCK TABLE ... IN EXCLUSIVE MODE``), and
neither hands out a position twice (SQLite would after the newest rows were deleted:
then the new leaf's node key is taken, and the insert fails as damage). So when the
first new position is the remembered head's last position + 1, nobody has written
since; otherwise (another writer, or on PostgreSQL a gap a rolled-back insert left in
the sequence) the head is read again. Either way a stale memory is never used.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from ektp.application.kernel.i18n import _
from ektp.application.audit.merkle import CompactRange, NodeId, node_key, perfect_nodes, size_of_node_count
from ektp.application.errors import JournalDamaged
from ektp.application.ports.journal import JournalHead

NODES, INFO, CHECKPOINTS = "ektp_journal", "ektp_journal_info", "ektp_journal_checkpoints"
# The one-row head that the first version of the journal updated with every insert;
# a database that has it is moved to INFO when opened (`JournalledSQLiteApplicationRecorder.create_table`).
OLD_HEAD = "ektp_journal_head"
PAGE = 2000


def head_size(last_key: int | None) -> int:
    """The tree size the largest stored node key gives (None: no nodes, the empty tree)."""
    if last_key is None:
        return 0
    size = size_of_node_count(int(last_key) + 1)
    if size is None:
        raise JournalDamaged(reason=_(
            "its newest node (key {last_key}) is not the last of a leaf's nodes: nodes were "
            "removed or added").format(
                last_key=last_key))
    return size


def head_keys(size: int) -> list[int]:
    """The keys of the stored rows a head of `size` leaves is read from: its frontier's
    nodes, and the last leaf (for its store position)."""
    if not size:
        return []
    return sorted({node_key(*n) for n in perfect_nodes(0, size)} | {node_key(0, size - 1)})


def head_from_rows(size: int, rows: Mapping[int, tuple[bytes, int | None]], built_from: int,
                   key_id: bytes | None) -> JournalHead:
    """The head of `size` leaves from its rows (`head_keys`): key -> (hash, seq)."""
    frontier = []
    for level, index in perfect_nodes(0, size):
        row = rows.get(node_key(level, index))
        if row is None:
            raise JournalDamaged(reason=_(
                "node ({level}, {index}) of its tree of {size} leaves is missing").format(
                    level=level, index=index, size=size))
        frontier.append(bytes(row[0]))
    last_seq = 0
    if size:
        leaf = rows.get(node_key(0, size - 1))
        if leaf is None or leaf[1] is None:
            raise JournalDamaged(reason=_(
                "its last leaf ({size}) records no store position").format(
                    size=size - 1))
        last_seq = int(leaf[1])
    return JournalHead(size=size, frontier=tuple(frontier), built_from=int(built_from),
                       key_id=None if key_id is None else bytes(key_id), last_seq=last_seq)


class HeadCache:
    """The head a recorder last committed, with its tree (see the module docstring for
    when it is current). Kept as one (head, tree) pair, read without a lock (one
    reference) and replaced whole under one."""

    __slots__ = ("_tip", "_lock")

    def __init__(self) -> None:
        self._tip: tuple[JournalHead, CompactRange] | None = None
        self._lock = threading.Lock()

    def current(self, ids: Sequence[int]) -> tuple[JournalHead, CompactRange] | None:
        """The remembered head and a copy of its tree, if the new events' positions `ids`
        follow its last one."""
        tip = self._tip
        if tip is None or ids[0] != tip[0].last_seq + 1:
            return None
        return tip[0], tip[1].copy()

    def remember(self, head: JournalHead, tree: CompactRange) -> None:
        """Keep a head just committed (the larger of two committed by racing threads)."""
        with self._lock:
            if self._tip is None or head.size > self._tip[0].size:
                self._tip = (head, tree)

    def forget(self) -> None:
        """Drop the remembered head (the journal was rebuilt)."""
        with self._lock:
            self._tip = None


def describe_head(head: JournalHead | None) -> str:
    """What a journal's head says about how it was built."""
    if head is None:
        return "its head is missing"
    if head.built_from:
        return (f"{head.size} leaves; leaves 0 to {head.built_from - 1} were built by an upgrade, "
                f"leaf {head.built_from} onward at write time")
    return f"{head.size} leaves, every one written with its event"
