"""Reading the store's whole history in order, in pages (the notification log)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol

from ektp.application.store_access import store_errors

PAGE = 1000


def events_after(
    store: Application[UUID], position: int = 0, topics: tuple[str, ...] = ()
) -> Iterator[tuple[int, DomainEventProtocol[UUID]]]:
    """(position, event) for every stored event after `position`, oldest first."""
    mapper = store.mapper
    while True:
        with store_errors():
            page = store.recorder.select_notifications(
                start=position, limit=PAGE, topics=topics, inclusive_of_start=False
            )
        for notification in page:
            yield notification.id, mapper.to_domain_event(notification)
        if len(page) < PAGE:
            return
        position = page[-1].id
