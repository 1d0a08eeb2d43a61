"""The read models port: lists and reports kept up to date from the events."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from typing import Protocol

from ektp.application.ports.rows import (
    BacklogRow,
    CardRow,
    DailyFigures,
    DeliveryFact,
    ManifestRow,
    ProjectionStatus,
    VillageCoverage,
)


class ReadModels(Protocol):
    """Projected tables. Queries call `catch_up` first; writes never wait for it."""

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create the read-model tables that are missing (safe to repeat)."""

    @abstractmethod
    def missing_tables(self) -> tuple[str, ...]:
        """Read-model tables that do not exist yet."""

    @abstractmethod
    def describe(self) -> tuple[str, str, str]:
        """Where the database is (password hidden), its engine's name and server version."""

    @abstractmethod
    def catch_up(self, name: str | None = None) -> int:
        """Apply every stored event not applied yet (to one projection or all); return how many."""

    @abstractmethod
    def status(self) -> tuple[ProjectionStatus, ...]:
        """Each projection's position, the store's head and the versions."""

    @abstractmethod
    def rebuild(self, name: str | None = None) -> int:
        """Empty a projection's tables (or all) and apply every event from the first."""

    @abstractmethod
    def cards(self, status: str | None = None, village: str | None = None) -> tuple[CardRow, ...]:
        """Cards by status and village, oldest request first."""

    @abstractmethod
    def manifests(self, status: str | None = None) -> tuple[ManifestRow, ...]:
        """Manifests (of one status, or all), oldest date first."""

    @abstractmethod
    def backlog(self, now: dt.datetime) -> tuple[BacklogRow, ...]:
        """Open cards by kecamatan, state and age band, oldest first."""

    @abstractmethod
    def daily(self, day: dt.date) -> DailyFigures:
        """The counts of one office-local day."""

    @abstractmethod
    def villages(self) -> tuple[VillageCoverage, ...]:
        """Coverage per village."""

    @abstractmethod
    def delivery_facts(
        self, start: dt.date | None, end: dt.date | None
    ) -> tuple[tuple[DeliveryFact, str | None], ...]:
        """Every delivery fact (with its card's village) of the cards that have a fact
        between the office-local days `start` and `end` inclusive (all cards when both
        are None), each card's facts oldest first."""

    @abstractmethod
    def close(self) -> None:
        """Release the connections."""
