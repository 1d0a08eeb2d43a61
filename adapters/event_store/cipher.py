"""Event payloads encrypted at rest (issue 14): AES-256-GCM through eventsourcing's own
`eventsourcing.cryptography.AESCipher` (the `cryptography` package), chosen through
eventsourcing's environment (``CIPHER_TOPIC``, ``CIPHER_KEY``), for events and
snapshots alike, on SQLite, PostgreSQL and in memory.

`EktpCipher` is that cipher with a 12-byte header in front of its output: a marker
(``\\x00ek1``, which no JSON text begins with) and the id of the key that encrypted
the payload, so that a stored payload says whether it is encrypted and under which key. The payload
after the header is exactly `AESCipher`'s (nonce, tag, ciphertext), computed with one
`AESGCM` per key rather than one per payload (every write encrypts).
Reading one without the key, or with another key, is then refused by name
(`CipherKeyMissing`, `CipherKeyWrong`) instead of failing as damaged data; payloads
written before the office had a key (plain JSON, no marker) still read
(`ektp.adapters.event_store.codec`).

The configured key is the office key, a key-encryption key (`keyring`): once the
office has rotated it (``ektp keys rotate``), events are encrypted with the current
data key of the database's key table, and each payload is read with the data key its
header names. The table is read when a key is first needed, and again when a payload
names a key it did not hold (another process rotated meanwhile).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher

from ektp.adapters.cipher_key import key_id
from ektp.adapters.event_store.codec import CIPHER_MARKER
from ektp.application.errors import CipherKeyWrong

if TYPE_CHECKING:
    from eventsourcing.utils import Environment

    from ektp.adapters.event_store.keyring import RowSource

HEADER = len(CIPHER_MARKER) + 8


NONCE, TAG = 12, 16


def _encrypt(aead: AESGCM, plaintext: bytes) -> bytes:
    """`AESCipher.encrypt`'s output (nonce, tag, ciphertext) with a cipher made once per
    key: eventsourcing makes one per payload, on every write."""
    nonce = os.urandom(NONCE)
    sealed = aead.encrypt(nonce, plaintext, None)
    return b"".join((nonce, sealed[-TAG:], sealed[:-TAG]))


def _decrypt(aead: AESGCM, ciphertext: bytes) -> bytes:
    """`AESCipher.decrypt` (the same refusals) with a cipher made once per key."""
    nonce, tag = ciphertext[:NONCE], ciphertext[NONCE:NONCE + TAG]
    if len(nonce) != NONCE:
        raise ValueError("Damaged cipher text: invalid nonce length")
    if len(tag) != TAG:
        raise ValueError("Damaged cipher text: invalid tag length")
    try:
        return aead.decrypt(nonce, ciphertext[NONCE + TAG:] + tag, None)
    except InvalidTag as error:
        raise ValueError("Invalid cipher tag") from error


class _Keyed(AESCipher):
    """eventsourcing's AES-GCM with a given key (one per data key)."""

    def __init__(self, key: bytes) -> None:  # noqa: D107 - no environment: the key itself
        self.key = key
        self.aead = AESGCM(key)

    def encrypt(self, plaintext: bytes) -> bytes:
        """eventsourcing's nonce, tag and ciphertext."""
        return _encrypt(self.aead, plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext of what `encrypt` gave."""
        return _decrypt(self.aead, ciphertext)


class EktpCipher(AESCipher):
    """eventsourcing's AES-GCM cipher, its output behind the marker and the key's id."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        if len(self.key) != 32:  # AES-256 only: the office's keys are 32 bytes
            raise ValueError("the cipher key must be 32 bytes")
        self.key_id = bytes.fromhex(key_id(self.key))
        self.aead = AESGCM(self.key)
        # The key table's rows (set by the store once it is open); None: no table to read.
        self.rows: RowSource | None = None
        self._ciphers: dict[bytes, _Keyed | EktpCipher] | None = None
        self._current: tuple[bytes, _Keyed | EktpCipher] | None = None

    def _load(self) -> None:
        """Unwrap the key table's data keys (`CipherKeyWrong` if they are wrapped by
        another office key than the configured one)."""
        from ektp.adapters.event_store.keyring import KeyringError, open_ring

        ciphers: dict[bytes, _Keyed | EktpCipher] = {self.key_id: self}
        current: tuple[bytes, _Keyed | EktpCipher] = (self.key_id, self)
        rows = self.rows() if self.rows is not None else []
        try:
            ring = open_ring(self.key, rows)
        except KeyringError:
            wrapped_by = rows[0][2] if rows else "?"
            raise CipherKeyWrong(found=wrapped_by, configured=self.key_id.hex()) from None
        for dek_id, dek in ring.keys.items():
            ciphers[bytes.fromhex(dek_id)] = _Keyed(dek)
        if ring.current is not None:
            ident = bytes.fromhex(ring.current)
            current = (ident, ciphers[ident])
        self._ciphers, self._current = ciphers, current

    def forget(self) -> None:
        """Read the key table again at the next use (after a rotation in this process)."""
        self._ciphers = self._current = None

    @property
    def current_id(self) -> str:
        """The id of the key that encrypts the payloads written now."""
        if self._current is None:
            self._load()
        assert self._current is not None
        return self._current[0].hex()

    def encrypt(self, plaintext: bytes) -> bytes:
        """The header, then eventsourcing's nonce, tag and ciphertext."""
        if self._current is None:
            self._load()
        assert self._current is not None
        ident, cipher = self._current
        return CIPHER_MARKER + ident + _encrypt(cipher.aead, plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext of a payload this key or one of its data keys encrypted
        (`CipherKeyWrong` for another's)."""
        found = bytes(ciphertext[len(CIPHER_MARKER):HEADER])
        if found == self.key_id:
            return _decrypt(self.aead, ciphertext[HEADER:])
        if self._ciphers is None or found not in self._ciphers:
            self._load()  # another process may have rotated since
        assert self._ciphers is not None
        cipher = self._ciphers.get(found)
        if cipher is None:
            raise CipherKeyWrong(found=found.hex(), configured=self.key_id.hex())
        return cipher.decrypt(ciphertext[HEADER:])
