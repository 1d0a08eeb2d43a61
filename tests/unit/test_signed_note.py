"""Signed notes, checkpoints and cosignatures: the C2SP specs' own examples, round
trips, and a parser and verifiers that refuse every malformed or forged note."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp.adapters.audit.ed25519 import Ed25519Checker, Ed25519Signer
from ektp.application.audit.note import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    NoteInvalid,
    cosign,
    key_id,
    parse_checkpoint,
    parse_note,
    sign_checkpoint,
    verify_cosignature,
    verify_signed,
    vkey,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# c2sp.org/signed-note, "Verifier keys", Example.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YE"
             "q6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")


def signer(seed: int = 1) -> Ed25519Signer:
    return Ed25519Signer(Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32))


def checker(seed: int = 1) -> Ed25519Checker:
    return Ed25519Checker.from_raw(signer(seed).public_bytes())


def test_the_spec_example_note_verifies_under_the_spec_vkey() -> None:
    name, kid_hex, key_b64 = SPEC_VKEY.split("+")
    key = base64.b64decode(key_b64)
    assert key[0] == ED25519
    assert key_id(name, ED25519, key[1:]).hex() == kid_hex
    assert vkey(name, ED25519, key[1:]) == SPEC_VKEY
    note = parse_note(SPEC_NOTE.encode())
    assert note.text == "This is an example message.\n"
    assert note.render() == SPEC_NOTE
    [line] = note.matching(name, bytes.fromhex(kid_hex))
    assert Ed25519Checker.from_raw(key[1:]).is_valid(note.text.encode(), line.signature)


def test_a_checkpoint_round_trip_and_its_exact_text() -> None:
    point = Checkpoint("ektp/35.17", 20852163, bytes(range(32)))
    assert point.text() == "ektp/35.17\n20852163\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    signed = sign_checkpoint(point, signer())
    text = signed.render()
    assert text.startswith(point.text() + "\n— ektp/35.17 ")
    again = parse_checkpoint(text.encode())
    assert again.checkpoint == point and again.render() == text
    verify_signed(again, checker())
    assert point.office == "35.17"


def test_a_witness_cosignature_round_trip() -> None:
    signed = sign_checkpoint(Checkpoint("ektp/35.17", 8, bytes(32)), signer())
    cosigned = cosign(signed, "inspektorat.example/w1", signer(2), 1679315147)
    text = cosigned.render()
    again = parse_checkpoint(text.encode())
    verify_signed(again, checker())  # the office's signature still verifies
    assert verify_cosignature(again, "inspektorat.example/w1", checker(2)) == 1679315147
    [line] = again.note.matching("inspektorat.example/w1",
                                 key_id("inspektorat.example/w1", COSIGNATURE_V1, signer(2).public_bytes()))
    assert line.signature[:8] == (1679315147).to_bytes(8, "big")
    assert cosign(cosigned, "inspektorat.example/w1", signer(2), 1679315147) == cosigned


MALFORMED = [
    b"",
    b"ektp/35.17\n1\nAAAA\n",  # no signatures
    b"ektp/35.17\n1\n" + base64.b64encode(bytes(32)) + b"\n\n",  # a blank line, nothing after
    SPEC_NOTE.encode()[:-1],  # no final newline
    SPEC_NOTE.encode().replace(b"\xe2\x80\x94 ", b"-- "),  # not an em dash
    SPEC_NOTE.encode().replace(b"foo ", b"foo  "),  # two spaces
    SPEC_NOTE.encode().replace(b"example.com/foo", b"example.com/f+o"),  # plus in the name
    SPEC_NOTE.encode().replace(b"aQM=", b"aQM"),  # not base64
    SPEC_NOTE.encode().replace(b"This", b"Th\x01s"),  # control character
    SPEC_NOTE.encode().replace(b"This", b"Th\xffs"),  # not UTF-8
    SPEC_NOTE.encode() + b"\n",  # a blank line after the signatures
    b"x\n\n\xe2\x80\x94 k AAAA\n",  # a signature of 3 bytes
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_notes_are_refused(raw: bytes) -> None:
    with pytest.raises(NoteInvalid):
        parse_note(raw)


def _signed_text(body: str) -> bytes:
    return sign_checkpoint(Checkpoint("ektp/35.17", 1, bytes(32)), signer()).render().replace(
        "ektp/35.17\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", body).encode()


@pytest.mark.parametrize("body", [
    "ektp/35.17\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  # leading zero
    "ektp/35.17\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
    "ektp/35.17\n1\nAAAA\n",  # root of 3 bytes
    "ektp/35.17\n1\n",  # no root
    "ektp 35.17\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  # space in the origin
    "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
])
def test_malformed_checkpoints_are_refused(body: str) -> None:
    with pytest.raises(NoteInvalid):
        parse_checkpoint(_signed_text(body))


@settings(max_examples=200, deadline=None)
@given(position=st.integers(min_value=0), bit=st.integers(0, 7))
def test_every_flipped_bit_is_refused(position: int, bit: int) -> None:
    text = bytearray(sign_checkpoint(Checkpoint("ektp/35.17", 42, bytes(range(32))), signer())
                     .render().encode())
    text[position % len(text)] ^= 1 << bit
    try:
        signed = parse_checkpoint(bytes(text))
        verify_signed(signed, checker(), name="ektp/35.17")
    except NoteInvalid:
        return
    pytest.fail("a note with a flipped bit verified")


def test_the_wrong_key_or_no_matching_line_is_refused() -> None:
    signed = sign_checkpoint(Checkpoint("ektp/35.17", 3, bytes(32)), signer())
    with pytest.raises(NoteInvalid, match="not signed by the key"):
        verify_signed(signed, checker(2))
    with pytest.raises(NoteInvalid):
        verify_cosignature(signed, "ektp/35.17", checker())  # a signature is not a cosignature
    # A line that claims the office's key but carries another key's signature.
    forged = sign_checkpoint(Checkpoint("ektp/35.17", 3, bytes(32)), signer(2))
    line = forged.note.signatures[0]
    from ektp.application.audit.note import Note, NoteSignature, SignedCheckpoint
    lying = SignedCheckpoint(signed.checkpoint, Note(signed.note.text, (
        NoteSignature("ektp/35.17", signed.note.signatures[0].key_id, line.signature),)))
    with pytest.raises(NoteInvalid, match="does not verify"):
        verify_signed(lying, checker())


def test_a_cosignature_with_another_time_is_refused() -> None:
    signed = cosign(sign_checkpoint(Checkpoint("ektp/35.17", 3, bytes(32)), signer()), "w", signer(2), 100)
    line = signed.note.signatures[1]
    from ektp.application.audit.note import Note, NoteSignature, SignedCheckpoint
    moved = NoteSignature("w", line.key_id, (101).to_bytes(8, "big") + line.signature[8:])
    changed = SignedCheckpoint(signed.checkpoint, Note(signed.note.text, (signed.note.signatures[0], moved)))
    with pytest.raises(NoteInvalid):
        verify_cosignature(changed, "w", checker(2))
    other = Checkpoint("ektp/35.17", 4, bytes(32))
    moved_to = SignedCheckpoint(other, Note(other.text(), signed.note.signatures))
    with pytest.raises(NoteInvalid):
        verify_cosignature(moved_to, "w", checker(2))
