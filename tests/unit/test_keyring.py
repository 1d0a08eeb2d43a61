"""Envelope keys (`ektp.adapters.event_store.keyring`, `cipher.EktpCipher`): wrapping
round-trips, only the wrapping office key unwraps, and any chain of rotations keeps
every payload written at any stage readable with the last office key alone."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp.adapters.cipher_key import key_id
from ektp.adapters.event_store.cipher import EktpCipher
from ektp.adapters.event_store.keyring import KeyringError, Row, open_ring, rewrap, unwrap, wrap
from ektp.application.errors import CipherKeyWrong

keys32 = st.binary(min_size=32, max_size=32)


def _cipher(kek: bytes, rows: list[Row]) -> EktpCipher:
    """An office cipher under `kek` whose key table holds `rows`."""
    cipher = EktpCipher({"CIPHER_KEY": base64.b64encode(kek).decode()})  # type: ignore[arg-type]
    cipher.rows = lambda: rows
    return cipher


@given(kek=keys32, dek=keys32, other=keys32)
def test_wrap_unwrap_round_trip_and_only_the_wrapping_key_unwraps(kek: bytes, dek: bytes,
                                                                   other: bytes) -> None:
    """Round trip; another key, or the row under another id, is refused."""
    wrapped = wrap(kek, dek)
    assert dek not in wrapped and unwrap(kek, wrapped, key_id(dek)) == dek
    if other != kek:
        with pytest.raises(KeyringError):
            unwrap(other, wrapped, key_id(dek))
    with pytest.raises(KeyringError):  # a row moved onto another key's id
        moved = key_id(dek)
        unwrap(kek, wrapped, ("1" if moved[0] == "0" else "0") + moved[1:])


@settings(max_examples=25, deadline=None)
@given(stages=st.lists(st.lists(st.binary(max_size=64), max_size=3), min_size=1, max_size=5))
def test_every_payload_of_every_stage_reads_after_any_rotations(stages: list[list[bytes]]) -> None:
    """Write some payloads, rotate, repeat: the last office key reads them all."""
    kek = os.urandom(32)
    rows: list[Row] = []
    written: list[tuple[bytes, bytes]] = []
    for stage in stages:
        cipher = _cipher(kek, rows)
        written += [(cipher.encrypt(p), p) for p in stage]
        new = os.urandom(32)
        rows = rewrap(kek, new, rows)
        # Exactly one current data key; every row wrapped by the new office key.
        assert sum(r[3] for r in rows) == 1 and {r[2] for r in rows} == {key_id(new)}
        assert len(open_ring(new, rows).keys) == len(rows)
        kek = new
    reader = _cipher(kek, rows)
    assert [reader.decrypt(c) for c, _ in written] == [p for _, p in written]
    # A fresh payload goes under the current data key, never the office key itself.
    assert reader.encrypt(b"{}")[4:12].hex() == next(r[0] for r in rows if r[3]) != key_id(kek)


def test_a_superseded_office_key_cannot_open_the_ring() -> None:
    """After a rotation the old office key unwraps nothing and reads no new payload."""
    old, new = os.urandom(32), os.urandom(32)
    rows = rewrap(old, new, [])
    with pytest.raises(KeyringError):
        open_ring(old, rows)
    fresh = _cipher(new, rows).encrypt(b"{}")
    with pytest.raises(CipherKeyWrong):
        _cipher(old, rows).decrypt(fresh)


@settings(max_examples=40)
@given(kek=keys32, dek=keys32, payload=st.binary(max_size=600))
def test_a_payload_is_eventsourcings_aes_gcm_behind_the_header(kek: bytes, dek: bytes,
                                                               payload: bytes) -> None:
    """Behind the 12-byte header, a payload is exactly what eventsourcing's `AESCipher`
    writes and reads (nonce, tag, ciphertext), under the office key and under a data key
    after a rotation: the one cipher object per key changes no stored byte's meaning."""
    from eventsourcing.cryptography import AESCipher

    from ektp.adapters.event_store.cipher import HEADER

    def theirs(key: bytes) -> AESCipher:
        return AESCipher({"CIPHER_KEY": base64.b64encode(key).decode()})  # type: ignore[arg-type]

    ours = _cipher(kek, [])
    sealed = ours.encrypt(payload)
    assert theirs(kek).decrypt(sealed[HEADER:]) == payload
    assert ours.decrypt(sealed[:HEADER] + theirs(kek).encrypt(payload)) == payload
    rows = rewrap(os.urandom(32), kek, [], new_dek=dek)
    rotated = _cipher(kek, [(r[0], r[1], r[2], r[3]) for r in rows])
    # (the first rotation keeps the old office key as a data key: re-wrap from a fresh one)
    sealed = rotated.encrypt(payload)
    assert sealed[4:HEADER].hex() == key_id(dek)
    assert theirs(dek).decrypt(sealed[HEADER:]) == payload
    assert rotated.decrypt(sealed[:HEADER] + theirs(dek).encrypt(payload)) == payload
    for damaged in (sealed[:-1] + bytes([sealed[-1] ^ 1]), sealed[:HEADER + 20]):
        with pytest.raises(ValueError):
            rotated.decrypt(damaged)
