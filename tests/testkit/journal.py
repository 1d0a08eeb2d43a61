"""The journal for tests of the recorders themselves: a leaf policy for stored events
of any topic (eventsourcing's own recorder test cases insert "topic1" / b"state1"), and
a check that a store's journal is exactly the tree of its notifications, in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ektp.application.audit.merkle import CompactRange, leaf_hash
from ektp.application.errors import JournalKeyMismatch
from ektp.application.ports.journal import JournalHead


def raw_leaf(stored: Any, index: int, seq: int) -> bytes:
    """A test leaf hash: index, seq, stream, version, topic and state of a stored event."""
    return leaf_hash(f"{index} {seq} {stored.originator_id} {stored.originator_version} "
                     f"{stored.topic} ".encode() + bytes(stored.state))


class RawLeaves:
    """Journals stored events of any topic (what `JournalLeaves` does with ektp's events)."""

    def key_id(self) -> bytes:
        """A fixed key id."""
        return b"raw leaf"

    def check_key(self, head: JournalHead) -> None:
        """Refuse a journal written with another policy."""
        if head.key_id is not None and bytes(head.key_id) != self.key_id():
            raise JournalKeyMismatch(expected=bytes(head.key_id).hex(), given=self.key_id().hex())

    def leaf_hashes(self, stored: Sequence[Any], events: Sequence[Any] | None, first: int,
                    seqs: Sequence[int]) -> list[bytes]:
        """The test leaves of the events being written."""
        return [raw_leaf(s, first + i, seq) for i, (s, seq) in enumerate(zip(stored, seqs, strict=True))]

    def prepare(self, stored: Sequence[Any], events: Sequence[Any] | None) -> Callable[[int, Sequence[int]], list[bytes]]:
        """The test leaves, once their positions are known."""
        return lambda first, seqs: self.leaf_hashes(stored, events, first, seqs)


def assert_journal_is_the_log(recorder: Any) -> int:
    """The recorder's journal holds one leaf per notification, in notification order, and
    its nodes and head are the tree those leaves make; returns the number of leaves."""
    tree = CompactRange()
    position = 0
    while True:
        page = recorder.select_notifications(start=position, limit=1000, inclusive_of_start=False)
        if not page:
            break
        first = tree.size
        stored = dict(recorder.journal_level(0, first, first + len(page)))
        seqs = recorder.journal_seqs(range(first, first + len(page)))
        for notification in page:
            index = tree.size
            assert seqs.get(index) == notification.id, (index, seqs.get(index), notification.id)
            digest = raw_leaf(notification, index, notification.id)
            assert stored.get(index) == digest, f"leaf {index} is not notification {notification.id}"
            for (level, node_index), node in tree.append(digest):
                if level:
                    assert recorder.journal_nodes([(level, node_index)]) == {(level, node_index): node}
        position = page[-1].id
    head = recorder.journal_head()
    assert head is not None and head.size == tree.size and head.frontier == tuple(tree.hashes)
    return tree.size
