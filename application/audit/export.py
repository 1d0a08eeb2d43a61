"""Writing an ``ektp-audit/2`` export: the store's history in store order, every
event a line, chained by hashes and numbered by its journal leaf.

Each line's leaf is recomputed from the stored event and compared with the
leaf the journal kept when the event was written, so an export of a store that
was edited afterwards is refused instead of signed; the manifest ends with the
tree size and root the export reaches (and, for a continued export, the
frontier it starts from), so an auditor can check it against checkpoints.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from ektp.application.kernel.i18n import _
from ektp.application.audit.canonical import ZERO_HASH, format_time
from ektp.application.audit.journal import LeafForm, aggregate_of_topic
from ektp.application.audit.lines import PersonalDataPolicy, build_line, leaf_bytes, line_parts
from ektp.application.audit.manifest import Manifest
from ektp.application.audit.merkle import CompactRange, leaf_hash, perfect_nodes
from ektp.application.errors import AuditCheckFailed, JournalDamaged, JournalMissing, NothingToExport
from ektp.application.kernel.gate import Gated
from ektp.application.kernel.store import Store, store_errors
from ektp.application.ports.audit_sink import AuditSink
from ektp.application.ports.journal import JournalStorage
from ektp.application.ports.signer import Signer

PAGE = 2000


def journal_of(store: Store) -> JournalStorage:
    """The store's journal (its recorder keeps it), every call through the store's gate."""
    recorder: Any = store.app.recorder
    if not hasattr(recorder, "journal_head"):
        raise JournalMissing()
    return Gated(recorder, store.gate)


def start_frontier(journal: JournalStorage, size: int) -> CompactRange:
    """The stored frontier of the tree of the first `size` leaves."""
    wanted = perfect_nodes(0, size)
    with store_errors():
        found = journal.journal_nodes(wanted)
    if len(found) != len(wanted):
        raise JournalDamaged(reason=_("nodes of the tree of {size} leaves are missing").format(
            size=size))
    return CompactRange(size, [found[node] for node in wanted])


def stored_root(journal: JournalStorage, size: int) -> bytes:
    """The root of the tree of `size` leaves, from the stored nodes."""
    return start_frontier(journal, size).root()


def export_history(
    store: Store,
    sink: AuditSink,
    *,
    office: str,
    personal: PersonalDataPolicy,
    leaves: LeafForm | None,
    after: int = 0,
    start_hash: str = ZERO_HASH,
    start_size: int = 0,
    upto: int | None = None,
    signer: Signer | None = None,
    progress: Callable[[int], None] | None = None,
) -> Manifest:
    """Export every event after position `after` (up to `upto`), chained from
    `start_hash` and numbered from leaf `start_size`; finish the sink and return
    the manifest. `leaves` (the journal's leaf form, None only for a revealed
    export made without the audit key) checks each event against its leaf.

    Nothing is left behind when it fails: the sink is aborted.
    """
    journal = journal_of(store)
    with store_errors():
        head = journal.journal_head()
    if head is None:
        raise JournalMissing()
    if leaves is not None and head.key_id is not None and head.key_id != leaves.key_id:
        from ektp.application.errors import JournalKeyMismatch

        raise JournalKeyMismatch(expected=head.key_id.hex(), given=leaves.key_id.hex())
    # Up to the last event the journal held when the export began: what is written
    # meanwhile belongs to the next export.
    stop = head.last_seq if upto is None else min(upto, head.last_seq)
    file_hash = hashlib.sha256()
    prev = start_hash
    first_seq = last_seq = count = 0
    last_time: Any = None
    position = after
    mapper = store.app.mapper
    tree = start_frontier(journal, start_size)
    same_form = leaves is not None and personal.mode == "pseudonymised"
    try:
        while True:
            page = store.notifications(position, PAGE, stop=stop)
            with store_errors():
                kept = dict(journal.journal_level(0, tree.size, tree.size + len(page))) if page else {}
                # Who inserted each row, as the store recorded it (one query a page).
                inserters = store.inserted_by(position, page[-1].id) if page else {}
            chunk: list[bytes] = []
            for notification in page:
                index = tree.size
                if index >= head.size:
                    raise AuditCheckFailed(
                        where=_("the store at seq {notification_id}").format(
                            notification_id=notification.id),
                        reason=_(
                            "the event has no leaf: the journal holds {head_size} leaves (run "
                            "'ektp db verify')").format(
                                head_size=head.size))
                try:
                    event: Any = mapper.to_domain_event(notification)
                    aggregate = aggregate_of_topic(notification.topic)
                except Exception as error:  # noqa: BLE001 - whatever a changed row breaks
                    raise AuditCheckFailed(
                        where=_("the store at seq {notification_id}").format(
                            notification_id=notification.id),
                        reason=_(
                            "the event cannot be read back ({error}): it was changed after it was "
                            "written (run 'ektp db verify')").format(
                                error=type(error).__name__)) from None
                parts = line_parts(aggregate, event, personal)
                if leaves is not None:
                    own = parts if same_form else leaves.parts(event)
                    digest = leaf_hash(leaf_bytes(own, index, notification.id))
                    if kept.get(index) != digest:
                        raise AuditCheckFailed(
                            where=_("the store at seq {notification_id}").format(
                                notification_id=notification.id),
                            reason=_(
                                "the event does not match journal leaf {index}: it was changed "
                                "after it was written, or rows were removed or reordered (run "
                                "'ektp db verify')").format(
                                    index=index))
                    tree.append(digest)
                elif index in kept:
                    tree.append(kept[index])
                else:
                    raise JournalDamaged(reason=_("leaf {index} is missing").format(index=index))
                line, prev = build_line(parts, index, notification.id, prev,
                                        inserters.get(notification.id))
                chunk.append(line)
                first_seq = first_seq or notification.id
                last_seq = notification.id
                last_time = event.timestamp
            if chunk:
                data = b"".join(chunk)
                file_hash.update(data)
                sink.write_events(data)
                count += len(chunk)
            if page:
                position = page[-1].id
                if progress is not None:
                    progress(position)
            if len(page) < PAGE:
                break
        if count == 0:
            raise NothingToExport(after=after)
        root = stored_root(journal, tree.size)
        if leaves is not None and tree.root() != root:
            raise JournalDamaged(reason=_(
                "its stored nodes do not make the root of its {tree_size} leaves").format(
                    tree_size=tree.size))
        manifest = Manifest(
            office=office, created=format_time(last_time), first_seq=first_seq, last_seq=last_seq,
            count=count, start_hash=start_hash, end_hash=prev,
            events_sha256=file_hash.hexdigest(), personal_data=personal.mode,
            start_size=start_size,
            start_frontier=tuple(h.hex() for h in start_frontier(journal, start_size).hashes),
            tree_size=tree.size, root=root.hex(),
        )
        signature = None
        if signer is not None:
            signature = base64.b64encode(signer.sign(manifest.canonical())) + b"\n"
        sink.finish(manifest.file_bytes(), signature)
    except BaseException:
        sink.abort()
        raise
    return manifest

