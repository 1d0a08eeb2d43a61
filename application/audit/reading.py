"""Reading an export in one pass: every line checked, then the totals against
the manifest. Verification, replay, reconciliation and the card table all read
through here, so none of them works on an export that does not check out."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator

from ektp.application.audit.canonical import ZERO_HASH, format_time
from ektp.application.audit.line_check import LineChecker
from ektp.application.audit.lines import AuditLine
from ektp.application.audit.manifest import Manifest
from ektp.application.errors import AuditCheckFailed
from ektp.application.ports.audit_source import AuditSource
from ektp.application.ports.stream_versions import StreamVersions

LineWatch = Callable[[AuditLine], None]


def read_lines(
    source: AuditSource,
    manifest: Manifest,
    versions: StreamVersions,
    *,
    watch: LineWatch | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[AuditLine]:
    """Every line of the export, checked; raises `AuditCheckFailed` at the first problem.

    `watch` sees each line before it is yielded (e.g. the ``--against`` check);
    `progress` gets the bytes read so far, every few thousand lines.
    """
    checker = LineChecker(manifest.start_hash, versions,
                          from_start=manifest.start_hash == ZERO_HASH, format=manifest.format)
    file_hash = hashlib.sha256()
    done = 0
    last_time: dt.datetime | None = None
    for raw in source.lines():
        file_hash.update(raw)
        line = checker.check(raw)
        where = f"events.jsonl line {line.number}"
        if line.number > manifest.count:
            raise AuditCheckFailed(where=where, reason=f"the manifest counts only {manifest.count} events")
        if line.seq > manifest.last_seq:
            raise AuditCheckFailed(
                where=where, reason=f"seq {line.seq} is after the manifest's last_seq {manifest.last_seq}")
        if line.number == 1 and line.seq != manifest.first_seq:
            raise AuditCheckFailed(
                where=where, reason=f"seq {line.seq} is not the manifest's first_seq {manifest.first_seq}")
        if watch is not None:
            watch(line)
        last_time = line.time
        done += len(raw)
        if progress is not None and line.number % 4096 == 0:
            progress(done)
        yield line
    _check_totals(checker, manifest, file_hash.hexdigest(), last_time)
    if progress is not None:
        progress(done)


def _check_totals(
    checker: LineChecker, manifest: Manifest, file_sha256: str, last_time: dt.datetime | None
) -> None:
    if checker.count < manifest.count:
        raise AuditCheckFailed(
            where=f"events.jsonl line {checker.count + 1}",
            reason=f"the file ends after {checker.count} lines but the manifest counts "
                   f"{manifest.count} events (lines were removed or the file is cut short)")
    if checker.prev_seq != manifest.last_seq:
        raise AuditCheckFailed(
            where="manifest.json",
            reason=f"last_seq is {manifest.last_seq} but the last line has seq {checker.prev_seq}")
    if checker.prev_hash != manifest.end_hash:
        raise AuditCheckFailed(where="manifest.json",
                               reason="end_hash is not the hash of the last line")
    if isinstance(last_time, dt.datetime) and format_time(last_time) != manifest.created:
        raise AuditCheckFailed(where="manifest.json",
                               reason="created is not the time of the last line")
    if file_sha256 != manifest.events_sha256:
        raise AuditCheckFailed(where="manifest.json",
                               reason="events_sha256 is not the SHA-256 of events.jsonl")
