"""The read models port: lists and reports kept up to date from the events."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from ektp.application.ports.rows import (
    BacklogRow,
    CardPage,
    CardRow,
    DailyFigures,
    DeliveryFact,
    ManifestRow,
    ProjectionStatus,
    UncollectedRow,
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
    def card_page(self, *, status: str | None = None, village: str | None = None,
                  kecamatan: str | None = None, ids: Sequence[UUID] | None = None,
                  limit: int | None = None, offset: int = 0,
                  name_tokens: Sequence[str] = ()) -> CardPage:
        """Cards matching every filter given (`ids`: only these cards; `name_tokens`:
        blind indexes of name tokens the name must all have), oldest request first,
        from `offset`, at most `limit` of them, with the number that match."""

    @abstractmethod
    def ids_with_prefix(self, kind: str, prefix: str, limit: int) -> tuple[UUID, ...]:
        """Up to `limit` ids of the cards (`kind` ``card``) or manifests (``manifest``)
        whose text form starts with `prefix` (lower case, hyphens where the id has them)."""

    def closed_cards_before(self, cutoff: dt.datetime) -> tuple[UUID, ...]:
        """The cards closed before `cutoff` whose personal data is not erased yet (those
        that still have a NIK index), oldest closing first (the retention policy)."""
        raise NotImplementedError

    def collected_by(self, proxy_index: str) -> tuple[UUID, ...]:
        """The cards handed over to the proxy whose NIK has the blind index `proxy_index`
        (`Pseudonyms.index` of kind NIK), and whose proxy is not erased yet."""
        raise NotImplementedError

    def collections_before(self, cutoff: dt.datetime) -> tuple[UUID, ...]:
        """The cards handed over to a proxy before `cutoff` whose proxy is not erased yet,
        oldest hand-over first (the retention policy)."""
        raise NotImplementedError

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
    def daily_span(self, first: dt.date, last: dt.date) -> tuple[DailyFigures, ...]:
        """One `DailyFigures` per office-local day from `first` to `last` inclusive,
        days without events included."""

    @abstractmethod
    def uncollected(self, kecamatan: str | None = None) -> tuple[UncollectedRow, ...]:
        """The cards back at the office (RETURNED or UNCOLLECTED), of one kecamatan or
        all, by village and then oldest return first."""

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
