"""One line of ``events.jsonl``: building it from an event, and reading it back."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import attrs

from ektp.application.audit.canonical import canonical, format_time, sha256_hex
from ektp.application.audit.facts import event_data

KEYS = ("actor", "aggregate", "data", "hash", "prev", "seq", "stream", "time", "type", "version")


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


def build_line(
    seq: int, aggregate: str, event: Any, prev: str, personal: PersonalDataPolicy
) -> tuple[bytes, str]:
    """The line (canonical bytes and newline) for a stored event, and its hash."""
    type_name = type(event).__name__
    obj: dict[str, Any] = {
        "seq": seq,
        "stream": str(event.originator_id),
        "aggregate": aggregate,
        "version": event.originator_version,
        "type": type_name,
        "time": format_time(event.timestamp),
        "actor": {"id": event.actor.id, "role": event.actor.role.value},
        "data": personal.apply(aggregate, type_name, event_data(event)),
        "prev": prev,
    }
    digest = sha256_hex(canonical(obj))
    obj["hash"] = digest
    return canonical(obj) + b"\n", digest
