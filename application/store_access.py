"""Reading and writing aggregates through eventsourcing's Application, which is
the persistence port itself (no second repository on top), with the store's
exceptions turned into named refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, PersistenceError, Recording

from ektp.application.errors import StoreUnavailable
from ektp.domain.errors import ConcurrentChange

S = TypeVar("S")
Projector = Callable[[S | None, Iterable[Any]], S | None]


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn the store's failures into `StoreUnavailable` (conflicts are handled by `save`)."""
    try:
        yield
    except IntegrityError:
        raise
    except PersistenceError as error:
        raise StoreUnavailable(reason=_first_line(error)) from None
    except OSError as error:
        raise StoreUnavailable(reason=_first_line(error)) from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def load(app: Application[UUID], stream_id: UUID, projector: Projector[S]) -> S | None:
    """The aggregate's current state, or None if the stream has no events."""
    with store_errors():
        try:
            return cast(S, app.repository.get(stream_id, projector_func=projector))  # type: ignore[type-var]
        except AggregateNotFoundError:
            return None


def save(
    app: Application[UUID], events: Iterable[DomainEventProtocol[UUID]], ref: object
) -> list[Recording[UUID]]:
    """Write `events` in one transaction; a version conflict becomes `ConcurrentChange`."""
    batch = list(events)
    with store_errors():
        try:
            return app.save(*batch)
        except IntegrityError:
            _evict(app, {e.originator_id for e in batch})
            raise ConcurrentChange(ref=ref) from None


def _evict(app: Application[UUID], stream_ids: set[UUID]) -> None:
    cache = app.repository.cache
    if cache is None:
        return
    for stream_id in stream_ids:
        try:
            cache.get(stream_id, evict=True)
        except KeyError:
            pass
