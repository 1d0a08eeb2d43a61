"""Events of several aggregates decided one after another and saved in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from ektp.domain.event import DomainEvent


class Batch:
    """Events of several aggregates decided one after another, saved together."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []
        self.states: dict[UUID, object] = {}

    def add(self, events: Iterable[DomainEvent], state: object, state_id: UUID) -> None:
        """Append events and remember the state they lead to."""
        self.events.extend(events)
        self.states[state_id] = state
