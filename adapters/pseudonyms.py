"""The office's keyed pseudonyms (`ektp.application.ports.pseudonyms`): HMAC-SHA256
under a key derived from the office's audit key.

Which key, and why: the audit key (``EKTP_AUDIT_KEY`` / ``EKTP_AUDIT_KEY_FILE``) is
already the office's HMAC key for personal data (the journal's and exports'
pseudonyms), every office that writes has it, and it must be kept for good, as stream
ids must. It is never the cipher key: that one may be rotated, and an id must not
change when it is. The blind indexes and stream ids do not use the audit key itself
but a subkey, ``HMAC(audit key, "ektp blind index key/1")``, so that no index equals a
pseudonym an export hands to an auditor.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from uuid import UUID

SUBKEY_LABEL = b"ektp blind index key/1"
INDEX_HEX = 32  # 128 bits: no two of a regency's values collide
TOKEN_HEX = 16  # 64 bits per name token


class KeyedPseudonyms:
    """Keyed ids and blind indexes under the subkey of one audit key."""

    def __init__(self, audit_key: bytes) -> None:
        self._key = hmac.digest(audit_key, SUBKEY_LABEL, "sha256")
        self._ids: dict[tuple[str, str], UUID] = {}

    def _mac(self, purpose: str, kind: str, value: str) -> bytes:
        message = f"{purpose}\x00{kind}\x00{value}".encode("utf-8")
        return hmac.digest(self._key, message, "sha256")

    def stream_id(self, kind: str, value: str) -> UUID:
        """A UUID (version 4 bits) of the first 16 bytes of the keyed HMAC."""
        known = self._ids.get((kind, value))
        if known is None:
            known = UUID(bytes=self._mac("stream", kind, value)[:16], version=4)
            if len(self._ids) < 4096:
                self._ids[(kind, value)] = known
        return known

    def index(self, kind: str, value: str) -> str:
        """The first 128 bits of the keyed HMAC, as hex."""
        return self._mac("index", kind, value).hex()[:INDEX_HEX]

    def name_index(self, tokens: Iterable[str]) -> str:
        """Each token's 64-bit index, sorted and space-separated (order-free)."""
        return " ".join(sorted({self._mac("index", "name", t).hex()[:TOKEN_HEX] for t in tokens}))
