"""Reading the store's whole history in order, in pages (the notification log)."""

from __future__ import annotations

from collections.abc import Iterator

from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from ektp.application.kernel.store import Store, store_errors

PAGE = 1000


def events_after(
    store: Store, position: int = 0, topics: tuple[str, ...] = ()
) -> Iterator[tuple[int, DomainEventProtocol[UUID]]]:
    """(position, event) for every stored event after `position`, oldest first."""
    app = store.app
    mapper = app.mapper
    while True:
        with store_errors():
            page = app.recorder.select_notifications(
                start=position, limit=PAGE, topics=topics, inclusive_of_start=False
            )
        for notification in page:
            yield notification.id, mapper.to_domain_event(notification)
        if len(page) < PAGE:
            return
        position = page[-1].id
