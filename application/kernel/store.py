"""`Store`: the office's event store as the use cases see it.

eventsourcing's `Application` is the persistence port itself (no second
repository on top); `Store` adds the three things ektp needs around it: its
failures as named refusals, its aggregate cache read without the repository's
locks, `transact`, the one way a use case writes, and the `Gate` every database
call goes through, so that `close` is safe while other threads use the store
(see `ektp.application.kernel.gate`: a call is let in for one database call at
a time, never across a ``yield``).

The cache holds recently used aggregate states (no re-read before each
command) and is given each new state when it is saved. A cached state may be
stale when another process wrote since; the store's optimistic concurrency
refuses any write decided on it, and `transact` then decides again on fresh
state (see `ektp.application.kernel.retry`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Notification, PersistenceError, Recording

from ektp.application.errors import OfficeClosed, StoreUnavailable
from ektp.application.kernel import authority, retry
from ektp.application.kernel.gate import Gate
from ektp.application.kernel.transaction import MISSING, Projector, Reads, Transaction
from ektp.domain.errors import ConcurrentChange, DomainError

S = TypeVar("S")
T = TypeVar("T")


class _StoreErrors:
    """Turn the store's failures into `StoreUnavailable` (conflicts are handled by `put`).

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


class Store:
    """One office's event streams (cards, registers, ledger, manifests) in one store."""

    def __init__(self, app: Application[UUID]) -> None:
        self.app = app  # eventsourcing's Application: recorder, mapper, snapshots
        self._cache = app.repository.cache
        # Every use of the app's connections goes through the gate; anything else
        # that uses this database's connections (the read models) must too.
        self.gate = Gate()
        # Whether the recorder checks a write's guard streams in the write's own
        # transaction (ektp's recorders do: `kernel.authority`); the door reads the
        # register fresh for every command when it does not.
        self.guards_writes = bool(getattr(app.recorder, "guards_streams", False))

    # --- reading -------------------------------------------------------------
    def cached(self, stream_id: UUID) -> object:
        """The cached state of `stream_id`, or `MISSING`; without the repository's locking."""
        cache = self._cache
        if cache is None:
            return MISSING
        try:
            return cache.get(stream_id)
        except KeyError:
            return MISSING

    def load(self, stream_id: UUID, projector: Projector[S], *, fresh: bool = False) -> S | None:
        """The aggregate's state (None if the stream has no events); `fresh` skips the cache."""
        if fresh:
            self.evict([stream_id])
        else:
            state = self.cached(stream_id)
            if state is not MISSING:
                return cast(S, state)
        with self.gate, store_errors():
            try:
                return cast(S, self.app.repository.get(stream_id, projector_func=projector))  # type: ignore[type-var]
            except AggregateNotFoundError:
                return None

    def reads(self, *, fresh: bool = True) -> Reads:
        """Loads for a query: fresh from the store by default, never written."""
        return Reads(self, fresh=fresh)

    def events(self, stream_id: UUID, **bounds: Any) -> Iterator[Any]:
        """The stream's events, oldest first (`gt`, `lte`, `desc`, `limit` as eventsourcing takes them).

        Read in one query when the first is asked for; handed out after it (the
        gate is not held across ``yield``)."""
        with self.gate, store_errors():
            events = self.app.events.get(stream_id, **bounds)  # queried now, mapped lazily
        yield from events

    def notifications(self, start: int, limit: int, *, topics: tuple[str, ...] = (),
                      stop: int | None = None) -> Sequence[Notification]:
        """One page of the notification log: up to `limit` stored events after
        position `start` (up to `stop`, of `topics` if given), oldest first."""
        with self.gate, store_errors():
            return self.app.recorder.select_notifications(
                start=start, limit=limit, stop=stop, topics=topics, inclusive_of_start=False)

    def version_of(self, stream_id: UUID) -> int:
        """The stream's stored version now (0 if it has no events), read past the cache."""
        recorder = self.app.recorder
        with self.gate, store_errors():
            quick = getattr(recorder, "max_version", None)
            if quick is not None:  # one statement, no event decoded (ektp's recorders)
                return int(quick(stream_id))
            newest = recorder.select_events(stream_id, desc=True, limit=1)
        return newest[0].originator_version if newest else 0

    def inserted_by(self, after: int, upto: int) -> dict[int, str | None]:
        """The login that inserted each event at positions after `after` up to `upto`
        (the database's or operating system's, recorded by the store itself); empty
        when the store records none (the in-memory store)."""
        select = getattr(self.app.recorder, "select_inserters", None)
        if select is None:
            return {}
        with self.gate, store_errors():
            return dict(select(after, upto))

    def last_position(self) -> int:
        """The position of the newest stored event (0 for an empty store)."""
        with self.gate, store_errors():
            return self.app.recorder.max_notification_id() or 0

    def evict(self, stream_ids: Iterable[UUID]) -> None:
        """Drop these streams' cached states."""
        cache = self._cache
        if cache is None:
            return
        for stream_id in stream_ids:
            try:
                cache.get(stream_id, evict=True)
            except KeyError:
                pass

    def forget(self) -> None:
        """Drop every cached state (the next loads read the store, as a fresh process would)."""
        cache = self._cache
        if cache is not None:
            self.evict(list(cache.cache))

    # --- writing -------------------------------------------------------------
    def transact(self, attempt: Callable[[Transaction], T], *, ref: object = None,
                 retries: int = 0) -> T:
        """Load, decide and save in one transaction: run `attempt` on a new
        `Transaction`, save what it recorded, and decide again when that is wise
        (a stale cache, a blind first write that met an existing stream, or up to
        `retries` conflicts on a stream many clerks share: `retry.again`). `ref`
        names the record in a conflict's message."""
        tx = Transaction(self, fresh=False)
        try:
            result = attempt(tx)
            tx.commit(ref)
        except OfficeClosed:
            raise  # nothing to decide again: the office is closed
        except DomainError as refused:
            return retry.again(self, attempt, tx, refused, ref=ref, retries=retries)
        return result

    def put(self, events: list[DomainEventProtocol[UUID]], ref: object) -> list[Recording[UUID]]:
        """Write `events` in one transaction; a version conflict becomes `ConcurrentChange`
        (with the streams evicted, so the next load reads them fresh).

        Straight to the application's event store, as `Application.save` does after
        it has sorted its arguments into aggregates and events: ektp only ever saves
        its own events, and that sorting is a runtime-protocol `isinstance` per
        event, about 7 us each on Python 3.11, as much as the rest of the command's
        bookkeeping. ektp configures no snapshotting intervals and no process
        application, so nothing else `save` does applies.

        Through the gate: a write that got in is committed before `close` releases
        the connection; one refused with `OfficeClosed` wrote nothing.
        """
        grant = authority.current(self)
        with self.gate:
            try:
                if grant is None:
                    return self.app.events.put(events)
                # The door's grant travels with the write (see `kernel.authority`).
                return self.app.events.put(events, unchanged=((grant.stream, grant.version),))
            except authority.GrantChanged:
                assert grant is not None
                self.evict([grant.stream])
                raise grant.renew() from None
            except IntegrityError:
                self.evict({e.originator_id for e in events})
                raise ConcurrentChange(ref=ref) from None
            except (PersistenceError, OSError) as error:
                raise StoreUnavailable(reason=_first_line(error)) from None

    def remember(self, states: Iterable[Any]) -> None:
        """Put just-saved states (objects with ``id``) in the cache: they are what the store now holds."""
        cache = self._cache
        if cache is not None:
            for state in states:
                cache.put(state.id, state)

    def put_snapshot(self, snapshot: Any) -> bool:
        """Store a snapshot; True if stored.

        A snapshot is derived data written after the command's own transaction: if
        it fails (or another process stored the same version, or the office closed
        meanwhile), the command still stands and the aggregate simply replays a few
        more events next time.
        """
        snapshots = self.app.snapshots
        if snapshots is None:
            return False
        try:
            with self.gate:
                snapshots.put([snapshot])
        except (PersistenceError, OSError, OfficeClosed):
            return False
        return True

    def close(self, wait: float | None = 10.0) -> None:
        """Refuse new calls, let the calls inside finish, then release the
        connections (see `Gate.close` for `wait`)."""
        self.gate.close(self.app.close, wait)
