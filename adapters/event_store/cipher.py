"""Event payloads encrypted at rest (issue 14): AES-256-GCM through eventsourcing's own
`eventsourcing.cryptography.AESCipher` (the `cryptography` package), chosen through
eventsourcing's environment (``CIPHER_TOPIC``, ``CIPHER_KEY``), for events and
snapshots alike, on SQLite, PostgreSQL and in memory.

`EktpCipher` is that cipher with a 12-byte header in front of its output: a marker
(``\\x00ek1``, which no JSON text begins with) and the key's id, so that a stored
payload says whether it is encrypted and under which key. Reading one without the key,
or with another key, is then refused by name (`CipherKeyMissing`, `CipherKeyWrong`)
instead of failing as damaged data; payloads written before the office had a key
(plain JSON, no marker) still read (`ektp.adapters.event_store.codec`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.cryptography import AESCipher

from ektp.adapters.cipher_key import key_id
from ektp.adapters.event_store.codec import CIPHER_MARKER
from ektp.application.errors import CipherKeyWrong

if TYPE_CHECKING:
    from eventsourcing.utils import Environment


class EktpCipher(AESCipher):
    """eventsourcing's AES-GCM cipher, its output behind the marker and the key's id."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        if len(self.key) != 32:  # AES-256 only: the office's keys are 32 bytes
            raise ValueError("the cipher key must be 32 bytes")
        self.key_id = bytes.fromhex(key_id(self.key))

    def encrypt(self, plaintext: bytes) -> bytes:
        """The header, then eventsourcing's nonce, tag and ciphertext."""
        return CIPHER_MARKER + self.key_id + super().encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext of a payload this key encrypted (`CipherKeyWrong` for another's)."""
        found = ciphertext[len(CIPHER_MARKER):len(CIPHER_MARKER) + 8]
        if found != self.key_id:
            raise CipherKeyWrong(found=found.hex(), configured=self.key_id.hex())
        return super().decrypt(ciphertext[len(CIPHER_MARKER) + 8:])
