"""eventsourcing's in-memory (POPO) recorder, journalling every event it inserts.

For tests and ``memory://`` offices: the journal is a dict of nodes and a head,
guarded by the recorder's own lock, and changed only once the events' leaves
are computed, so a refused write leaves neither events nor leaves behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent

from ektp.adapters.event_store.memory import GuardedPOPOApplicationRecorder, MemoryFactory
from ektp.application.audit.journal import EMPTY_HEAD, JournalLeaves, advance
from ektp.application.ports.journal import JournalHead
from ektp.application.audit.merkle import CompactRange, NodeId
from ektp.application.errors import JournalAlreadyBuilt
from ektp.application.ports.journal import JournalStorage


class JournalledPOPOApplicationRecorder(GuardedPOPOApplicationRecorder, JournalStorage):
    """Inserts events (guarded: `memory`) and their journal leaves together, in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.journal: JournalLeaves | None = None
        self._head: JournalHead | None = EMPTY_HEAD
        self._nodes: dict[NodeId, bytes] = {}
        self._seqs: dict[int, int] = {}
        self._checkpoints: dict[int, str] = {}

    def _insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        journal = self.journal
        if journal is None:
            raise TypeError("this recorder journals every event: give it a JournalLeaves first")
        with self._database_lock:
            self._assert_uniqueness(stored_events, **kwargs)
            if self._head is None:
                from ektp.application.errors import JournalMissing

                raise JournalMissing()
            journal.check_key(self._head)
            first = len(self._stored_events) + 1
            seqs = list(range(first, first + len(stored_events)))
            leaves = journal.leaf_hashes(stored_events, kwargs.get("events"), self._head.size, seqs)
            nodes, head, _ = advance(self._head, leaves, journal.key_id(), seqs[-1] if seqs else 0)
            ids = self._update_table(stored_events, **kwargs)
            self._nodes.update(nodes)
            self._seqs.update({self._head.size + i: seq for i, seq in enumerate(seqs)})
            self._head = head
            return ids

    def journal_head(self) -> JournalHead | None:
        """The head."""
        return self._head

    def journal_nodes(self, nodes: Sequence[NodeId]) -> dict[NodeId, bytes]:
        """The hashes of these stored nodes."""
        with self._database_lock:
            return {n: self._nodes[n] for n in nodes if n in self._nodes}

    def journal_level(self, level: int, start: int, stop: int) -> list[tuple[int, bytes]]:
        """(index, hash) of the stored nodes of `level` from `start` to before `stop`."""
        with self._database_lock:
            return [(i, self._nodes[(level, i)]) for i in range(start, stop) if (level, i) in self._nodes]

    def journal_seqs(self, indexes: Sequence[int]) -> dict[int, int]:
        """The seq each of these leaves was written for."""
        with self._database_lock:
            return {i: self._seqs[i] for i in indexes if i in self._seqs}

    def stream_positions(self, stream_id: UUID) -> list[tuple[int, int]]:
        """(version, seq) of the stream's stored events."""
        with self._database_lock:
            index = self._stored_events_index.get(str(stream_id), {})
            return [(version, position + 1) for version, position in sorted(index.items())]

    def store_checkpoint(self, size: int, note: str) -> bool:
        """Keep a checkpoint; False if one of that size is kept already."""
        with self._database_lock:
            if size in self._checkpoints:
                return False
            self._checkpoints[size] = note
            return True

    def checkpoints(self) -> list[tuple[int, str]]:
        """Every kept checkpoint, smallest first."""
        with self._database_lock:
            return sorted(self._checkpoints.items())

    def create_journal_tables(self) -> None:
        """Nothing to create: the in-memory journal lives with the recorder."""

    def build_journal(self, leaf_of: Callable[[Any, int], bytes], key_id: bytes) -> JournalHead:
        """Give every stored event its leaf (a fresh in-memory store always has its journal)."""
        with self._database_lock:
            if self._head is not None:
                raise JournalAlreadyBuilt(detail=f"{self._head.size} leaves")
            tree = CompactRange()
            for position, stored in enumerate(self._stored_events, 1):
                notification = Notification(id=position, originator_id=stored.originator_id,
                                            originator_version=stored.originator_version,
                                            topic=stored.topic, state=stored.state)
                self._nodes.update(tree.append(leaf_of(notification, tree.size)))
                self._seqs[tree.size - 1] = position
            self._head = JournalHead(size=tree.size, frontier=tuple(tree.hashes), built_from=tree.size,
                                     key_id=key_id, last_seq=len(self._stored_events))
            return self._head

    def forget_journal(self) -> None:
        """Drop the journal, as a database from before it would have none (for tests)."""
        with self._database_lock:
            self._head = None
            self._nodes.clear()
            self._seqs.clear()
            self._checkpoints.clear()


class JournalledPOPOFactory(MemoryFactory):
    """The in-memory infrastructure with the journalled recorder."""

    def application_recorder(self) -> ApplicationRecorder:
        """A journalled in-memory recorder."""
        return JournalledPOPOApplicationRecorder()
