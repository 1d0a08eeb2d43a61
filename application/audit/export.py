"""Writing an export: the store's history, in store order, as a hash chain."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from eventsourcing.utils import resolve_topic

from ektp.application.audit.aggregates import aggregate_of
from ektp.application.audit.canonical import ZERO_HASH, format_time
from ektp.application.audit.lines import PersonalDataPolicy, build_line
from ektp.application.audit.manifest import Manifest
from ektp.application.errors import NothingToExport
from ektp.application.ports.audit_sink import AuditSink
from ektp.application.ports.signer import Signer
from ektp.application.kernel.store import Store, store_errors

PAGE = 2000


@lru_cache(maxsize=None)
def _aggregate_of_topic(topic: str) -> str | None:
    return aggregate_of(resolve_topic(topic))


def export_history(
    store: Store,
    sink: AuditSink,
    *,
    office: str,
    personal: PersonalDataPolicy,
    after: int = 0,
    start_hash: str = ZERO_HASH,
    upto: int | None = None,
    signer: Signer | None = None,
    progress: Callable[[int], None] | None = None,
) -> Manifest:
    """Export every event of an exported aggregate after position `after` (up to
    `upto`), chained from `start_hash`; finish the sink and return the manifest.

    Nothing is left behind when it fails: the sink is aborted.
    """
    file_hash = hashlib.sha256()
    prev = start_hash
    first_seq = last_seq = count = 0
    last_time: Any = None
    position = after
    mapper = store.app.mapper
    try:
        while True:
            with store_errors():
                page = store.app.recorder.select_notifications(
                    start=position, limit=PAGE, stop=upto, inclusive_of_start=False)
            # Who inserted each row, as the store recorded it (one query a page).
            inserters = store.inserted_by(position, page[-1].id) if page else {}
            chunk: list[bytes] = []
            for notification in page:
                aggregate = _aggregate_of_topic(notification.topic)
                if aggregate is None:
                    continue
                with store_errors():
                    event: Any = mapper.to_domain_event(notification)
                line, prev = build_line(notification.id, aggregate, event, prev, personal,
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
        manifest = Manifest(
            office=office, created=format_time(last_time), first_seq=first_seq, last_seq=last_seq,
            count=count, start_hash=start_hash, end_hash=prev,
            events_sha256=file_hash.hexdigest(), personal_data=personal.mode,
        )
        signature = None
        if signer is not None:
            signature = base64.b64encode(signer.sign(manifest.canonical())) + b"\n"
        sink.finish(manifest.file_bytes(), signature)
    except BaseException:
        sink.abort()
        raise
    return manifest
