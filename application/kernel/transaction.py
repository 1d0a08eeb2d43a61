"""`Transaction`: what one attempt of a use case read and decided.

A use case loads the aggregates it needs through the transaction, decides with
the domain's functions, and records each aggregate's new events with its new
state; `Store.transact` then saves every recorded event in one write, which is
one database transaction (a card and the blank ledger, a manifest and its
cards). Loads see the states already changed in the transaction, so a use case
that decides on one card twice (a results file with two rows for it) decides
the second time on the first's outcome.

This is on every command's path, so it is kept lean: the states it holds are
keyed by the stream id's integer (hashing a `UUID` runs Python code, hashing
an int does not), and what it read is a list, looked at only after a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from uuid import UUID

if TYPE_CHECKING:
    from ektp.application.kernel.store import Store
    from ektp.domain.event import DomainEvent

S = TypeVar("S")
Projector = Callable[[S | None, Iterable[Any]], S | None]
MISSING = object()  # what `Store.cached` gives for a stream it does not hold


class Reads:
    """Loads through the cache (or fresh from the store) that remember what they read."""

    __slots__ = ("store", "fresh", "cache_hits", "read")

    def __init__(self, store: Store, *, fresh: bool) -> None:
        self.store = store
        self.fresh = fresh
        self.cache_hits = 0
        self.read: list[tuple[UUID, object]] = []  # (stream, state as read; None: no events)

    def load(self, stream_id: UUID, projector: Projector[S]) -> S | None:
        """The aggregate's state, None if the stream has no events."""
        if not self.fresh:
            state = self.store.cached(stream_id)
            if state is not MISSING:
                self.cache_hits += 1
                self.read.append((stream_id, state))
                return state  # type: ignore[return-value]
        loaded = self.store.load(stream_id, projector, fresh=self.fresh)
        self.read.append((stream_id, loaded))
        return loaded


def _version(state: object) -> int:
    """The version of a state as read (0 for a stream that had no events)."""
    return 0 if state is None else int(getattr(state, "version"))


class Savepoint(NamedTuple):
    """How far a transaction had got, to go back to when a trial step is refused."""

    events: int
    states: dict[int, object]
    hooks: int


class Transaction(Reads):
    """Events of several aggregates decided one after another, saved together."""

    __slots__ = ("events", "states", "shared", "assumed_new", "hooks", "ref")

    def __init__(self, store: Store, *, fresh: bool) -> None:
        super().__init__(store, fresh=fresh)
        self.events: list[DomainEvent] = []
        self.states: dict[int, object] = {}  # new states by their stream id's int
        # Streams many clerks write at once (the office's one blank ledger): a
        # conflict on one of them alone is decided again, not reported.
        self.shared: set[UUID] = set()
        # Streams written without being read (see `load_new`).
        self.assumed_new: set[UUID] = set()
        self.hooks: list[Callable[[], object]] = []
        # Names the record in a conflict's message (a card id, never a NIK), when
        # the use case only learns it inside the transaction.
        self.ref: object = None

    def load(self, stream_id: UUID, projector: Projector[S]) -> S | None:
        """The aggregate's state as this transaction leaves it so far."""
        states = self.states
        if states:
            state = states.get(stream_id.int, MISSING)
            if state is not MISSING:
                return state  # type: ignore[return-value]
        return Reads.load(self, stream_id, projector)

    def load_shared(self, stream_id: UUID, projector: Projector[S]) -> S | None:
        """`load` a stream that many clerks write at once (see `shared`)."""
        self.shared.add(stream_id)
        return self.load(stream_id, projector)

    def load_new(self, stream_id: UUID, projector: Projector[S]) -> S | None:
        """`load`, except that a stream not in the cache is taken to have no events
        yet without reading it.

        For streams that are almost always new: most NIKs have never been
        requested, so a request writes its NIK register's first event without
        the SELECT that would find the register empty. Measured side by side
        (benchmarks/bench_card_writes.py, in process): 0.65 ms a request instead
        of 0.74 ms on SQLite (13%), 1.38 ms instead of 2.09 ms on PostgreSQL
        (34%, a round trip to the server saved). If the register does exist, the
        store refuses the write as a version conflict, nothing is saved, and
        `Store.transact` decides again with it read fresh.
        """
        if (self.fresh or stream_id.int in self.states
                or self.store.cached(stream_id) is not MISSING):
            return self.load(stream_id, projector)
        self.assumed_new.add(stream_id)
        return None

    def state(self, stream_id: UUID, default: S) -> S:
        """The state recorded for `stream_id` in this transaction, else `default`."""
        states = self.states
        return states.get(stream_id.int, default) if states else default  # type: ignore[return-value]

    def record(self, events: Iterable[DomainEvent], state: Any) -> None:
        """Add one aggregate's new events and the state they lead to (an object with ``id``)."""
        self.events.extend(events)
        self.states[state.id.int] = state

    def after_commit(self, hook: Callable[[], object]) -> None:
        """Run `hook` once the events are saved (derived data such as a snapshot)."""
        self.hooks.append(hook)

    def savepoint(self) -> Savepoint:
        """Where the transaction stands now; `rollback` returns to it."""
        return Savepoint(len(self.events), dict(self.states), len(self.hooks))

    def rollback(self, point: Savepoint) -> None:
        """Forget everything recorded since `point`."""
        del self.events[point.events:]
        self.states = dict(point.states)
        del self.hooks[point.hooks:]

    def own_streams_changed(self) -> bool:
        """Whether a stream this transaction read, other than the shared ones, has
        been written by someone else since (asked only after a conflict)."""
        first: dict[UUID, object] = {}
        for stream, state in self.read:
            first.setdefault(stream, state)
        return any(self.store.version_of(stream) != _version(state)
                   for stream, state in first.items() if stream not in self.shared)

    def commit(self, ref: object) -> None:
        """Save every recorded event in one write, cache the new states, run the hooks."""
        if not self.events:
            return
        store = self.store
        store.put(self.events, ref if self.ref is None else self.ref)  # type: ignore[arg-type]
        store.remember(self.states.values())
        for hook in self.hooks:
            hook()
