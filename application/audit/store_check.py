"""``ektp db verify``: the stored events against the journal written with them.

One pass over the store, in order, a page at a time: every event's leaf is
recomputed from the event (pseudonymised with the office's audit key) and
compared with the leaf the journal kept, and with the store position the leaf
was written for; every node of the tree the recomputed leaves make is compared
with the stored node; the head with the recomputed frontier; and every
checkpoint (the ones the database keeps, and the ones given as files) with
the recomputed root at its size. The first difference is reported with the
event it concerns. Memory: one page and the tree's frontier.

What it catches: a stored event edited (``sqlite3 ... update``), deleted,
inserted or moved; the journal edited; and the journal *rewritten to match* an
edited store, as soon as a checkpoint made before the edit is checked (kept in
the database, or better, held by a witness and given with ``--checkpoint``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from ektp.application.kernel.i18n import N_, _
from ektp.application.audit.export import journal_of
from ektp.application.audit.journal import LeafForm
from ektp.application.audit.merkle import CompactRange, leaf_hash
from ektp.application.audit.note import NoteInvalid, SignedCheckpoint, origin_of, verify_signed
from ektp.application.errors import AuditCheckFailed, JournalDamaged, JournalKeyMismatch, JournalMissing
from ektp.application.kernel.store import Store, store_errors
from ektp.application.ports.signer import SignatureChecker

PAGE = 2000


@attrs.frozen
class CheckedCheckpoint:
    """A checkpoint compared with the store's tree."""

    size: int
    source: str  # "kept" (in the database) or the file it came from
    signature: str  # "valid" or "not checked (no --public-key)"


@attrs.frozen
class StoreReport:
    """What `verify_store` found (only when everything matched)."""

    events: int
    root: str
    built_from: int
    checkpoints: tuple[CheckedCheckpoint, ...]

    @property
    def authentic(self) -> bool:
        """Whether at least one checkpoint was checked, and every one's signature."""
        return bool(self.checkpoints) and all(c.signature == "valid" for c in self.checkpoints)


def _fail(where: str, reason: str) -> AuditCheckFailed:
    return AuditCheckFailed(where=where, reason=reason)


def _describe(notification: Any, event: Any, index: int) -> str:
    return (f"the stored event at seq {notification.id} (leaf {index}: {type(event).__name__} "
            f"v{notification.originator_version} of {notification.originator_id})")


def verify_store(store: Store, form: LeafForm, office: str, *,
                 held: Sequence[tuple[str, SignedCheckpoint]] = (),
                 public_key: SignatureChecker | None = None,
                 progress: Callable[[int], None] | None = None) -> StoreReport:
    """Check the store against its journal; `AuditCheckFailed` names the first difference."""
    journal = journal_of(store)
    try:
        with store_errors():
            head = journal.journal_head()
            kept = journal.checkpoints()
    except JournalDamaged as damaged:
        # The head is derived from the newest nodes: one that is missing or added is
        # found here, before any event is read.
        raise _fail(_("the journal's newest nodes"), str(damaged.facts["reason"])) from None
    if head is None:
        raise JournalMissing()
    if head.key_id is not None and head.key_id != form.key_id:
        raise JournalKeyMismatch(expected=head.key_id.hex(), given=form.key_id.hex())
    points = _checkpoints(kept, held, office, public_key)
    roots_wanted = {p.checkpoint.size for _, p, _ in points}
    roots: dict[int, bytes] = {}
    if 0 in roots_wanted:
        roots[0] = CompactRange().root()
    tree = CompactRange()
    mapper = store.app.mapper
    position = 0
    while True:
        page = store.notifications(position, PAGE)
        if not page:
            break
        first = tree.size
        with store_errors():
            stored = dict(journal.journal_level(0, first, first + len(page)))
            seqs = journal.journal_seqs(range(first, first + len(page)))
        made: dict[int, list[tuple[int, bytes]]] = {}
        for notification in page:
            index = tree.size
            try:
                event = mapper.to_domain_event(notification)
            except Exception as error:  # noqa: BLE001 - whatever a changed row breaks
                raise _fail(_(
                    "the stored event at seq {notification_id} (leaf {index}: {notification_topic} "
                    "v{notification_originator_version} of {notification_originator_id})").format(
                        notification_id=notification.id, index=index, notification_topic=notification.topic.rsplit(':', 1)[-1][:40], notification_originator_version=notification.originator_version, notification_originator_id=notification.originator_id),
                            _(
                                "it cannot be read back as an event ({error}): it was changed "
                                "after it was written").format(
                                    error=type(error).__name__)) from None
            digest = form.leaf_hash(event, index, notification.id)
            if index not in stored:
                raise _fail(_describe(notification, event, index),
                            _(
                                "the journal has no leaf for it (it holds {head_size}): the event "
                                "was added without the journal").format(
                                    head_size=head.size))
            if stored[index] != digest:
                raise _fail(_describe(notification, event, index),
                            _why_differs(seqs.get(index), notification.id))
            for (level, node_index), node in tree.append(digest):
                if level:
                    made.setdefault(level, []).append((node_index, node))
            if tree.size in roots_wanted:
                roots[tree.size] = tree.root()
        for level, nodes in made.items():
            with store_errors():
                have = dict(journal.journal_level(level, nodes[0][0], nodes[-1][0] + 1))
            for node_index, node in nodes:
                if have.get(node_index) != node:
                    raise _fail(_("journal node ({level}, {node_index})").format(
                        level=level, node_index=node_index),
                                _("it is not the hash of the leaves below it: the journal was edited"))
        position = page[-1].id
        if progress is not None:
            progress(position)
        if len(page) < PAGE:
            break
    if tree.size < head.size:
        with store_errors():
            missing_seq = journal.journal_seqs([tree.size]).get(tree.size)
        raise _fail(_("journal leaf {tree_size}").format(tree_size=tree.size),
                    _(
                        "it was written for seq {missing_seq}, which the store no longer holds: "
                        "the store has {tree_size} events, the journal {head_size} leaves (the "
                        "last events were deleted)").format(
                            missing_seq=missing_seq, tree_size=tree.size, head_size=head.size))
    if tree.size > head.size:
        raise _fail(_("the journal's head"),
            _(
                "it counts {head_size} leaves but the store has {tree_size} events, each with its "
                "leaf: the head was edited").format(
                    head_size=head.size, tree_size=tree.size))
    if tuple(tree.hashes) != head.frontier:
        raise _fail(_("the journal's head"),
            _("its frontier is not the tree its leaves make: it was edited"))
    checked = []
    for source, point, signature in points:
        size = point.checkpoint.size
        where = _("the checkpoint of size {size} ({source})").format(size=size, source=source)
        if size > tree.size:
            raise _fail(where, _(
                "it covers {size} leaves; the store has only {tree_size} events: events it covers "
                "were deleted").format(
                    size=size, tree_size=tree.size))
        if roots[size] != point.checkpoint.root:
            raise _fail(where, _(
                "the tree the stored events make at {size} leaves has another root: events it "
                "covers were changed, and the journal rewritten to match").format(
                    size=size))
        checked.append(CheckedCheckpoint(size, source, signature))
    return StoreReport(tree.size, tree.root().hex(), head.built_from, tuple(checked))


def _why_differs(written_for: int | None, seq: int) -> str:
    if written_for is not None and written_for != seq:
        if written_for < seq:
            return (f"its journal leaf was written for seq {written_for}, which the store no longer "
                    "holds: that event was deleted")
        return (f"its journal leaf was written for seq {written_for}: events were inserted or "
                "moved before it")
    return ("it does not match its journal leaf: it was changed after it was written (or moved, "
            "or the journal leaf was edited)")


def _checkpoints(kept: Sequence[tuple[int, str]], held: Sequence[tuple[str, SignedCheckpoint]],
                 office: str, public_key: SignatureChecker | None
                 ) -> list[tuple[str, SignedCheckpoint, str]]:
    from ektp.application.audit.checkpoints import read_checkpoint

    points = [(N_("kept in the database"), read_checkpoint(text.encode(),
        _("the kept checkpoint of size {size}").format(size=size)))
              for size, text in kept]
    points += list(held)
    result = []
    for source, point in points:
        where = _("the checkpoint of size {checkpoint_size} ({source})").format(
            checkpoint_size=point.checkpoint.size, source=source)
        if point.checkpoint.origin != origin_of(office):
            raise _fail(where, _("its origin is {checkpoint_origin!r}, not {office!r}").format(
                checkpoint_origin=point.checkpoint.origin[:40], office=origin_of(office)))
        signature = N_("not checked (no --public-key)")
        if public_key is not None:
            try:
                verify_signed(point, public_key)
            except NoteInvalid as error:
                raise _fail(where, str(error)) from None
            signature = N_("valid")
        result.append((source, point, signature))
    return result

