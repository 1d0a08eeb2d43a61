"""One line of ``events.jsonl``, and the journal leaf it shares its bytes with.

An ``ektp-audit/2`` line is the canonical form of an object with twelve keys:
``actor aggregate data hash inserted_by leaf prev seq stream time type version``.
Without ``hash``, ``inserted_by`` and ``prev`` it is the event's *leaf*: the bytes whose RFC 9162 leaf
hash the journal stored when the event was written (`leaf_bytes`), always in
pseudonymised form. Both are assembled from the same two pieces of an event
(`LineParts`: the bytes before ``leaf`` and after ``seq``), so an export, the
journal and ``ektp db verify`` cannot disagree about what a leaf is.
``ektp-audit/1`` lines (ten keys, no ``leaf``) are still read and verified.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, NamedTuple, Protocol
from uuid import UUID

import attrs

from ektp.application.audit.canonical import canonical, canonical_tree, format_time, sha256_hex
from ektp.application.audit.facts import event_data

# The keys of a line: version 1's ten, and version 2's twelve: `leaf` (the event's
# index in the journal) and `inserted_by` (the login that inserted the event into the
# store, or null where it was not recorded).
KEYS_V1 = ("actor", "aggregate", "data", "hash", "prev", "seq", "stream", "time", "type", "version")
KEYS = tuple(sorted((*KEYS_V1, "inserted_by", "leaf")))
KEYS_V2 = KEYS


class PersonalDataPolicy(Protocol):
    """Pseudonymises or reveals the personal parts of a line: its data and, for the NIK
    registers, its stream id (derived from the NIK)."""

    mode: str

    def apply(self, aggregate: str, type_name: str, data: dict[str, Any]) -> dict[str, Any]:
        """The data as the export holds it."""

    def stream(self, aggregate: str, stream_id: str) -> str:
        """The stream id as the export holds it."""


@attrs.frozen
class AuditLine:
    """A line that passed every check; `time` is parsed, the rest as written
    (`leaf` is None in an ``ektp-audit/1`` export)."""

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
    leaf: int | None = None
    # The login that inserted the event (version 2); None where not recorded.
    inserted_by: str | None = None


class LineParts(NamedTuple):
    """An event's canonical line in two pieces: up to the ``data`` value, and from
    ``,"stream":`` to the closing brace. Everything between (``hash``,
    ``inserted_by``, ``leaf``, ``prev``, ``seq``) depends on where and by whom the
    event was stored, not on the event."""

    head: bytes
    rest: bytes


def line_parts(aggregate: str, event: Any, personal: PersonalDataPolicy) -> LineParts:
    """The two position-free pieces of `event`'s line under `personal`.

    The top-level keys are fixed, so the canonical form is assembled from the
    canonical form of each value in sorted key order (tests compare with
    `canonical` itself). Every write computes this for the journal, so the pieces
    that repeat (the actor, the moment and the event type) are cached and each piece
    is encoded once.
    """
    type_name = type(event).__name__
    data = personal.apply(aggregate, type_name, event_data(event))
    actor = event.actor
    head = _actor_head(actor.id, actor.role, aggregate) + canonical_tree(data)
    stream = personal.stream(aggregate, _uuid_text(event.originator_id))
    rest = (f',"stream":"{stream}","time":"{_time_text(event.timestamp)}","type":'
            f'{_type_text(type_name)},"version":{event.originator_version}}}').encode()
    return tuple.__new__(LineParts, (head, rest))  # LineParts(head, rest), without its Python __new__


def leaf_bytes(parts: LineParts, leaf: int, seq: int) -> bytes:
    """The journal leaf of an event at leaf index `leaf` and store position `seq`:
    its line without ``hash``, ``inserted_by`` and ``prev`` (the journal is written
    from the event itself, before the store has said who inserted it)."""
    return b"".join((parts.head, f',"leaf":{leaf},"seq":{seq}'.encode(), parts.rest))


def build_line(parts: LineParts, leaf: int, seq: int, prev: str,
               inserted_by: str | None = None) -> tuple[bytes, str]:
    """The ``ektp-audit/2`` line (canonical bytes and newline) and its hash."""
    middle = b"".join((b',"inserted_by":', _inserter(inserted_by), b',"leaf":', str(leaf).encode(),
                       b',"prev":"', prev.encode(), b'","seq":', str(seq).encode()))
    digest = sha256_hex(parts.head + middle + parts.rest)
    return b"".join((parts.head, b',"hash":"', digest.encode(), b'"', middle, parts.rest,
                     b"\n")), digest


def build_line_v1(seq: int, parts: LineParts, prev: str) -> tuple[bytes, str]:
    """An ``ektp-audit/1`` line (for tests of the old format's reader)."""
    middle = b"".join((b',"prev":"', prev.encode(), b'","seq":', str(seq).encode()))
    digest = sha256_hex(parts.head + middle + parts.rest)
    return b"".join((parts.head, b',"hash":"', digest.encode(), b'"', middle, parts.rest,
                     b"\n")), digest


@lru_cache(maxsize=4096)
def _inserter(login: str | None) -> bytes:
    """The canonical form of an `inserted_by` value (few logins: cached)."""
    return canonical(login)


_UUID_TEXTS: dict[int, str] = {}


def _uuid_text(stream_id: Any) -> str:
    """``str`` of a stream id. A stream's id comes back with each of its commands, and
    UUID's ``__str__`` is Python formatting: kept by the id's integer (a full cache
    starts again), which costs a dict look-up rather than a format."""
    if type(stream_id) is not UUID:
        return str(stream_id)
    key = stream_id.int
    text = _UUID_TEXTS.get(key)
    if text is None:
        if len(_UUID_TEXTS) >= 4096:
            _UUID_TEXTS.clear()
        text = _UUID_TEXTS[key] = str(stream_id)
    return text


@lru_cache(maxsize=256)
def _time_text(moment: dt.datetime) -> str:
    """`format_time` (the events of one command share their moment: cached)."""
    return format_time(moment)


@lru_cache(maxsize=1024)
def _type_text(type_name: str) -> str:
    """An event type's canonical form (few types: cached)."""
    return canonical(type_name).decode()


@lru_cache(maxsize=4096)
def _actor_head(actor_id: str, role: str, aggregate: str) -> bytes:
    """The line's bytes up to ``"data":`` (few staff and aggregates: cached; `role` is
    the role's value, or the role itself, a StrEnum equal to its value)."""
    return b"".join((b'{"actor":', canonical({"id": actor_id, "role": str(role)}),
                     b',"aggregate":', canonical(aggregate), b',"data":'))
