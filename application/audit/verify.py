"""``ektp audit verify``: an export checked end to end, in one pass.

Integrity (nothing in the files was altered, removed, inserted or reordered,
and for ``ektp-audit/2`` the lines make the tree the manifest claims) is
checked always. Authenticity (the office made it) needs the office's public
key: without ``--public-key``, or without a signature, a verification that
passes is reported as *integrity only, authenticity not established*, never
as a plain pass. Each checkpoint held (``--checkpoint``) is proved consistent
with the export: the tree the export's own lines make has, at the checkpoint's
size, the checkpoint's root.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence

import attrs

from ektp.application.kernel.i18n import N_, _
from ektp.application.audit.line_check import LineChecker
from ektp.application.audit.lines import AuditLine
from ektp.application.audit.manifest import Manifest, parse_manifest
from ektp.application.audit.note import NoteInvalid, SignedCheckpoint, origin_of, verify_signed
from ektp.application.audit.reading import read_lines
from ektp.application.errors import AuditCheckFailed
from ektp.application.ports.audit_source import AuditSource
from ektp.application.ports.signer import SignatureChecker
from ektp.application.ports.stream_versions import StreamVersions

VERIFIED = "verified"
INTEGRITY_ONLY = "integrity-only"
INTEGRITY_ONLY_TEXT = N_("integrity only, authenticity not established")


@attrs.frozen
class CheckpointResult:
    """How one checkpoint held relates to the export."""

    size: int
    root: str
    signature: str  # "valid" or "not checked (no --public-key)"
    relation: str


@attrs.frozen
class VerifyReport:
    """What a successful verification established."""

    manifest: Manifest
    signature: str  # "valid", "present, not checked" or "absent"
    against: str | None  # how the older export relates, when one was given
    checkpoints: tuple[CheckpointResult, ...] = ()
    older_signature: str | None = None
    root: str = ""  # "recomputed from the lines", or why it could not be

    @property
    def authentic(self) -> bool:
        """Whether the office's signature was checked on everything that carries one."""
        return (self.signature == "valid"
                and (self.older_signature is None or self.older_signature == "valid")
                and all(c.signature == "valid" for c in self.checkpoints))

    @property
    def outcome(self) -> str:
        """``verified``, or ``integrity-only`` when nothing vouched for who made it."""
        return VERIFIED if self.authentic else INTEGRITY_ONLY
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
    checkpoints: Sequence[SignedCheckpoint] = (),
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
    signature = _check_signature(source, manifest, public_key, "manifest.sig")
    watches: list[Callable[[AuditLine, LineChecker], None]] = []
    against = older_signature = None
    if older is not None:
        older_manifest = parse_manifest(older.manifest(), where=_("the older export's manifest.json"))
        older_signature = _check_signature(older, older_manifest, public_key,
                                           "the older export's manifest.sig")
        against, contains = _against(manifest, older_manifest)
        if contains is not None:
            watches.append(contains)
    signers = _Signers(host_logins)
    watches.append(signers)
    held = [_held(manifest, point, public_key) for point in checkpoints]
    watches += [w for _, w in held if w is not None]
    for _line in read_lines(source, manifest, versions, watch=_all(watches),
                        progress=progress):
        pass
    for watch in watches:
        if isinstance(watch, _RootAt) and not watch.done:
            raise AuditCheckFailed(where=watch.where, reason=_("the export never reached its size"))
    root = (N_("recomputed from the lines")
            if manifest.is_v2 and manifest.personal_data == "pseudonymised"
            else N_("not recomputed (ektp-audit/1 has none)") if not manifest.is_v2
            else N_("not recomputed (personal data revealed: the leaves are pseudonymised)"))
    return VerifyReport(manifest=manifest, signature=signature, against=against,
                        checkpoints=tuple(result for result, _ in held),
                        older_signature=older_signature, root=root,
                        unsigned=signers.unsigned, by_host=signers.by_host)


class _Signers:
    """Checks each line's actor against the login that inserted it."""

    def __init__(self, host_logins: frozenset[str]) -> None:
        self.host_logins = host_logins
        self.unsigned = 0
        self.by_host = 0

    def __call__(self, line: AuditLine, checker: LineChecker) -> None:
        inserter = line.inserted_by
        actor = line.actor.get("id")
        if inserter is None:
            self.unsigned += 1
        elif inserter != actor:
            if inserter in self.host_logins:
                self.by_host += 1
                return
            raise AuditCheckFailed(
                where=_("events.jsonl line {line_number}").format(line_number=line.number),
                reason=_(
                    "its actor {actor} is not the login that inserted it ({inserter}): an event "
                    "recorded in someone else's name (if {inserter} is a host program that "
                    "authenticates its own users, say so with --host-login {inserter})").format(
                        actor=str(actor)[:64], inserter=inserter))


def _all(watches: list[Callable[[AuditLine, LineChecker], None]]) -> Callable[[AuditLine, LineChecker], None]:
    def watch(line: AuditLine, checker: LineChecker) -> None:
        for each in watches:
            each(line, checker)
    return watch


def _check_signature(source: AuditSource, manifest: Manifest, public_key: SignatureChecker | None,
                     where: str) -> str:
    raw = source.signature()
    if public_key is None:
        return N_("absent") if raw is None else N_("present, not checked (no --public-key)")
    if raw is None:
        raise AuditCheckFailed(where=where, reason=_("there is no signature to check"))
    try:
        signature = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise AuditCheckFailed(where=where, reason=_("it is not base64")) from None
    if not public_key.is_valid(manifest.canonical(), signature):
        raise AuditCheckFailed(
            where=where,
            reason=_("the signature does not match its manifest.json under this public key "
                   "(wrong key, or the manifest was edited)"))
    return N_("valid")


# --- checkpoints held ------------------------------------------------------------
class _RootAt:
    """Checks the export's tree has `root` once it holds `size` leaves."""

    def __init__(self, size: int, root: bytes, where: str) -> None:
        self.size, self.root, self.where = size, root, where
        self.done = False

    def __call__(self, line: AuditLine, checker: LineChecker) -> None:
        tree = checker.tree
        if self.done or tree is None or tree.size != self.size:
            return
        self.done = True
        if tree.root() != self.root:
            raise AuditCheckFailed(
                where=self.where,
                reason=_(
                    "the export's tree at size {size} (events.jsonl line {line_number}) has "
                    "another root: what the checkpoint covers was rewritten").format(
                        size=self.size, line_number=line.number))


def _held(manifest: Manifest, point: SignedCheckpoint,
          public_key: SignatureChecker | None) -> tuple[CheckpointResult, _RootAt | None]:
    checkpoint = point.checkpoint
    where = _("the checkpoint of size {checkpoint_size}").format(checkpoint_size=checkpoint.size)
    if not manifest.is_v2:
        raise AuditCheckFailed(where=where, reason=_(
            "{manifest_format} exports carry no tree to check a checkpoint against").format(
                manifest_format=manifest.format))
    if manifest.personal_data != "pseudonymised":
        raise AuditCheckFailed(where=where, reason=_("a revealed export's leaves cannot be recomputed "
                                                   "(they are pseudonymised); verify a pseudonymised "
                                                   "export against it"))
    if checkpoint.origin != origin_of(manifest.office):
        raise AuditCheckFailed(where=where, reason=_(
            "its origin is {checkpoint_origin!r}, not {manifest_office!r}").format(
                checkpoint_origin=checkpoint.origin[:40], manifest_office=origin_of(manifest.office)))
    signature = N_("not checked (no --public-key)")
    if public_key is not None:
        try:
            verify_signed(point, public_key)
        except NoteInvalid as error:
            raise AuditCheckFailed(where=where, reason=str(error)) from None
        signature = N_("valid")
    start = manifest.start_size or 0
    tree_size = manifest.tree_size or 0
    if checkpoint.size > tree_size:
        raise AuditCheckFailed(where=where, reason=_(
            "it is of a larger tree than this export reaches ({tree_size} leaves): verify a newer "
            "export against it").format(
                tree_size=tree_size))
    if checkpoint.size < start:
        raise AuditCheckFailed(where=where, reason=_(
            "it is of a tree this export does not cover (it starts after leaf {start}): verify the "
            "export that covers it, or a full export").format(
                start=start))
    root_hex = checkpoint.root.hex()
    result = CheckpointResult(size=checkpoint.size, root=root_hex, signature=signature,
                              relation=N_("consistent: the export's tree at {size} leaves has "
                                          "its root", size=checkpoint.size))
    if checkpoint.size == start:
        if manifest.start_tree().root() != checkpoint.root:
            raise AuditCheckFailed(where=where, reason=_("the export's start frontier does not make "
                                                       "its root"))
        return result, None
    return result, _RootAt(checkpoint.size, checkpoint.root, where)


# --- an older export ---------------------------------------------------------------
class _ContainsOlder:
    """Watches for the older export's last line inside this one (and its tree root there)."""

    def __init__(self, older: Manifest, check_root: bool) -> None:
        self.older = older
        self.found = False
        self.check_root = check_root

    def __call__(self, line: AuditLine, checker: LineChecker) -> None:
        seq = self.older.last_seq
        if self.found or line.seq < seq:
            return
        where = _("events.jsonl line {line_number}").format(line_number=line.number)
        if line.seq > seq:
            raise AuditCheckFailed(
                where=where, reason=_(
                    "there is no line with seq {seq}, where the older export ends").format(
                        seq=seq))
        if line.hash != self.older.end_hash:
            raise AuditCheckFailed(
                where=where, reason=_(
                    "its hash is not the older export's end_hash: the history up to seq {seq} "
                    "differs from the older export").format(
                        seq=seq))
        if self.check_root and checker.tree is not None and checker.tree.root().hex() != self.older.root:
            raise AuditCheckFailed(
                where=where, reason=_("the tree up to here does not have the older export's root"))
        self.found = True


def _against(manifest: Manifest, older: Manifest) -> tuple[str, _ContainsOlder | None]:
    where = _("the older export")
    if older.office != manifest.office:
        raise AuditCheckFailed(where=where, reason=_(
            "it is of office {older_office!r}, this one of {manifest_office!r}").format(
                older_office=older.office[:20], manifest_office=manifest.office[:20]))
    if older.personal_data != manifest.personal_data:
        raise AuditCheckFailed(where=where, reason=_(
            "its personal data is {older_personal_data}, here {manifest_personal_data}: the hashes "
            "cannot be compared").format(
                older_personal_data=older.personal_data, manifest_personal_data=manifest.personal_data))
    if older.format != manifest.format:
        raise AuditCheckFailed(where=where, reason=_(
            "it is {older_format} and this one {manifest_format}: their lines hash differently; "
            "verify each on its own").format(
                older_format=older.format, manifest_format=manifest.format))
    if older.last_seq > manifest.last_seq:
        raise AuditCheckFailed(where=where, reason=_(
            "it ends at seq {older_last_seq}, after this export's last_seq "
            "{manifest_last_seq}").format(
                older_last_seq=older.last_seq, manifest_last_seq=manifest.last_seq))
    both_v2 = manifest.is_v2 and older.is_v2
    pseudonymised = manifest.personal_data == "pseudonymised"
    if older.last_seq < manifest.first_seq:
        if manifest.start_hash != older.end_hash:
            raise AuditCheckFailed(
                where="manifest.json",
                reason=_("start_hash is not the older export's end_hash: this export neither "
                       "contains nor continues the older one"))
        if both_v2:
            if manifest.start_size != older.tree_size:
                raise AuditCheckFailed(where="manifest.json",
                                       reason=_(
                                           "start_size is not the older export's tree_size "
                                           "{older_tree_size}").format(
                                               older_tree_size=older.tree_size))
            if pseudonymised and manifest.start_tree().root().hex() != older.root:
                raise AuditCheckFailed(where="manifest.json",
                                       reason=_("start_frontier does not make the older export's root"))
        return N_("continues it (from its end at seq {seq})", seq=older.last_seq), None
    if manifest.first_seq > older.first_seq:
        raise AuditCheckFailed(
            where="manifest.json",
            reason=_(
                "this export begins at seq {manifest_first_seq}, after the older export's first "
                "line (seq {older_first_seq}): its head is cut off (verify an export against the "
                "one it continues)").format(
                    manifest_first_seq=manifest.first_seq, older_first_seq=older.first_seq))
    return (N_("contains it unchanged up to seq {seq}", seq=older.last_seq),
            _ContainsOlder(older, check_root=both_v2 and pseudonymised))
