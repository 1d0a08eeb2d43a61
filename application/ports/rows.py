"""The rows of the read models, as the read-models port returns them: immutable
values, one per row of a list or report (`DeliveryFact` is one row of the
delivery facts the delivery report folds)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import attrs


@attrs.frozen
class CardRow:
    """One card in a list: no full NIK or name (read models hold neither: issue 14)."""

    id: UUID
    status: str
    village: str
    kecamatan: str
    nik_masked: str
    initials: str  # the name's (``S.N.J.``)
    reason: str
    requested_at: dt.datetime
    modified_at: dt.datetime
    printed_at: dt.datetime | None
    handed_over_at: dt.datetime | None
    attempts: int
    version: int
    courier: str | None
    recipient: str | None
    manifest_id: UUID | None = None


@attrs.frozen
class CardPage:
    """One page of a card list and how many cards match in all."""

    rows: tuple[CardRow, ...]
    total: int
    offset: int = 0


@attrs.frozen
class ManifestRow:
    """One manifest in a list: who, when, where, and how its cards fared."""

    id: UUID
    status: str
    courier: str
    date: dt.date
    villages: tuple[str, ...]
    cards: int
    dispatched_count: int
    handed_over: int
    failed_attempts: int
    checked_in: int
    seal_number: str | None
    opened_at: dt.datetime
    dispatched_at: dt.datetime | None
    closed_at: dt.datetime | None
    record_number: str | None


@attrs.frozen
class ProjectionStatus:
    """How far a read model has got: `lag` events still to apply."""

    name: str
    position: int
    head: int
    version: int
    current_version: int

    @property
    def lag(self) -> int:
        """Events in the store that this read model has not applied yet."""
        return max(self.head - self.position, 0)


@attrs.frozen
class BacklogRow:
    """Open cards of one kecamatan, state and age band."""

    kecamatan: str
    status: str
    age_band: str
    cards: int
    oldest_requested_at: dt.datetime


@attrs.frozen
class DailyFigures:
    """One office-local day's counts, and the blank stock figure at the end of the day
    (blanks per state, with RECEIVED, BORROWED and GIVEN_BACK so far); `moves`: the
    day's net change of each of those figures."""

    day: dt.date
    counts: dict[str, int]
    stock: dict[str, int] = attrs.field(factory=dict)
    moves: dict[str, int] = attrs.field(factory=dict)

    def blanks(self) -> dict[str, int]:
        """The day's blank flows, from the net changes: received (and borrowed), used
        (printed on), spoiled and destroyed (borrowed blanks are not received). Only a spoiled blank enters SPOILED and only
        its destruction leaves it, so the day's spoiled blanks are SPOILED's change plus
        the blanks destroyed."""
        m = self.moves
        return {"received": m.get("RECEIVED", 0),
                "used": m.get("CONSUMED", 0),
                "spoiled": m.get("SPOILED", 0) + m.get("DESTROYED", 0),
                "destroyed": m.get("DESTROYED", 0)}


@attrs.frozen
class VillageCoverage:
    """Requests and outcomes in one village."""

    village: str
    requested: int
    handed_over: int
    open: int
    cancelled: int

    @property
    def coverage(self) -> float | None:
        """Share of the village's requests handed over (None without requests)."""
        return self.handed_over / self.requested if self.requested else None


@attrs.frozen
class DatabaseStatus:
    """What `ektp db check` reports."""

    url: str
    engine: str
    server_version: str
    event_tables: bool
    missing_read_model_tables: tuple[str, ...]
    projections: tuple[ProjectionStatus, ...]

    @property
    def current(self) -> bool:
        """True when every table exists and every read model is at its current version."""
        return (
            self.event_tables
            and not self.missing_read_model_tables
            and all(p.version == p.current_version for p in self.projections)
        )


@attrs.frozen
class DeliveryFact:
    """One delivery step of one card: what happened, when, and its particulars."""

    card: UUID
    kind: str  # dispatched, attempt-failed, handed-over or returned
    at: dt.datetime
    courier: str | None = None  # who took the card out (DISPATCHED)
    reason: str | None = None  # why an attempt failed (ATTEMPT_FAILED)
    proxy: bool = False  # handed over to a proxy, not the owner (HANDED_OVER)


@attrs.frozen
class UncollectedRow:
    """A card back at the office waiting for its owner (RETURNED or UNCOLLECTED), as a
    public notice shows it: the masked NIK and the name's initials, never more."""

    id: UUID
    village: str
    kecamatan: str
    status: str
    nik_masked: str
    initials: str
    returned_at: dt.datetime
    attempts: int
