"""The journal port: reading the office's Merkle tree back, and keeping its checkpoints.

The store's recorders write the journal themselves, inside each event's own
transaction (`ektp.application.audit.journal`); this port is everything else
that reads it: proofs, exports, ``ektp db verify``, checkpoints, and
``ektp db upgrade``, which builds the journal of a database that predates it.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from uuid import UUID

import attrs

NodeId = tuple[int, int]  # (level, index) of a perfect subtree of the journal's tree


@attrs.frozen
class JournalHead:
    """The journal's one row of state: how many leaves, the right frontier (the roots
    of its perfect subtrees, largest first), since which leaf leaves were written with
    their events (`built_from`: 0 unless ``ektp db upgrade`` built the leaves of older
    events), the id of the audit key it is written with, and the store position of
    the last leaf."""

    size: int
    frontier: tuple[bytes, ...]
    built_from: int
    key_id: bytes | None
    last_seq: int


class JournalStorage(Protocol):
    """The stored tree: its head, its nodes, and the checkpoints signed of it."""

    @abstractmethod
    def journal_head(self) -> JournalHead | None:
        """The head, or None when this database has no journal yet (it predates it)."""

    @abstractmethod
    def journal_nodes(self, nodes: Sequence[NodeId]) -> dict[NodeId, bytes]:
        """The hashes of these stored nodes (missing ones are left out)."""

    @abstractmethod
    def journal_level(self, level: int, start: int, stop: int) -> list[tuple[int, bytes]]:
        """(index, hash) of the stored nodes (level, start) ... (level, stop - 1), in index order."""

    @abstractmethod
    def journal_seqs(self, indexes: Sequence[int]) -> dict[int, int]:
        """The store position (seq) each of these leaves was written for."""

    @abstractmethod
    def stream_positions(self, stream_id: UUID) -> list[tuple[int, int]]:
        """(version, seq) of every stored event of a stream, oldest first."""

    @abstractmethod
    def store_checkpoint(self, size: int, note: str) -> bool:
        """Keep a signed checkpoint (False if one of that size is kept already)."""

    @abstractmethod
    def checkpoints(self) -> list[tuple[int, str]]:
        """Every kept checkpoint as (tree size, note text), smallest first."""

    @abstractmethod
    def create_journal_tables(self) -> None:
        """Create the journal's tables where they are missing (safe to repeat; a store
        with no events yet gets an empty journal, one with events gets none)."""

    @abstractmethod
    def build_journal(self, leaf_of: Callable[[Any, int], bytes], key_id: bytes) -> JournalHead:
        """`ektp db upgrade`: in one transaction that keeps writers out, give every
        stored event a leaf (`leaf_of(notification, leaf index)` is its leaf hash), in
        store order, and return the new head; `JournalAlreadyBuilt` if there is a
        journal already, `JournalDamaged` if only parts of one are left."""
