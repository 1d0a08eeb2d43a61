"""Signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint) and
witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 ``cosignature/v1``).

A signed note is a text ending in a newline, a blank line, then one or more
signature lines ``— <key name> <base64(4-byte key ID || signature)>``. A
checkpoint is a note whose text is the log's origin (``ektp/35.17``), its tree
size and the base64 of its root hash, one per line. The office signs its
checkpoints with Ed25519 (signature type 0x01, key name = origin); a witness
adds a timestamped cosignature (type 0x04) over ``cosignature/v1``, ``time T``
and the same text. Parsing refuses anything malformed with a reason; nothing
here touches a key: signing and checking go through the signer ports.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Sequence

import attrs

from ektp.application.kernel.i18n import _
from ektp.application.audit.merkle import HASH_SIZE
from ektp.application.ports.signer import SignatureChecker, Signer

EM_DASH = "\u2014"
SIGNATURE_PREFIX = EM_DASH + " "
ED25519 = 0x01
COSIGNATURE_V1 = 0x04
MAX_NOTE = 1 << 16
MAX_SIGNATURES = 100
ORIGIN_PREFIX = "ektp/"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


class NoteInvalid(ValueError):
    """A note, checkpoint or signature line is malformed or does not verify (the message says why)."""


def origin_of(office: str) -> str:
    """The checkpoint origin (and office key name) of an office: ``ektp/<office code>``."""
    return ORIGIN_PREFIX + office


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """SHA-256(key name || 0x0A || signature type || public key)[:4] (c2sp.org/signed-note)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()[:4]


def vkey(name: str, signature_type: int, public_key: bytes) -> str:
    """The verifier key text: ``name+hex(key ID)+base64(type || public key)``."""
    return (f"{name}+{key_id(name, signature_type, public_key).hex()}+"
            f"{base64.b64encode(bytes([signature_type]) + public_key).decode()}")


def check_key_name(name: str) -> str:
    """A key name as the spec allows it: not empty, no Unicode space, no ``+``."""
    if not name or "+" in name or any(ch.isspace() for ch in name) or not name.isprintable():
        raise NoteInvalid(_("a key name must be non-empty, without spaces or '+'"))
    return name


@attrs.frozen
class NoteSignature:
    """One signature line: the key name, the 4-byte key ID, the signature bytes after it."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The line as the note holds it (with its newline)."""
        data = base64.b64encode(self.key_id + self.signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {data}\n"


@attrs.frozen
class Note:
    """A signed note: its text (ending in a newline) and its signatures."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def render(self) -> str:
        """The note as a file holds it."""
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signature(self, signature: NoteSignature) -> Note:
        """The same note with one more signature line (a line already there is not repeated)."""
        if signature in self.signatures:
            return self
        return Note(self.text, (*self.signatures, signature))

    def matching(self, name: str, kid: bytes) -> list[NoteSignature]:
        """The signature lines of the key (name, key ID)."""
        return [s for s in self.signatures if s.name == name and s.key_id == kid]


def parse_note(raw: bytes) -> Note:
    """Read a signed note; `NoteInvalid` says what is malformed."""
    if len(raw) > MAX_NOTE:
        raise NoteInvalid(_("it is larger than {max_note} bytes").format(max_note=MAX_NOTE))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteInvalid(_("it is not UTF-8")) from None
    if any(ord(ch) < 0x20 and ch != "\n" for ch in text) or "\x7f" in text:
        raise NoteInvalid(_("it holds a control character other than newline"))
    if not text.endswith("\n"):
        raise NoteInvalid(_("it does not end with a newline"))
    split = text.rfind("\n\n")
    if split < 0:
        raise NoteInvalid(_("it has no blank line before its signatures"))
    body, signature_text = text[:split + 1], text[split + 2:]
    if not body.strip("\n"):
        raise NoteInvalid(_("its text is empty"))
    lines = signature_text.splitlines()
    if not lines:
        raise NoteInvalid(_("it has no signature line"))
    if len(lines) > MAX_SIGNATURES:
        raise NoteInvalid(_("it has more than {max_signatures} signatures").format(
            max_signatures=MAX_SIGNATURES))
    return Note(body, tuple(_parse_signature(line) for line in lines))


def _parse_signature(line: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteInvalid(_("a signature line does not start with an em dash and a space"))
    parts = line[len(SIGNATURE_PREFIX):].split(" ")
    if len(parts) != 2:
        raise NoteInvalid(_("a signature line is not '— NAME SIGNATURE'"))
    name, data = parts
    check_key_name(name)
    try:
        decoded = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise NoteInvalid(_("the signature of {name} is not base64").format(
            name=name[:40])) from None
    if base64.b64encode(decoded).decode() != data:
        raise NoteInvalid(_("the signature of {name} is not canonical base64").format(
            name=name[:40]))
    if len(decoded) < 5:
        raise NoteInvalid(_("the signature of {name} is too short").format(name=name[:40]))
    return NoteSignature(name, decoded[:4], decoded[4:])


# --- checkpoints ------------------------------------------------------------------
@attrs.frozen
class Checkpoint:
    """A tree head: origin, size, root hash (c2sp.org/tlog-checkpoint)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The note text of the checkpoint."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"

    @property
    def office(self) -> str | None:
        """The office code when the origin is ektp's (``ektp/35.17``), else None."""
        return self.origin[len(ORIGIN_PREFIX):] if self.origin.startswith(ORIGIN_PREFIX) else None


def parse_checkpoint_text(text: str) -> Checkpoint:
    """The checkpoint a note's text holds; `NoteInvalid` names what is wrong."""
    lines = text.split("\n")
    if lines[-1] != "" or len(lines) < 4:
        raise NoteInvalid(_("a checkpoint has at least three lines: origin, tree size, root hash"))
    lines = lines[:-1]
    origin, size_text, root_text, *extensions = lines
    if not origin or any(ch.isspace() for ch in origin):
        raise NoteInvalid(_("the origin line is empty or holds a space"))
    if not _DECIMAL.fullmatch(size_text):
        raise NoteInvalid(_("the tree size is not a decimal number without leading zeroes"))
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteInvalid(_("the root hash is not base64")) from None
    if len(root) != HASH_SIZE or base64.b64encode(root).decode() != root_text:
        raise NoteInvalid(_("the root hash is not the base64 of 32 bytes"))
    if any(not line for line in extensions):
        raise NoteInvalid(_("an extension line is empty"))
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


@attrs.frozen
class SignedCheckpoint:
    """A checkpoint and the note that carries it."""

    checkpoint: Checkpoint
    note: Note

    def render(self) -> str:
        """The checkpoint file's text."""
        return self.note.render()


def parse_checkpoint(raw: bytes) -> SignedCheckpoint:
    """Read a signed checkpoint (syntax only; `verify_signed` checks a key)."""
    note = parse_note(raw)
    return SignedCheckpoint(parse_checkpoint_text(note.text), note)


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> SignedCheckpoint:
    """The checkpoint signed by the office: Ed25519 over the note text, key name = origin."""
    name = check_key_name(checkpoint.origin)
    text = checkpoint.text()
    signature = NoteSignature(name, key_id(name, ED25519, signer.public_bytes()),
                              signer.sign(text.encode()))
    return SignedCheckpoint(checkpoint, Note(text, (signature,)))


def verify_signed(signed: SignedCheckpoint, checker: SignatureChecker, name: str | None = None) -> None:
    """Check the office's signature (key name `name`, by default the origin); `NoteInvalid` otherwise.

    As c2sp.org/signed-note requires: lines of other keys are ignored, a line of
    this key that does not verify rejects the note, and so does a note with none.
    """
    key_name = name or signed.checkpoint.origin
    kid = key_id(key_name, ED25519, checker.public_bytes())
    lines = signed.note.matching(key_name, kid)
    if not lines:
        raise NoteInvalid(_("it is not signed by the key of {key_name} given").format(
            key_name=key_name[:60]))
    message = signed.note.text.encode()
    for line in lines:
        if not checker.is_valid(message, line.signature):
            raise NoteInvalid(_(
                "the signature of {key_name} does not verify (the checkpoint was altered, or it is "
                "another key)").format(
                    key_name=key_name[:60]))


# --- witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1) ---------
def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a v1 cosignature signs: the header line, the time line, the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(signed: SignedCheckpoint, name: str, signer: Signer, timestamp: int) -> SignedCheckpoint:
    """The checkpoint with the witness's timestamped cosignature added."""
    check_key_name(name)
    if not 0 <= timestamp < 1 << 63:
        raise NoteInvalid(_("the timestamp is out of range"))
    kid = key_id(name, COSIGNATURE_V1, signer.public_bytes())
    signature = struct.pack(">Q", timestamp) + signer.sign(cosigned_message(signed.note.text, timestamp))
    line = NoteSignature(name, kid, signature)
    return SignedCheckpoint(signed.checkpoint, signed.note.with_signature(line))


def verify_cosignature(signed: SignedCheckpoint, name: str, checker: SignatureChecker) -> int:
    """Check the cosignature of witness `name`; return its timestamp, or raise `NoteInvalid`."""
    kid = key_id(name, COSIGNATURE_V1, checker.public_bytes())
    lines = signed.note.matching(name, kid)
    if not lines:
        raise NoteInvalid(_("it carries no cosignature of {name} with this key").format(
            name=name[:60]))
    stamp = -1
    for line in lines:
        if len(line.signature) != 8 + 64:
            raise NoteInvalid(_(
                "the cosignature of {name} is not a timestamp and a signature").format(
                    name=name[:60]))
        (timestamp,) = struct.unpack(">Q", line.signature[:8])
        if timestamp >= 1 << 63 or not checker.is_valid(
                cosigned_message(signed.note.text, timestamp), line.signature[8:]):
            raise NoteInvalid(_("the cosignature of {name} does not verify").format(name=name[:60]))
        stamp = max(stamp, timestamp)
    return stamp


def signers_of(signed: SignedCheckpoint) -> Sequence[str]:
    """The key names of a checkpoint's signature lines, in order (for display)."""
    return [s.name for s in signed.note.signatures]
