"""Following the office's events in order from a position the follower keeps:
the basis for a host's own notifications, exactly once across its restarts."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ektp.application.errors import OfficeClosed
from ektp.application.feed.pages import events_after
from ektp.application.feed.record import EventRecord
from ektp.application.kernel.services import Services
from ektp.domain.event import DomainEvent


class FeedDesk:
    """`events_since` and `follow` for embedding programs."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def events_since(self, position: int = 0) -> Iterator[EventRecord]:
        """Every event recorded after `position`, oldest first; ends at the newest.

        Keep the `position` of the last record you have *finished* with (in the same
        transaction as your own effect, if you can) and pass it next time.
        """
        for at, event in events_after(self._services.store, position):
            assert isinstance(event, DomainEvent)
            yield EventRecord(at, event.originator_id, event.originator_version,
                              type(event).__name__, event.timestamp, event)

    def follow(
        self,
        position: int = 0,
        *,
        poll_seconds: float = 1.0,
        stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[EventRecord]:
        """Like `events_since`, then keep waiting for new events until `stop()` is true
        or the office is closed: then the iteration simply ends (a follower thread
        needs no other signal to finish). Called on an office already closed, it
        raises `OfficeClosed`."""
        gate = self._services.store.gate
        if gate.closed:
            raise OfficeClosed()
        while not stop():
            try:
                for record in self.events_since(position):
                    yield record
                    position = record.position
            except OfficeClosed:
                return
            # Woken at once by close, rather than sleeping out the poll interval.
            if stop() or gate.wait_closed(poll_seconds):
                return
