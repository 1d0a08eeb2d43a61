"""Reading an export in one pass: every line checked, then the totals against
the manifest. Verification, replay, reconciliation and the card table all read
through here, so none of them works on an export that does not check out."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator

from ektp.application.kernel.i18n import _
from ektp.application.audit.canonical import ZERO_HASH, format_time
from ektp.application.audit.line_check import LineChecker
from ektp.application.audit.lines import AuditLine
from ektp.application.audit.manifest import Manifest
from ektp.application.errors import AuditCheckFailed
from ektp.application.ports.audit_source import AuditSource
from ektp.application.ports.stream_versions import StreamVersions

LineWatch = Callable[[AuditLine, "LineChecker"], None]


def read_lines(
    source: AuditSource,
    manifest: Manifest,
    versions: StreamVersions,
    *,
    watch: LineWatch | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[AuditLine]:
    """Every line of the export, checked; raises `AuditCheckFailed` at the first problem.

    `watch` sees each line (and the checker, whose `tree` has grown by it) before
    it is yielded (e.g. the ``--against`` and ``--checkpoint`` checks);
    `progress` gets the bytes read so far, every few thousand lines.
    """
    checker = new_checker(manifest, versions)
    file_hash = hashlib.sha256()
    done = 0
    last_time: dt.datetime | None = None
    for raw in source.lines():
        file_hash.update(raw)
        line = checker.check(raw)
        where = _("events.jsonl line {line_number}").format(line_number=line.number)
        if line.number > manifest.count:
            raise AuditCheckFailed(where=where, reason=_(
                "the manifest counts only {count} events").format(
                    count=manifest.count))
        if line.seq > manifest.last_seq:
            raise AuditCheckFailed(
                where=where, reason=_(
                    "seq {line_seq} is after the manifest's last_seq {manifest_last_seq}").format(
                        line_seq=line.seq, manifest_last_seq=manifest.last_seq))
        if line.number == 1 and line.seq != manifest.first_seq:
            raise AuditCheckFailed(
                where=where, reason=_(
                    "seq {line_seq} is not the manifest's first_seq {manifest_first_seq}").format(
                        line_seq=line.seq, manifest_first_seq=manifest.first_seq))
        if watch is not None:
            watch(line, checker)
        last_time = line.time
        done += len(raw)
        if progress is not None and line.number % 4096 == 0:
            progress(done)
        yield line
    _check_totals(checker, manifest, file_hash.hexdigest(), last_time)
    if progress is not None:
        progress(done)


def new_checker(manifest: Manifest, versions: StreamVersions) -> LineChecker:
    """The line checker for `manifest`'s format: with the tree from its start frontier
    for ``ektp-audit/2`` (grown only when pseudonymised: a revealed export's leaves
    cannot be recomputed without the audit key)."""
    tree = None
    if manifest.is_v2:
        try:
            tree = manifest.start_tree()
        except ValueError as error:
            raise AuditCheckFailed(where="manifest.json", reason=_(
                "start_frontier: {error}").format(
                    error=error)) from None
    return LineChecker(manifest.start_hash, versions, from_start=manifest.start_hash == ZERO_HASH,
                       tree=tree, grow=manifest.personal_data == "pseudonymised")


def _check_totals(
    checker: LineChecker, manifest: Manifest, file_sha256: str, last_time: dt.datetime | None
) -> None:
    if checker.count < manifest.count:
        raise AuditCheckFailed(
            where=_("events.jsonl line {number}").format(number=checker.count + 1),
            reason=_(
                "the file ends after {lines} lines but the manifest counts {count} events (lines "
                "were removed or the file is cut short)").format(
                    lines=checker.count, count=manifest.count))
    if checker.prev_seq != manifest.last_seq:
        raise AuditCheckFailed(
            where="manifest.json",
            reason=_(
                "last_seq is {manifest_last_seq} but the last line has seq "
                "{checker_prev_seq}").format(
                    manifest_last_seq=manifest.last_seq, checker_prev_seq=checker.prev_seq))
    if checker.prev_hash != manifest.end_hash:
        raise AuditCheckFailed(where="manifest.json",
                               reason=_("end_hash is not the hash of the last line"))
    if isinstance(last_time, dt.datetime) and format_time(last_time) != manifest.created:
        raise AuditCheckFailed(where="manifest.json",
                               reason=_("created is not the time of the last line"))
    if file_sha256 != manifest.events_sha256:
        raise AuditCheckFailed(where="manifest.json",
                               reason=_("events_sha256 is not the SHA-256 of events.jsonl"))
    tree = checker.tree
    if tree is not None and manifest.personal_data == "pseudonymised":
        if tree.root().hex() != manifest.root:
            raise AuditCheckFailed(
                where="manifest.json",
                reason=_(
                    "root is not the root of the tree the lines make ({tree_size} leaves)").format(
                        tree_size=tree.size))
