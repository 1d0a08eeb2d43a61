"""The real clock."""

from __future__ import annotations

import datetime as dt

from ektp.application.ports.clock import Clock


class SystemClock(Clock):
    """The machine's clock, in UTC."""

    def now(self) -> dt.datetime:
        """The current time in UTC."""
        return dt.datetime.now(dt.timezone.utc)
