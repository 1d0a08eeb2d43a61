"""The pseudonymiser port (issue 14): keyed HMAC ids and blind indexes of personal
data, given to the application by the composition root so that the domain and the
application never hold the office's key (`ektp.adapters.pseudonyms` keys it).

A stream id derived from a NIK, and every read-model lookup column of a NIK, a KK
number or a name token, is such a keyed value: without the key, a guessed NIK cannot
be tested against the database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

# The kinds of value a blind index is made of (part of each HMAC's input, so the same
# digits as a NIK and as a KK give different indexes).
NIK = "nik"
KK = "kk"
NAME_TOKEN = "name"


class Pseudonyms(Protocol):
    """Keyed, deterministic pseudonyms of personal values."""

    def stream_id(self, kind: str, value: str) -> UUID:
        """The stream id of the aggregate of `kind` keyed by `value` (a NIK register's)."""

    def index(self, kind: str, value: str) -> str:
        """The blind index of `value` (hex digits): equal values give equal indexes."""

    def name_index(self, tokens: Iterable[str]) -> str:
        """The blind index of a name's tokens: each token's index, sorted, space-separated."""
