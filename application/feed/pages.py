"""Reading the store's whole history in order, in pages (the notification log)."""

from __future__ import annotations

from collections.abc import Iterator

from uuid import UUID

from eventsourcing.domain import DomainEventProtocol

from ektp.application.kernel.store import Store

PAGE = 1000


def events_after(
    store: Store, position: int = 0, topics: tuple[str, ...] = ()
) -> Iterator[tuple[int, DomainEventProtocol[UUID]]]:
    """(position, event) for every stored event after `position`, oldest first.

    Read a page at a time through the store's gate, which is never held while a
    caller has an event in hand: a caller that stops iterating keeps nothing open.
    """
    mapper = store.app.mapper
    while True:
        page = store.notifications(position, PAGE, topics=topics)
        for notification in page:
            yield notification.id, mapper.to_domain_event(notification)
        if len(page) < PAGE:
            return
        position = page[-1].id
