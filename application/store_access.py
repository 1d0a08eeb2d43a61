"""Reading and writing aggregates through eventsourcing's Application, which is
the persistence port itself (no second repository on top), with the store's
exceptions turned into named refusals.

The store keeps recently used aggregate states in its cache (no re-read before
each command) and is given each new state when it saves. A cached state may be
stale when another process wrote since; the store's optimistic concurrency
refuses any write decided on it, and `Office` then retries once on fresh state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, PersistenceError, Recording

from ektp.application.errors import StoreUnavailable
from ektp.domain.errors import ConcurrentChange

S = TypeVar("S")
Projector = Callable[[S | None, Iterable[Any]], S | None]


class _StoreErrors:
    """Turn the store's failures into `StoreUnavailable` (conflicts are handled by `save`).

    A class, not a @contextmanager generator: it wraps every read and write, and
    the generator machinery costs more than the check itself.
    """

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: object) -> None:
        if error is None or isinstance(error, IntegrityError):
            return
        if isinstance(error, (PersistenceError, OSError)):
            raise StoreUnavailable(reason=_first_line(error)) from None


_STORE_ERRORS = _StoreErrors()


def store_errors() -> _StoreErrors:
    """A context in which the store's failures become `StoreUnavailable`."""
    return _STORE_ERRORS


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def is_cached(app: Application[UUID], stream_id: UUID) -> bool:
    """Whether a load of `stream_id` would be answered from the cache."""
    cache = app.repository.cache
    return cache is not None and stream_id in cache.cache


def evict(app: Application[UUID], stream_ids: Iterable[UUID]) -> None:
    """Drop these streams' cached states."""
    cache = app.repository.cache
    if cache is None:
        return
    for stream_id in stream_ids:
        try:
            cache.get(stream_id, evict=True)
        except KeyError:
            pass


MISSING = object()  # what `cached` gives for a stream it does not hold


def cached(app: Application[UUID], stream_id: UUID) -> object:
    """The cached state of `stream_id`, or `MISSING`; without the repository's locking."""
    cache = app.repository.cache
    if cache is None:
        return MISSING
    try:
        return cache.get(stream_id)
    except KeyError:
        return MISSING


def load(
    app: Application[UUID], stream_id: UUID, projector: Projector[S], *, fresh: bool = False
) -> S | None:
    """The aggregate's state (None if the stream has no events); `fresh` skips the cache."""
    if fresh:
        evict(app, [stream_id])
    else:
        state = cached(app, stream_id)
        if state is not MISSING:
            return cast(S, state)
    return load_stored(app, stream_id, projector)


def load_stored(app: Application[UUID], stream_id: UUID, projector: Projector[S]) -> S | None:
    """The aggregate's state read from the store (None if the stream has no events)."""
    with store_errors():
        try:
            return cast(S, app.repository.get(stream_id, projector_func=projector))  # type: ignore[type-var]
        except AggregateNotFoundError:
            return None


def save(
    app: Application[UUID],
    events: Iterable[DomainEventProtocol[UUID]],
    ref: object,
    states: Iterable[Any] = (),
) -> list[Recording[UUID]]:
    """Write `events` in one transaction and cache the new `states` (objects with ``id``).

    A version conflict becomes `ConcurrentChange`, with the streams evicted.
    """
    batch = list(events)
    with store_errors():
        try:
            recordings = put_events(app, batch)
        except IntegrityError:
            evict(app, {e.originator_id for e in batch})
            raise ConcurrentChange(ref=ref) from None
    remember(app, states)
    return recordings


def put_events(app: Application[UUID], events: list[DomainEventProtocol[UUID]]) -> list[Recording[UUID]]:
    """Write `events` in one transaction (raises the store's IntegrityError on a conflict).

    Straight to the application's event store, as `Application.save` does after
    it has sorted its arguments into aggregates and events: ektp only ever saves
    its own events, and that sorting is a runtime-protocol `isinstance` per
    event, about 7 us each on Python 3.11, as much as the rest of the command's
    bookkeeping. ektp configures no snapshotting intervals and no process
    application, so nothing else `save` does applies.
    """
    return app.events.put(events)


def remember(app: Application[UUID], states: Iterable[Any]) -> None:
    """Put just-saved states in the cache (they are what the store now holds)."""
    cache = app.repository.cache
    if cache is not None:
        for state in states:
            cache.put(state.id, state)
