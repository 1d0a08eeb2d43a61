"""Personal data in an export: pseudonymised by default, revealed on request.

Pseudonymised, a NIK or KK number becomes ``MASKED~PSEUDONYM``: its masked form
(``3517********0001``), a tilde, and the lowercase hex HMAC-SHA256 of its 16
ASCII digits under the office's audit key. The same number always gives the
same pseudonym, so one person links across cards, and nobody without the key
can test a guessed number against it. A name becomes its initials: the first
letter of each word, upper-cased, each followed by a dot (``Ahmad Fauzi`` ->
``A.F.``). A phone number becomes ``STARS~PSEUDONYM``: a star per digit (its
first and last digits say little of whom it reaches but would narrow a guess
to a few thousand numbers, so none is kept), a tilde and the hex HMAC-SHA256 of
``phone:`` and its digits. Which fields are personal is listed per event type below.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from ektp.application.audit.facts import LeafText
from ektp.domain.masking import initials, mask_digits

__all__ = ["NAME", "NUMBER", "PERSONAL_FIELDS", "PHONE", "Pseudonymiser", "Revealer", "initials"]

NUMBER = "number"  # a NIK or KK number
NAME = "name"
PHONE = "phone"  # a telephone number (`ektp.domain.phone`)

# (aggregate, event type) -> {path of keys inside data: kind of personal datum}
PERSONAL_FIELDS: Mapping[tuple[str, str], Mapping[tuple[str, ...], str]] = {
    ("card", "Requested"): {("nik",): NUMBER, ("kk",): NUMBER, ("name",): NAME,
                            ("phone",): PHONE},
    ("card", "HandedOver"): {
        ("recipient", "nik"): NUMBER, ("recipient", "kk"): NUMBER, ("recipient", "name"): NAME,
    },
    # Witnesses of a destruction are named people too (each item of the list).
    ("blank-stock", "SpoiledDestroyed"): {("witnesses", "name"): NAME},
    # Staff are people too: a member's name, and their NIP (a civil servant's number,
    # which holds their birth date), pseudonymised like a NIK.
    ("staff", "StaffEnrolled"): {("name",): NAME, ("nip",): NUMBER},
}
# Aggregates whose stream ids are derived from a NIK (`domain/open_requests.py`): a
# pseudonymised export writes their stream id as a pseudonym too.
NIK_DERIVED_STREAMS = frozenset({"nik-register"})
MIN_KEY_BYTES = 32


class Pseudonymiser:
    """Replaces the personal fields of each line's data (see the module docstring)."""

    mode = "pseudonymised"

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the audit key must have at least {MIN_KEY_BYTES} bytes")
        self._key = key
        # Every write pseudonymises its events for the journal, and the same NIKs and
        # registers come back command after command (a request, its register, its
        # hand-over): each pseudonym is kept, up to CACHED, rather than an HMAC redone.
        self._numbers: dict[str, str] = {}
        self._streams: dict[str, str] = {}
        self._rules: dict[str, Callable[[str], str]] = {NUMBER: self.number, NAME: initials,
                                                         PHONE: self.phone}

    def number(self, digits: str) -> str:
        """``MASKED~HMAC`` for a NIK or KK number."""
        known = self._numbers.get(digits)
        if known is None:
            pseudonym = hmac.digest(self._key, digits.encode("utf-8"), "sha256").hex()
            known = f"{mask_digits(digits)}~{pseudonym}"
            _keep(self._numbers, digits, known)
        return known

    def phone(self, digits: str) -> str:
        """``STARS~HMAC`` for a phone number (the HMAC of ``phone:`` and its digits, so
        it never equals a NIK's pseudonym)."""
        pseudonym = hmac.digest(self._key, b"phone:" + digits.encode("utf-8"), "sha256").hex()
        return f"{'*' * len(digits)}~{pseudonym}"

    def stream(self, aggregate: str, stream_id: str) -> str:
        """The stream id, or for a NIK register (whose id is derived from the NIK) a
        pseudonymous one: the first 16 bytes of HMAC-SHA256(key, "nik-register:" +
        the id's 16 bytes), written as a UUID."""
        if aggregate not in NIK_DERIVED_STREAMS:
            return stream_id
        known = self._streams.get(stream_id)
        if known is None:
            digest = hmac.digest(self._key, b"nik-register:" + UUID(stream_id).bytes, "sha256")
            known = str(UUID(bytes=digest[:16]))
            _keep(self._streams, stream_id, known)
        return known

    def apply(self, aggregate: str, type_name: str, data: dict[str, Any]) -> dict[str, Any]:
        """`data` with its personal fields replaced (the same dict if it has none)."""
        fields = PERSONAL_FIELDS.get((aggregate, type_name))
        if not fields:
            return data
        rules = self._rules
        result = dict(data)
        for path, kind in fields.items():
            _replace(result, path, rules[kind])
        return result


CACHED = 4096


def _keep(cache: dict[str, str], key: str, value: str) -> None:
    """Remember a pseudonym; a full cache starts again (a bound on memory, not an LRU:
    an office's working set is far smaller)."""
    if len(cache) >= CACHED:
        cache.clear()
    cache[key] = value


class Revealer:
    """Leaves personal data in full (``--reveal-personal-data``)."""

    mode = "revealed"

    def apply(self, aggregate: str, type_name: str, data: dict[str, Any]) -> dict[str, Any]:
        """`data` unchanged."""
        return data

    def stream(self, aggregate: str, stream_id: str) -> str:
        """The stream id unchanged."""
        return stream_id


def _replace(data: dict[str, Any], path: tuple[str, ...], rule: Callable[[str], str]) -> None:
    head, *rest = path
    value = data.get(head)
    if value is None:
        return
    if rest:
        if isinstance(value, dict):
            inner = dict(value)
            _replace(inner, tuple(rest), rule)
            data[head] = inner
        elif isinstance(value, list):
            items = [dict(item) if isinstance(item, dict) else item for item in value]
            for item in items:
                if isinstance(item, dict):
                    _replace(item, tuple(rest), rule)
            data[head] = items
        return
    if isinstance(value, str) and type(value) is not LeafText:
        # An erased field is its leaf form already: the form it had when written.
        data[head] = rule(value)
