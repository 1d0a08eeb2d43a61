"""A card's history proved to a third party: ``ektp audit prove`` and
``ektp audit verify-proof``.

The bundle (``ektp-proof/1``) holds the card's events as their journal leaves
(pseudonymised lines without ``prev``/``hash``), each with its RFC 9162
inclusion proof in the tree of a signed checkpoint, and nothing of any other
card but the proof hashes: at most ceil(log2 n) hashes, 32 bytes each, per
event. Anyone holding the checkpoint and the office's public key can check it
offline. The bundle is one canonical JSON object:

    {"card": ID, "events": [{"index": I, "leaf": LEAF LINE, "proof": [BASE64...]}...],
     "format": "ektp-proof/1", "origin": "ektp/35.17", "root": BASE64, "tree_size": N}

What it proves: these events are leaves of the checkpointed tree, at these
places. What it cannot prove: that the card has no other event in the tree
(an inclusion proof says nothing of what was left out); the versions must run
1, 2, 3... so nothing was left out *between* the events shown.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any
from uuid import UUID


import attrs

from ektp.application.kernel.i18n import N_, _
from ektp.application.audit.canonical import canonical
from ektp.application.audit.checkpoints import root_at
from ektp.application.audit.export import journal_of
from ektp.application.audit.journal import LeafForm
from ektp.application.audit.merkle import (
    HASH_SIZE,
    ProofInvalid,
    fold_plan,
    inclusion_plan,
    leaf_hash,
    plan_nodes,
    verify_inclusion,
)
from ektp.application.audit.note import NoteInvalid, SignedCheckpoint, verify_cosignature, verify_signed
from ektp.application.audit.strict_json import NotStrictJson, load_strict
from ektp.application.errors import (
    InvalidCheckpoint,
    JournalDamaged,
    JournalMissing,
    ProofRefused,
)
from ektp.application.kernel.store import Store, store_errors
from ektp.application.ports.journal import JournalStorage
from ektp.application.ports.signer import SignatureChecker
from ektp.domain.errors import CardNotFound

FORMAT = "ektp-proof/1"
MAX_BUNDLE = 1 << 24
LEAF_KEYS = ("actor", "aggregate", "data", "leaf", "seq", "stream", "time", "type", "version")


def prove_card(store: Store, card_id: UUID, checkpoint: SignedCheckpoint, form: LeafForm) -> bytes:
    """The bundle proving card `card_id`'s events in the tree of `checkpoint`."""
    journal = journal_of(store)
    with store_errors():
        head = journal.journal_head()
    if head is None:
        raise JournalMissing()
    point = checkpoint.checkpoint
    if point.size > head.size or root_at(journal, point.size) != point.root:
        raise ProofRefused(where=_("the checkpoint"),
            reason=_("it is not a checkpoint of this journal "
                                                          "(another root at its size)"))
    with store_errors():
        events = list(store.events(card_id))
        positions = dict(journal.stream_positions(card_id))
    if not events:
        raise CardNotFound(ref=str(card_id))
    entries: list[dict[str, Any]] = []
    for event in events:
        seq = positions[event.originator_version]
        index = leaf_index_of(journal, seq, point.size)
        if index is None:
            break  # written after the checkpoint
        leaf = form.leaf(event, index, seq)
        plan = inclusion_plan(index, point.size)
        with store_errors():
            nodes = journal.journal_nodes(plan_nodes(plan) + [(0, index)])
        if nodes.get((0, index)) != leaf_hash(leaf):
            raise ProofRefused(where=_("card {card_id} version {event_originator_version}").format(
                card_id=card_id, event_originator_version=event.originator_version),
                               reason=_("the stored event does not match its journal leaf (run "
                                      "'ektp db verify')"))
        try:
            proof = fold_plan(plan, nodes)
        except KeyError as missing:
            raise JournalDamaged(reason=_("node {missing} is missing").format(
                missing=missing)) from None
        entries.append({"index": index, "leaf": leaf.decode("utf-8"),
                        "proof": [base64.b64encode(h).decode() for h in proof]})
    if not entries:
        raise CardNotFound(ref=f"{card_id} in the tree of {point.size} leaves")
    bundle = {"card": str(card_id), "events": entries, "format": FORMAT, "origin": point.origin,
              "root": base64.b64encode(point.root).decode(), "tree_size": point.size}
    return canonical(bundle) + b"\n"


def leaf_index_of(journal: JournalStorage, seq: int, size: int) -> int | None:
    """The leaf (below `size`) written for store position `seq`, or None.

    Leaves are in store order, so their seqs increase: a binary search over the
    stored leaves' seqs, O(log n) reads. It starts where the leaf is when the
    store has no gaps (seq - 1), which is usually right on SQLite.
    """
    if size <= 0:
        return None
    lo, hi = 0, size - 1
    guess = min(max(seq - 1, 0), hi)
    while lo <= hi:
        with store_errors():
            found = journal.journal_seqs([guess]).get(guess)
        if found is None:
            raise JournalDamaged(reason=_("leaf {guess} records no store position").format(
                guess=guess))
        if found == seq:
            return guess
        if found < seq:
            lo = guess + 1
        else:
            hi = guess - 1
        guess = (lo + hi) // 2
    return None


@attrs.frozen
class ProvedEvent:
    """One event a bundle proved: where, and what (as its leaf object)."""

    index: int
    proof_hashes: int
    line: dict[str, Any]


@attrs.frozen
class ProofReport:
    """What `verify_bundle` established."""

    card: str
    tree_size: int
    events: tuple[ProvedEvent, ...]
    signature: str  # "valid" or "not checked (no --public-key)"
    witnesses: tuple[str, ...]

    @property
    def authentic(self) -> bool:
        """Whether the checkpoint's office signature was checked."""
        return self.signature == "valid"


def _refuse(where: str, reason: str) -> ProofRefused:
    return ProofRefused(where=where, reason=reason)


def read_bundle(raw: bytes) -> dict[str, Any]:
    """A bundle's object, checked for shape; `InvalidCheckpoint` says what is malformed."""
    where = _("the bundle")
    if len(raw) > MAX_BUNDLE:
        raise InvalidCheckpoint(where=where, reason=_("it is far too large"))
    try:
        obj = load_strict(raw.rstrip(b"\n"))
    except NotStrictJson as error:
        raise InvalidCheckpoint(where=where, reason=str(error)) from None
    if not isinstance(obj, dict) or sorted(obj) != ["card", "events", "format", "origin", "root",
                                                   "tree_size"]:
        raise InvalidCheckpoint(where=where, reason=_("it is not an ektp-proof/1 object"))
    if obj["format"] != FORMAT:
        raise InvalidCheckpoint(where=where, reason=_("its format is not {format}").format(
            format=FORMAT))
    if not isinstance(obj["events"], list) or not obj["events"]:
        raise InvalidCheckpoint(where=where, reason=_("it holds no events"))
    return obj


def verify_bundle(raw: bytes, checkpoint: SignedCheckpoint, public_key: SignatureChecker | None,
                  witnesses: Sequence[tuple[str, SignatureChecker]] = ()) -> ProofReport:
    """Check a bundle against a checkpoint; `ProofRefused` names the first thing that fails."""
    obj = read_bundle(raw)
    point = checkpoint.checkpoint
    signature = N_("not checked (no --public-key)")
    if public_key is not None:
        try:
            verify_signed(checkpoint, public_key)
        except NoteInvalid as error:
            raise _refuse(_("the checkpoint"), str(error)) from None
        signature = N_("valid")
    seen = []
    for name, key in witnesses:
        try:
            verify_cosignature(checkpoint, name, key)
        except NoteInvalid as error:
            raise _refuse(_("the checkpoint"), str(error)) from None
        seen.append(name)
    if obj["origin"] != point.origin:
        raise _refuse(_("the bundle"),
            _("it is of log {obj_origin!r}, the checkpoint of {point_origin!r}").format(
                obj_origin=str(obj['origin'])[:40], point_origin=point.origin[:40]))
    if obj["tree_size"] != point.size:
        raise _refuse(_("the bundle"),
            _(
                "its proofs are for a tree of {obj_tree_size} leaves, the checkpoint's is of "
                "{point_size}").format(
                    obj_tree_size=obj['tree_size'], point_size=point.size))
    if obj["root"] != base64.b64encode(point.root).decode():
        raise _refuse(_("the bundle"), _("its root is not the checkpoint's"))
    card = obj["card"]
    if not isinstance(card, str):
        raise _refuse(_("the bundle"), _("card is not a card id"))
    proved: list[ProvedEvent] = []
    last_index, last_version = -1, 0
    for number, entry in enumerate(obj["events"], 1):
        where = _("event {number} of the bundle").format(number=number)
        if not isinstance(entry, dict) or sorted(entry) != ["index", "leaf", "proof"]:
            raise _refuse(where, _("it is not {index, leaf, proof}"))
        index, leaf_text, proof_text = entry["index"], entry["leaf"], entry["proof"]
        if not isinstance(index, int) or isinstance(index, bool) or not isinstance(leaf_text, str) \
                or not isinstance(proof_text, list):
            raise _refuse(where, _("its index, leaf or proof has the wrong type"))
        line = _leaf_object(leaf_text, where)
        if line["leaf"] != index:
            raise _refuse(where, _("its leaf says index {line_leaf}, the proof {index}").format(
                line_leaf=line['leaf'], index=index))
        if line["stream"] != card or line["aggregate"] != "card":
            raise _refuse(where, _("it is not an event of the bundle's card"))
        if index <= last_index:
            raise _refuse(where, _("its events are not in log order"))
        if line["version"] != last_version + 1:
            raise _refuse(where, _(
                "version {line_version} does not follow version {last_version}: an event of the "
                "card is left out").format(
                    line_version=line['version'], last_version=last_version))
        if number == 1 and line["type"] != "Requested":
            raise _refuse(where, _("the card's history does not start with its request"))
        hashes = []
        for item in proof_text:
            try:
                digest = base64.b64decode(item, validate=True) if isinstance(item, str) else b""
            except (binascii.Error, ValueError):
                digest = b""
            if len(digest) != HASH_SIZE:
                raise _refuse(where, _("a proof entry is not the base64 of a 32-byte hash"))
            hashes.append(digest)
        try:
            verify_inclusion(leaf_hash(leaf_text.encode("utf-8")), index, point.size, hashes, point.root)
        except ProofInvalid as error:
            raise _refuse(where, _("its inclusion proof does not verify ({error})").format(
                error=error)) from None
        proved.append(ProvedEvent(index, len(hashes), line))
        last_index, last_version = index, line["version"]
    return ProofReport(card=card, tree_size=point.size, events=tuple(proved), signature=signature,
                       witnesses=tuple(seen))


def _leaf_object(text: str, where: str) -> dict[str, Any]:
    raw = text.encode("utf-8")
    try:
        line = load_strict(raw)
    except NotStrictJson as error:
        raise _refuse(where, _("its leaf: {error}").format(error=error)) from None
    if not isinstance(line, dict) or sorted(line) != list(LEAF_KEYS):
        raise _refuse(where, _("its leaf is not an ektp-audit/2 line without prev and hash"))
    try:
        exact = canonical(line)
    except ValueError as error:
        raise _refuse(where, _("its leaf: {error}").format(error=error)) from None
    if exact != raw:
        raise _refuse(where, _("its leaf is not in canonical form"))
    for key in ("leaf", "seq", "version"):
        if not isinstance(line[key], int) or isinstance(line[key], bool):
            raise _refuse(where, _("its leaf's {key} is not a whole number").format(key=key))
    return line
