"""Checkpoints of the journal, consistency proofs between them, and witnessing.

The office signs a checkpoint of its journal (``ektp audit checkpoint``) and
hands it out every working day; it never signs one that is inconsistent with
one it signed before. Between two checkpoints it gives a consistency proof
(``ektp audit consistency``) in the body format of c2sp.org/tlog-witness's
add-checkpoint request: ``old SIZE``, one base64 hash per line, a blank line,
then the new checkpoint as it is. A witness that holds the old checkpoint
checks the proof and cosigns the new one (``ektp audit witness``); from then
on, rewriting anything the witnessed checkpoint covers is detectable even by
someone holding the office's signing key.
"""

from __future__ import annotations

import base64
import datetime as dt
import binascii
from typing import Any

import attrs

from ektp.application.kernel.i18n import N_, _
from ektp.application.audit.export import journal_of, start_frontier
from ektp.application.audit.journal import head_tree
from ektp.application.audit.merkle import (
    HASH_SIZE,
    ProofInvalid,
    consistency_plan,
    fold_plan,
    plan_nodes,
    verify_consistency,
)
from ektp.application.audit.note import (
    Checkpoint,
    NoteInvalid,
    SignedCheckpoint,
    cosign,
    origin_of,
    parse_checkpoint,
    sign_checkpoint,
    verify_signed,
)
from ektp.application.errors import (
    InvalidCheckpoint,
    JournalDamaged,
    JournalMissing,
    NoCheckpoint,
    ProofRefused,
)
from ektp.application.kernel.store import Store, store_errors
from ektp.application.ports.journal import JournalStorage
from ektp.application.ports.signer import SignatureChecker, Signer

MAX_PROOF_LINES = 63  # c2sp.org/tlog-witness: a client sends at most 63 proof lines


def read_checkpoint(raw: bytes, where: str) -> SignedCheckpoint:
    """A checkpoint file's content, or `InvalidCheckpoint` saying what is wrong."""
    try:
        return parse_checkpoint(raw)
    except NoteInvalid as error:
        raise InvalidCheckpoint(where=where, reason=str(error)) from None


def root_at(journal: JournalStorage, size: int) -> bytes:
    """The journal's root at `size` leaves, from its stored nodes."""
    return start_frontier(journal, size).root()


def make_checkpoint(store: Store, office: str, signer: Signer) -> tuple[SignedCheckpoint, bool]:
    """Sign a checkpoint of the journal as it is now and keep it (second value: whether it
    is new). Refused if the journal no longer has the root of a checkpoint signed before:
    a log never signs two inconsistent checkpoints."""
    journal = journal_of(store)
    with store_errors():
        head = journal.journal_head()
        if head is None:
            raise JournalMissing()
        kept = journal.checkpoints()
    tree = head_tree(head)
    if kept:
        size, text = kept[-1]
        earlier = read_checkpoint(text.encode(), _("the kept checkpoint of size {size}").format(
            size=size)).checkpoint
        if earlier.size > tree.size or root_at(journal, earlier.size) != earlier.root:
            raise JournalDamaged(reason=_(
                "its tree no longer has the root of the checkpoint of size {earlier_size} signed "
                "before: it was rewritten").format(
                    earlier_size=earlier.size))
    signed = sign_checkpoint(Checkpoint(origin_of(office), tree.size, tree.root()), signer)
    with store_errors():
        new = journal.store_checkpoint(tree.size, signed.render())
    return signed, new


def latest_checkpoint(store: Store) -> SignedCheckpoint:
    """The newest kept checkpoint (`NoCheckpoint` if none was ever made)."""
    with store_errors():
        kept = journal_of(store).checkpoints()
    if not kept:
        raise NoCheckpoint(what=_("no checkpoint has been made yet: run 'ektp audit checkpoint'"))
    size, text = kept[-1]
    return read_checkpoint(text.encode(), _("the kept checkpoint of size {size}").format(size=size))


@attrs.frozen
class ConsistencyProof:
    """A consistency proof from tree size `old` to the checkpoint `new`."""

    old: int
    hashes: tuple[bytes, ...]
    new: SignedCheckpoint

    def render(self) -> str:
        """The proof file: the body of a tlog-witness add-checkpoint request."""
        lines = [f"old {self.old}", *(base64.b64encode(h).decode() for h in self.hashes)]
        return "\n".join(lines) + "\n\n" + self.new.render()


def parse_consistency(raw: bytes, where: str = "the proof") -> ConsistencyProof:
    """Read a proof file; `InvalidCheckpoint` says what is malformed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidCheckpoint(where=where, reason=_("it is not UTF-8")) from None
    head, sep, rest = text.partition("\n\n")
    if not sep:
        raise InvalidCheckpoint(where=where, reason=_("it has no blank line before the checkpoint"))
    lines = head.split("\n")
    first = lines[0]
    size_text = first[4:] if first.startswith("old ") else ""
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")) or len(size_text) > 19:
        raise InvalidCheckpoint(where=where, reason=_("its first line is not 'old SIZE'"))
    hashes = []
    for line in lines[1:]:
        try:
            digest = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidCheckpoint(where=where, reason=_("a proof line is not base64")) from None
        if len(digest) != HASH_SIZE or base64.b64encode(digest).decode() != line:
            raise InvalidCheckpoint(where=where, reason=_("a proof line is not the base64 of a 32-byte hash"))
        hashes.append(digest)
    if len(hashes) > MAX_PROOF_LINES:
        raise InvalidCheckpoint(where=where, reason=_(
            "it has more than {max_proof_lines} proof lines").format(
                max_proof_lines=MAX_PROOF_LINES))
    return ConsistencyProof(int(size_text), tuple(hashes), read_checkpoint(rest.encode(), where))


def consistency(store: Store, office: str, old: SignedCheckpoint,
                new: SignedCheckpoint | None) -> ConsistencyProof:
    """The proof that `new` (default: the newest kept checkpoint) extends `old`, from
    the stored nodes; refused unless both are checkpoints of this journal."""
    journal = journal_of(store)
    with store_errors():
        head = journal.journal_head()
    if head is None:
        raise JournalMissing()
    target = new if new is not None else latest_checkpoint(store)
    origin = origin_of(office)
    for name, point in (("--from", old), ("--to", target)):
        checkpoint = point.checkpoint
        if checkpoint.origin != origin:
            raise ProofRefused(where=_("the {name} checkpoint").format(name=name),
                               reason=_(
                                   "its origin is {checkpoint_origin!r}, not {origin!r}").format(
                                       checkpoint_origin=checkpoint.origin[:40], origin=origin))
        if checkpoint.size > head.size:
            raise ProofRefused(where=_("the {name} checkpoint").format(name=name),
                               reason=_(
                                   "it is of {checkpoint_size} leaves; the journal has "
                                   "{head_size}").format(
                                       checkpoint_size=checkpoint.size, head_size=head.size))
        if root_at(journal, checkpoint.size) != checkpoint.root:
            raise ProofRefused(where=_("the {name} checkpoint").format(name=name),
                               reason=_(
                                   "the journal's tree at {checkpoint_size} leaves has another "
                                   "root: it is not a checkpoint of this journal, or the journal "
                                   "was rewritten").format(
                                       checkpoint_size=checkpoint.size))
    if old.checkpoint.size > target.checkpoint.size:
        raise ProofRefused(where=_("the --from checkpoint"),
                           reason=_(
                               "it is of a larger tree ({from_size}) than the --to checkpoint "
                               "({to_size})").format(
                                   from_size=old.checkpoint.size, to_size=target.checkpoint.size))
    plan = consistency_plan(old.checkpoint.size, target.checkpoint.size)
    with store_errors():
        nodes = journal.journal_nodes(plan_nodes(plan))
    try:
        hashes = fold_plan(plan, nodes)
    except KeyError as missing:
        raise JournalDamaged(reason=_("node {missing} is missing").format(
            missing=missing)) from None
    return ConsistencyProof(old.checkpoint.size, tuple(hashes), target)


@attrs.frozen
class Witnessed:
    """What a witness checked, and the checkpoint it cosigned."""

    cosigned: SignedCheckpoint
    office_signatures: str  # "valid" or "not checked (no --public-key)"
    relation: str


def witness(proof: ConsistencyProof, held: SignedCheckpoint, new: SignedCheckpoint, *,
            name: str, key: Signer, timestamp: int,
            office_key: SignatureChecker | None = None) -> Witnessed:
    """Check that `new` extends `held` by `proof`, then cosign `new` as witness `name`.

    Refused (`ProofRefused`) when the origins differ, the new tree is smaller (a
    rollback), the proof is of another checkpoint or size, or it does not verify.
    """
    old_point, new_point = held.checkpoint, new.checkpoint
    if proof.new.note.text != new.note.text:
        raise ProofRefused(where=_("the proof"),
            reason=_("it is for another checkpoint than --new"))
    if old_point.origin != new_point.origin:
        raise ProofRefused(where="--new", reason=_(
            "it is of log {new_point_origin!r}, the checkpoint held of "
            "{old_point_origin!r}").format(
                new_point_origin=new_point.origin[:40], old_point_origin=old_point.origin[:40]))
    signatures = N_("not checked (no --public-key)")
    if office_key is not None:
        for label, point in (("--held", held), ("--new", new)):
            try:
                verify_signed(point, office_key)
            except NoteInvalid as error:
                raise ProofRefused(where=label, reason=str(error)) from None
        signatures = N_("valid")
    if new_point.size < old_point.size:
        raise ProofRefused(where="--new", reason=_(
            "its tree ({new_point_size} leaves) is smaller than the one held ({old_point_size}): a "
            "rollback").format(
                new_point_size=new_point.size, old_point_size=old_point.size))
    if proof.old != old_point.size:
        raise ProofRefused(where=_("the proof"),
            reason=_(
                "it starts at size {proof_old}; the checkpoint held is of size "
                "{old_point_size}").format(
                    proof_old=proof.old, old_point_size=old_point.size))
    if old_point.size == 0:
        # The empty tree is consistent with every tree; no proof is needed (tlog-witness).
        if proof.hashes:
            raise ProofRefused(where=_("the proof"),
                reason=_("a proof from the empty tree must be empty"))
        relation = N_("extends the empty tree held")
    else:
        try:
            verify_consistency(old_point.size, new_point.size, old_point.root, new_point.root,
                               proof.hashes)
        except ProofInvalid as error:
            raise ProofRefused(where=_("the proof"),
                reason=_("{error}: the new tree does not extend the one held").format(
                    error=error)) from None
        relation = (N_("extends the tree held ({old} -> {new} leaves)", old=old_point.size,
                       new=new_point.size)
                    if new_point.size > old_point.size else N_("is the tree held"))
    try:
        cosigned = cosign(new, name, key, timestamp)
    except NoteInvalid as error:
        raise ProofRefused(where="--name", reason=str(error)) from None
    return Witnessed(cosigned, signatures, relation)


@attrs.frozen
class DayCheckpoint:
    """The checkpoint of one office-local day's journal: the newest kept checkpoint
    whose last leaf is an event recorded that day; `whole_day`: no event of that day
    came after it."""

    checkpoint: SignedCheckpoint
    whole_day: bool


def checkpoint_of_day(store: Store, day: dt.date, zone: dt.tzinfo) -> DayCheckpoint | None:
    """The checkpoint signed of `day`'s journal, or None when none was kept (or the
    store has no journal)."""
    try:
        journal = journal_of(store)
        with store_errors():
            kept = journal.checkpoints()
            head = journal.journal_head()
    except JournalMissing:
        return None

    def day_of_leaf(index: int) -> dt.date | None:
        with store_errors():
            seq = journal.journal_seqs([index]).get(index)
        if seq is None:
            return None
        (notification,) = store.notifications(seq - 1, 1) or (None,)
        if notification is None:
            return None
        event: Any = store.app.mapper.to_domain_event(notification)
        moment: dt.datetime = event.timestamp
        return moment.astimezone(zone).date()

    for size, text in reversed(kept):
        if size == 0:
            continue
        last = day_of_leaf(size - 1)
        if last is None or last > day:
            continue
        if last < day:
            return None  # older checkpoints end earlier still
        after = day_of_leaf(size) if head is not None and head.size > size else None
        signed = read_checkpoint(text.encode(), _("the kept checkpoint of size {size}").format(
            size=size))
        return DayCheckpoint(signed, after is None or after > day)
    return None
