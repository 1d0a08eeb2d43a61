"""``ektp audit verify``: an export checked end to end, in one pass."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

import attrs

from ektp.application.audit.lines import AuditLine
from ektp.application.audit.manifest import Manifest, parse_manifest
from ektp.application.audit.reading import read_lines
from ektp.application.errors import AuditCheckFailed
from ektp.application.ports.audit_source import AuditSource
from ektp.application.ports.signer import SignatureChecker
from ektp.application.ports.stream_versions import StreamVersions


@attrs.frozen
class VerifyReport:
    """What a successful verification established."""

    manifest: Manifest
    signature: str  # "valid", "present, not checked" or "absent"
    against: str | None  # how the older export relates, when one was given
    # Lines whose inserting login the store did not record (format 1, events stored
    # before ektp recorded it, the in-memory store): their actor is unchecked.
    unsigned: int = 0
    # Lines inserted by a host program's login (`host_logins`) for another actor.
    by_host: int = 0


def verify_export(
    source: AuditSource,
    versions: StreamVersions,
    *,
    public_key: SignatureChecker | None = None,
    older: AuditSource | None = None,
    progress: Callable[[int], None] | None = None,
    host_logins: frozenset[str] = frozenset(),
) -> VerifyReport:
    """Check the export; raise `AuditCheckFailed` naming the first problem found.

    Besides the format's own checks, every line that records the login which
    inserted it must have that login as its actor: an event written by one login
    in another staff member's name is exactly what an audit must catch (a
    ``psql`` INSERT signs the row with its own login). `host_logins` are the
    logins of host programs the auditor knows insert events for the staff they
    authenticate themselves (``audit verify --host-login``); their lines are
    counted, not refused.
    """
    manifest = parse_manifest(source.manifest())
    signature = _check_signature(source, manifest, public_key)
    against = None
    watches: list[Callable[[AuditLine], None]] = []
    if older is not None:
        older_manifest = parse_manifest(older.manifest(), where="the older export's manifest.json")
        against, contains = _against(manifest, older_manifest)
        if contains is not None:
            watches.append(contains)
    signers = _Signers(host_logins)
    watches.append(signers)
    for _ in read_lines(source, manifest, versions, watch=_all(watches), progress=progress):
        pass
    return VerifyReport(manifest=manifest, signature=signature, against=against,
                        unsigned=signers.unsigned, by_host=signers.by_host)


def _all(watches: list[Callable[[AuditLine], None]]) -> Callable[[AuditLine], None]:
    def watch(line: AuditLine) -> None:
        for each in watches:
            each(line)
    return watch


class _Signers:
    """Checks each line's actor against the login that inserted it."""

    def __init__(self, host_logins: frozenset[str]) -> None:
        self.host_logins = host_logins
        self.unsigned = 0
        self.by_host = 0

    def __call__(self, line: AuditLine) -> None:
        inserter = line.inserted_by
        actor = line.actor.get("id")
        if inserter is None:
            self.unsigned += 1
        elif inserter != actor:
            if inserter in self.host_logins:
                self.by_host += 1
                return
            raise AuditCheckFailed(
                where=f"events.jsonl line {line.number}",
                reason=f"its actor {str(actor)[:64]} is not the login that inserted it "
                       f"({inserter}): an event recorded in someone else's name (if {inserter} "
                       f"is a host program that authenticates its own users, say so with "
                       f"--host-login {inserter})")


def _check_signature(
    source: AuditSource, manifest: Manifest, public_key: SignatureChecker | None
) -> str:
    raw = source.signature()
    if public_key is None:
        return "absent" if raw is None else "present, not checked (no --public-key)"
    if raw is None:
        raise AuditCheckFailed(where="manifest.sig", reason="there is no signature to check")
    try:
        signature = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise AuditCheckFailed(where="manifest.sig", reason="it is not base64") from None
    if not public_key.is_valid(manifest.canonical(), signature):
        raise AuditCheckFailed(
            where="manifest.sig",
            reason="the signature does not match manifest.json under this public key "
                   "(wrong key, or the manifest was edited)")
    return "valid"


class _ContainsOlder:
    """Watches for the older export's last line inside this one."""

    def __init__(self, older: Manifest) -> None:
        self.older = older
        self.found = False

    def __call__(self, line: AuditLine) -> None:
        seq = self.older.last_seq
        if self.found or line.seq < seq:
            return
        where = f"events.jsonl line {line.number}"
        if line.seq > seq:
            raise AuditCheckFailed(
                where=where, reason=f"there is no line with seq {seq}, where the older export ends")
        if line.hash != self.older.end_hash:
            raise AuditCheckFailed(
                where=where, reason=f"its hash is not the older export's end_hash: the history "
                                    f"up to seq {seq} differs from the older export")
        self.found = True


def _against(manifest: Manifest, older: Manifest) -> tuple[str, _ContainsOlder | None]:
    where = "the older export"
    if older.office != manifest.office:
        raise AuditCheckFailed(where=where, reason=f"it is of office {older.office[:20]!r}, "
                                                   f"this one of {manifest.office[:20]!r}")
    if older.personal_data != manifest.personal_data:
        raise AuditCheckFailed(where=where, reason="its personal data is "
                               f"{older.personal_data}, here {manifest.personal_data}: "
                               "the hashes cannot be compared")
    if older.last_seq > manifest.last_seq:
        raise AuditCheckFailed(where=where, reason=f"it ends at seq {older.last_seq}, after "
                                                   f"this export's last_seq {manifest.last_seq}")
    if older.last_seq >= manifest.first_seq and older.format != manifest.format:
        raise AuditCheckFailed(where=where, reason=(
            f"it is in format {older.format} and this one in {manifest.format}, whose lines "
            "hash differently: compare exports of one format (a newer export may continue "
            "an older one's chain)"))
    if older.last_seq < manifest.first_seq:
        if manifest.start_hash != older.end_hash:
            raise AuditCheckFailed(
                where="manifest.json",
                reason="start_hash is not the older export's end_hash: this export neither "
                       "contains nor continues the older one")
        return f"continues it (from its end at seq {older.last_seq})", None
    return f"contains it unchanged up to seq {older.last_seq}", _ContainsOlder(older)
