"""`Gate`: the one door between the office's callers and its connections, so that
closing the office is safe from any thread at any moment.

Every use of a connection (each event-store call, each read-model call) goes
in through the gate and out again. `close` shuts the door (every later call
fails with `OfficeClosed`), waits until every call already inside has left,
and only then releases the connections: no connection is ever closed while a
thread is using it (closing eventsourcing's SQLite connection under a reader
is a segmentation fault, not an exception).

The rule for generators (`Store.events`, the feed's `events_since` and
`follow`, the audit export's pages): the gate is held for one database call
(one page), never across a ``yield``. The rows of a page are in memory before
the first is handed out, so a host that stops iterating, or iterates slowly,
never keeps `close` waiting; its next page fails with `OfficeClosed` (and
`follow` ends).

`close` waits a bounded time (`wait` seconds). A call still inside then (a
long read-model rebuild) is not cut off: `close` returns, and the last call to
leave releases the connections itself. Either way they are released exactly
once, after the last user has left.

This is on every command's path: one uncontended lock taken on the way in and
once on the way out (about 0.2 us together, against 500 us a command).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ektp.application.errors import OfficeClosed


class Gate:
    """Counts the calls inside the office's connections; `close` drains them first."""

    __slots__ = ("_lock", "_left", "_inside", "_closed", "_shut", "_release")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._left = threading.Condition(self._lock)  # notified when the last call leaves
        self._inside = 0
        self._closed = False
        self._shut = threading.Event()  # set by `close`: for waiters such as `follow`
        self._release: Callable[[], object] | None = None  # deferred past a timed-out wait

    @property
    def closed(self) -> bool:
        """Whether `close` has been called (new calls are refused)."""
        return self._closed

    def __enter__(self) -> None:
        with self._lock:
            if self._closed:
                raise OfficeClosed()
            self._inside += 1

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside or not self._closed:
                return
            self._left.notify_all()
            release, self._release = self._release, None
        if release is not None:
            try:
                release()
            except Exception:  # noqa: BLE001
                # This caller's own call has succeeded or failed on its own; a failure
                # to release connections nobody will use again must not change that
                # (a write that was committed must not be reported as failed).
                pass

    def wait_closed(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking at once if the office closes; True if closed."""
        return self._shut.wait(seconds)

    def close(self, release: Callable[[], object], wait: float | None = 10.0) -> bool:
        """Refuse new calls, wait up to `wait` seconds (None: as long as it takes) for
        the calls inside to leave, then run `release`; True if it ran here.

        If calls are still inside after `wait`, the last one to leave runs
        `release`. Closing again does nothing (False).
        """
        with self._lock:
            if self._closed:
                return False
            self._closed = True
            self._shut.set()
            if not self._left.wait_for(lambda: self._inside == 0, timeout=wait):
                self._release = release  # the last call out releases
                return False
        release()
        return True


class Gated:
    """Any object whose method calls all go through a gate: a proxy, so that methods
    a later change adds are gated too (the read models, the journal's storage)."""

    __slots__ = ("_inner", "_gate")

    def __init__(self, inner: Any, gate: Gate) -> None:
        self._inner = inner
        self._gate = gate

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value
        gate = self._gate

        def through_the_gate(*args: Any, **kwargs: Any) -> Any:
            with gate:
                return value(*args, **kwargs)

        through_the_gate.__doc__ = value.__doc__
        return through_the_gate
