"""The clock port: the only source of time for the use cases."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from typing import Protocol


class Clock(Protocol):
    """Tells the current time; adapters and test fakes subclass it explicitly."""

    @abstractmethod
    def now(self) -> dt.datetime:
        """The current time, timezone-aware."""
