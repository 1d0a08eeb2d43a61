"""The journal: one append-only RFC 9162 Merkle tree per office, one leaf per
stored event, written in the same database transaction as the event.

Leaf index = the event's place in the notification log, counted densely from 0.
Leaf bytes = the event's ``ektp-audit/2`` line without ``prev`` and ``hash``,
pseudonymised with the office's audit key (`lines.leaf_bytes`): computed from
the event itself, never from the bytes the store keeps, so encrypting stored
events, or erasing a person's data from them, changes no leaf and no proof.

This module is what the store's recorders call while they write
(`JournalLeaves.leaf_hashes`, `advance`); what they keep (`JournalHead`) and
reading it back are the `JournalStorage` port's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from eventsourcing.utils import resolve_topic

from ektp.application.kernel.i18n import _
from ektp.application.audit.aggregates import aggregate_of
from ektp.application.audit.lines import LineParts, leaf_bytes, line_parts
from ektp.application.audit.merkle import LEAF_PREFIX, CompactRange, NodeId
from ektp.application.audit.personal import Pseudonymiser
from ektp.application.errors import JournalDamaged, JournalKeyMismatch, JournalKeyMissing
from ektp.application.ports.journal import JournalHead

KEY_ID_LABEL = b"ektp journal key id"


def journal_key_id(key: bytes) -> bytes:
    """8 bytes that tell which audit key a journal is written with, without revealing it."""
    return hmac.new(key, KEY_ID_LABEL, hashlib.sha256).digest()[:8]


def head_tree(head: JournalHead) -> CompactRange:
    """The head's frontier as a `CompactRange` (`JournalDamaged` if it does not fit the size)."""
    try:
        return CompactRange.check(head.size, head.frontier)
    except ValueError as error:
        raise JournalDamaged(reason=_(
            "its head does not hold a tree of {head_size} leaves ({error})").format(
                head_size=head.size, error=error)) from None


EMPTY_HEAD = JournalHead(size=0, frontier=(), built_from=0, key_id=None, last_seq=0)


@lru_cache(maxsize=None)
def _aggregate_of_class(cls: type[Any]) -> str:
    aggregate = aggregate_of(cls)
    if aggregate is None:
        raise TypeError(f"{cls.__module__}.{cls.__qualname__} belongs to no aggregate of the "
                        "audit format: add its package to AGGREGATE_PACKAGES "
                        "(application/audit/aggregates.py)")
    return aggregate


def aggregate_of_event(event: Any) -> str:
    """The audit aggregate of a stored event's class (TypeError for one that has none:
    a new aggregate must be registered before its events can be written)."""
    return _aggregate_of_class(type(event))  # type: ignore[arg-type]  # classes are hashable


def aggregate_of_topic(topic: str) -> str:
    """The audit aggregate of a stored event's topic."""
    return _aggregate_of_class(resolve_topic(topic))


class LeafForm:
    """The pseudonymised line pieces of events under one audit key."""

    def __init__(self, key: bytes) -> None:
        self.personal = Pseudonymiser(key)
        self.key_id = journal_key_id(key)
        self._aggregates: dict[type[Any], str] = {}

    def parts(self, event: Any) -> LineParts:
        """The position-free pieces of the event's leaf."""
        kind = type(event)
        aggregate = self._aggregates.get(kind)
        if aggregate is None:
            aggregate = _aggregate_of_class(kind)  # type: ignore[arg-type]  # classes are hashable
            self._aggregates[kind] = aggregate
        return line_parts(aggregate, event, self.personal)

    def leaf(self, event: Any, index: int, seq: int) -> bytes:
        """The event's leaf bytes at leaf `index`, store position `seq`."""
        return leaf_bytes(self.parts(event), index, seq)

    def leaf_hash(self, event: Any, index: int, seq: int) -> bytes:
        """`merkle.leaf_hash` of `leaf`."""
        return parts_hash(self.parts(event), index, seq)


def parts_hash(parts: LineParts, index: int, seq: int) -> bytes:
    """`merkle.leaf_hash` of `lines.leaf_bytes`, in one call."""
    return hashlib.sha256(b"".join((LEAF_PREFIX, parts[0], f',"leaf":{index},"seq":{seq}'.encode(),
                                    parts[1]))).digest()


KeySource = Callable[[], "bytes | None"]


class JournalLeaves:
    """What a recorder needs to journal what it writes: the leaf hashes of the
    events it is inserting, under the office's audit key.

    `key` is asked on the first write (a missing key refuses writes, never reads);
    `decode` turns a stored event back into its domain event when the writer was
    not handed the domain events themselves (any path other than ektp's own
    `events.put`, e.g. a host program's `Application.save`).
    """

    def __init__(self, key: KeySource, decode: Callable[[Any], Any] | None = None) -> None:
        self._key_source = key
        self._decode = decode
        self._form: LeafForm | None = None

    def form(self) -> LeafForm:
        """The leaf form under the configured key (`JournalKeyMissing` if there is none)."""
        if self._form is None:
            key = self._key_source()
            if key is None:
                raise JournalKeyMissing()
            self._form = LeafForm(key)
        return self._form

    def key_id(self) -> bytes:
        """The id of the configured key."""
        return self.form().key_id

    def check_key(self, head: JournalHead) -> None:
        """Refuse to write with a key other than the journal's."""
        mine = self.key_id()
        if head.key_id is not None and bytes(head.key_id) != mine:
            raise JournalKeyMismatch(expected=bytes(head.key_id).hex(), given=mine.hex())

    def leaf_hashes(self, stored: Sequence[Any], events: Sequence[Any] | None, first: int,
                    seqs: Sequence[int]) -> list[bytes]:
        """The RFC 9162 leaf hashes of the events being written at leaves `first`...
        and store positions `seqs`."""
        return self.prepare(stored, events)(first, seqs)

    def prepare(self, stored: Sequence[Any], events: Sequence[Any] | None) -> PlacedLeaves:
        """Compute what the events' leaves are before their positions are known (nearly
        all of the work), and return what gives their leaf hashes once they are: a
        recorder does the first while the database works on the insert."""
        form = self.form()
        if events is None:
            if self._decode is None:
                raise TypeError("the journal needs the domain events or a way to decode stored ones")
            events = [self._decode(s) for s in stored]
        parts = form.parts
        pieces = [parts(event) for event in events]

        def placed(first: int, seqs: Sequence[int]) -> list[bytes]:
            return [parts_hash(p, first + i, seq) for i, (p, seq) in enumerate(zip(pieces, seqs, strict=True))]

        return placed


PlacedLeaves = Callable[[int, Sequence[int]], list[bytes]]
"""The leaf hashes of prepared events, given their first leaf index and their store positions."""


def advance(head: JournalHead, leaves: Sequence[bytes], key_id: bytes, last_seq: int,
            tree: CompactRange | None = None) -> tuple[list[tuple[NodeId, bytes]], JournalHead, CompactRange]:
    """Append leaf hashes to the tree `head` describes: the nodes to store, the new head
    and its tree. `tree` is the head's tree when the caller holds it already (checked
    when it was made, and the caller's own copy: it is appended to)."""
    if tree is None:
        tree = head_tree(head)
    nodes: list[tuple[NodeId, bytes]] = []
    for leaf in leaves:
        nodes.extend(tree.append(leaf))
    if last_seq <= head.last_seq and leaves:
        raise JournalDamaged(reason=_(
            "a new event has store position {last_seq}, not after the journal's last "
            "({head_last_seq}): rows were removed").format(
                last_seq=last_seq, head_last_seq=head.last_seq))
    return nodes, JournalHead(size=tree.size, frontier=tuple(tree.hashes), built_from=head.built_from,
                              key_id=key_id, last_seq=last_seq if leaves else head.last_seq), tree


def build_journal(journal: Any, mapper: Any, form: LeafForm) -> JournalHead:
    """Give every event already stored its leaf under `form`'s key, once, in one
    transaction of the journal's storage (`JournalAlreadyBuilt` if it has a journal):
    ``ektp db upgrade`` for a database written before the journal existed. Leaves are
    computed from the events as they are stored now."""
    from ektp.application.audit.merkle import leaf_hash  # only the upgrade needs it here

    def leaf_of(notification: Any, index: int) -> bytes:
        aggregate_of_topic(notification.topic)  # an event of no aggregate is refused here
        return leaf_hash(form.leaf(mapper.to_domain_event(notification), index, notification.id))

    return journal.build_journal(leaf_of, form.key_id)  # type: ignore[no-any-return]


def append_rows(head: JournalHead, tree: CompactRange | None, leaves: Sequence[bytes], key_id: bytes,
                seqs: Sequence[int]) -> tuple[list[tuple[int, bytes, int | None]], JournalHead, CompactRange]:
    """`advance` for a recorder: the new nodes as stored rows (`CompactRange.append_rows`),
    the new head and its tree. `tree` is the head's tree when the caller holds it already
    (checked when it was made, and the caller's own copy: it is appended to)."""
    if tree is None:
        tree = head_tree(head)
    if leaves and seqs[-1] <= head.last_seq:
        raise JournalDamaged(reason=_(
            "a new event has store position {last_seq}, not after the journal's last "
            "({head_last_seq}): rows were removed").format(
                last_seq=seqs[-1], head_last_seq=head.last_seq))
    rows = tree.append_rows(leaves, seqs)
    return rows, JournalHead(size=tree.size, frontier=tuple(tree.hashes), built_from=head.built_from,
                             key_id=key_id, last_seq=seqs[-1] if leaves else head.last_seq), tree
