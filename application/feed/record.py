"""`EventRecord`: one stored event with its position, as `Office.events_since` yields it."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import attrs

from ektp.domain.event import DomainEvent


@attrs.frozen
class EventRecord:
    """One stored event and its position in the office's history (1, 2, 3, ...)."""

    position: int
    stream_id: UUID
    version: int
    type: str
    time: dt.datetime
    event: DomainEvent
