"""A clock that tells the time a script sets, for the demo and for replays."""

from __future__ import annotations

import datetime as dt

from ektp.application.ports.clock import Clock


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
