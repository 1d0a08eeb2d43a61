"""One line of ``events.jsonl``: building it from an event, and reading it back."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Protocol

import attrs

from ektp.application.audit.canonical import canonical, format_time, sha256_hex
from ektp.application.audit.facts import event_data

# The keys of a line: version 1's ten, and version 2's eleven (`inserted_by`: the
# login that inserted the event into the store, or null where it was not recorded).
KEYS_V1 = ("actor", "aggregate", "data", "hash", "prev", "seq", "stream", "time", "type", "version")
KEYS = tuple(sorted((*KEYS_V1, "inserted_by")))


class PersonalDataPolicy(Protocol):
    """Pseudonymises or reveals the personal fields of a line's data."""

    mode: str

    def apply(self, aggregate: str, type_name: str, data: dict[str, Any]) -> dict[str, Any]:
        """The data as the export holds it."""


@attrs.frozen
class AuditLine:
    """A line that passed every check; `time` is parsed, the rest as written."""

    number: int
    seq: int
    stream: str
    aggregate: str
    version: int
    type: str
    time: dt.datetime
    actor: dict[str, str]
    data: dict[str, Any]
    hash: str
    # The login that inserted the event (version 2); None where not recorded.
    inserted_by: str | None = None


def build_line(
    seq: int, aggregate: str, event: Any, prev: str, personal: PersonalDataPolicy,
    inserted_by: str | None = None,
) -> tuple[bytes, str]:
    """The line (canonical bytes and newline) for a stored event, and its hash.

    The top-level keys are fixed, so the canonical form is assembled from the
    canonical form of each value in sorted key order; the bytes hashed are the
    same without the ``hash`` member (tests compare with `canonical` itself).
    """
    type_name = type(event).__name__
    data = personal.apply(aggregate, type_name, event_data(event))
    actor = event.actor
    head = b"".join((
        _actor_head(actor.id, actor.role.value, aggregate), canonical(data),
    ))
    tail = b"".join((
        b',"inserted_by":', _inserter(inserted_by), b',"prev":"', prev.encode(), b'","seq":', str(seq).encode(),
        b',"stream":"', str(event.originator_id).encode(), b'","time":"',
        format_time(event.timestamp).encode(), b'","type":', _string(type_name),
        b',"version":', str(event.originator_version).encode(), b"}",
    ))
    digest = sha256_hex(head + tail)
    return b"".join((head, b',"hash":"', digest.encode(), b'"', tail, b"\n")), digest


@lru_cache(maxsize=4096)
def _inserter(login: str | None) -> bytes:
    """The canonical form of an `inserted_by` value (few logins: cached)."""
    return canonical(login)


@lru_cache(maxsize=4096)
def _string(text: str) -> bytes:
    """A short string's canonical form (event names repeat: cached)."""
    return canonical(text)


@lru_cache(maxsize=4096)
def _actor_head(actor_id: str, role: str, aggregate: str) -> bytes:
    """The line's bytes up to ``"data":`` (few staff and aggregates: cached)."""
    return b"".join((b'{"actor":', canonical({"id": actor_id, "role": role}),
                     b',"aggregate":', canonical(aggregate), b',"data":'))
