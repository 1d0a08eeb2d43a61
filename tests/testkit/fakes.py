"""Fakes of the driven ports; each subclasses its port so drift fails loudly."""

from __future__ import annotations

import datetime as dt

from ektp.application.ports.clock import Clock

UTC = dt.timezone.utc


class FakeClock(Clock):
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.current = start or dt.datetime(2026, 11, 2, 1, 0, tzinfo=UTC)

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)
