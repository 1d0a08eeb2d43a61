"""The clocks behind the clock port: the machine's, and one a script sets (the demo, replays)."""

from __future__ import annotations

import datetime as dt

from ektp.application.ports.clock import Clock


class SystemClock(Clock):
    """The machine's clock, in UTC."""

    def now(self) -> dt.datetime:
        """The current time in UTC."""
        return dt.datetime.now(dt.timezone.utc)


class ScriptedClock(Clock):
    """Starts at a given time; `set` jumps, and every reading advances one second
    so that successive events never share a timestamp."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the scripted clock needs an aware datetime")
        self._now = start

    def set(self, moment: dt.datetime) -> None:
        """Jump to `moment`."""
        self._now = moment

    def now(self) -> dt.datetime:
        """The scripted time."""
        current = self._now
        self._now = current + dt.timedelta(seconds=1)
        return current
