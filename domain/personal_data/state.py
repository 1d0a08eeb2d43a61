"""One staff login's access log of one day: just enough state to append to it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from uuid import UUID

import attrs

from ektp.domain.personal_data.events import PersonalDataAccessed

_NAMESPACE = UUID("6c0f3a52-93d4-4a47-b2f5-0f7d3e5a9c11")  # fixed forever: stream ids depend on it


def log_id(office: str, login: str, day: dt.date) -> UUID:
    """The stream of `login`'s accesses on `day` in `office` (a UUID5: no personal data)."""
    return uuid.uuid5(_NAMESPACE, f"access-log/{office}/{login}/{day.isoformat()}")


@attrs.frozen
class AccessLog:
    """A day's log of one login: its stream id and how many accesses it holds."""

    id: UUID
    version: int


def project(log: AccessLog | None, events: Iterable[PersonalDataAccessed]) -> AccessLog | None:
    """Fold the log's events (the projector the event store's repository calls)."""
    for event in events:
        log = AccessLog(id=event.originator_id, version=event.originator_version)
    return log
