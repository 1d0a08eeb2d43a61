"""The kernel's `Gate`: calls get in until close; close releases the connections
exactly once, and only when no call is inside."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterable
from typing import Any

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from testkit.people import OPERATOR

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.store import open_event_store
from ektp.application.errors import OfficeClosed
from ektp.application.kernel.gate import Gate
from ektp.application.kernel.store import Store
from ektp.application.kernel.transaction import Transaction
from ektp.domain.errors import ErrorKind
from ektp.domain.event import DomainEvent


class GateModel(RuleBasedStateMachine):
    """Any order of calls entering, leaving and a close that does not wait."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = Gate()
        self.inside = 0
        self.closed = False
        self.released = 0
        self.inside_when_released: list[int] = []

    def release(self) -> None:
        self.released += 1
        self.inside_when_released.append(self.inside)

    @rule()
    def enter(self) -> None:
        if self.closed:
            with pytest.raises(OfficeClosed):
                self.gate.__enter__()
        else:
            self.gate.__enter__()
            self.inside += 1

    @precondition(lambda self: self.inside > 0)
    @rule()
    def leave(self) -> None:
        self.inside -= 1  # the model says who is inside when release runs
        self.gate.__exit__(None, None, None)

    @rule()
    def close(self) -> None:
        ran_here = self.gate.close(self.release, wait=0)
        assert ran_here == (not self.closed and self.inside == 0)
        self.closed = True

    @invariant()
    def released_once_and_only_when_empty(self) -> None:
        assert self.released == (1 if self.closed and self.inside == 0 else 0)
        assert self.inside_when_released in ([], [0])
        assert self.gate.closed == self.closed


TestGateModel = GateModel.TestCase


def test_office_closed_is_a_named_unavailable_refusal() -> None:
    error = OfficeClosed()
    assert error.kind is ErrorKind.UNAVAILABLE
    assert error.code == "OfficeClosed"
    assert error.message == "this office has been closed; open it again to continue."


def _inside_until(gate: Gate, leave: threading.Event, entered: threading.Event,
                  result: list[str]) -> threading.Thread:
    def call() -> None:
        with gate:
            entered.set()
            leave.wait()
        result.append(threading.current_thread().name)

    thread = threading.Thread(target=call, name="caller")
    thread.start()
    assert entered.wait(30)
    return thread


def test_close_waits_for_the_call_inside_then_releases() -> None:
    gate, leave, entered, done = Gate(), threading.Event(), threading.Event(), []
    caller = _inside_until(gate, leave, entered, done)
    released: list[str] = []
    closer = threading.Thread(target=gate.close, name="closer",
                              args=(lambda: released.append(threading.current_thread().name), None))
    closer.start()
    while not gate.closed:
        pass
    with pytest.raises(OfficeClosed):
        gate.__enter__()  # a call after close is refused at once
    closer.join(0.2)
    assert closer.is_alive() and released == []  # never released under the caller
    leave.set()
    caller.join(30)
    closer.join(30)
    assert done == ["caller"] and released == ["closer"]


def test_a_close_that_stops_waiting_leaves_the_release_to_the_last_call_out() -> None:
    gate, leave, entered, done = Gate(), threading.Event(), threading.Event(), []
    caller = _inside_until(gate, leave, entered, done)
    released: list[str] = []
    assert gate.close(lambda: released.append(threading.current_thread().name), wait=0.01) is False
    assert released == []
    assert gate.close(lambda: released.append("again"), wait=None) is False  # closing again: nothing
    leave.set()
    caller.join(30)
    assert released == ["caller"]


def test_wait_closed_wakes_at_close() -> None:
    gate = Gate()
    assert gate.wait_closed(0) is False
    woke: list[bool] = []
    sleeper = threading.Thread(target=lambda: woke.append(gate.wait_closed(3600)))
    sleeper.start()
    gate.close(lambda: None)
    sleeper.join(30)
    assert woke == [True]


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Ticked(DomainEvent):
    """A test event: one tick of a counter stream."""


@attrs.frozen
class Count:
    """A test aggregate: how many ticks a stream has had."""

    id: uuid.UUID
    version: int


def project(state: Count | None, events: Iterable[Any]) -> Count | None:
    for event in events:
        state = Count(event.originator_id, event.originator_version)
    return state


def tick(tx: Transaction, state: Count | None, stream: uuid.UUID) -> Count:
    version = state.version if state else 0
    event = Ticked(originator_id=stream, originator_version=version + 1,
                   timestamp=dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc),
                   actor=OPERATOR, office="35.17")
    tx.record([event], Count(stream, version + 1))
    return Count(stream, version + 1)


def test_a_command_closed_between_its_read_and_its_write_writes_nothing_and_is_not_retried() -> None:
    """The store's gate on the write path: closed after the command read its (cached)
    state, the write fails with OfficeClosed, is not decided again on fresh state
    (as a refusal after a cache hit would be), and nothing is stored."""
    store = Store(open_event_store(DatabaseUrl.parse("memory://"), journal=False))  # test events: no journal
    stream = uuid.uuid4()
    store.transact(lambda tx: tick(tx, tx.load(stream, project), stream))
    attempts: list[bool] = []

    def attempt(tx: Transaction) -> Count:
        attempts.append(tx.fresh)
        state = tx.load(stream, project)
        assert state is not None
        store.gate.close(lambda: None, wait=0)  # another thread closes the office now
        return tick(tx, state, stream)

    with pytest.raises(OfficeClosed):
        store.transact(attempt)
    assert attempts == [False]  # once, on the cached state
    assert [e.originator_version for e in store.app.recorder.select_events(stream)] == [1]


def test_a_deferred_release_that_fails_does_not_fail_the_call_that_ran_it() -> None:
    gate, leave, entered, done = Gate(), threading.Event(), threading.Event(), []
    caller = _inside_until(gate, leave, entered, done)

    def broken_release() -> None:
        raise OSError("the server is gone")

    gate.close(broken_release, wait=0)
    leave.set()
    caller.join(30)
    assert done == ["caller"]  # its call ended normally
