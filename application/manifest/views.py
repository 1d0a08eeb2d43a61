"""Immutable views of manifests returned by queries and use cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from uuid import UUID

import attrs

from ektp.domain.card.state import Card
from ektp.domain.card.vocabulary import SURRENDER_REASONS
from ektp.domain.manifest.state import Entry, Manifest
from ektp.domain.masking import initials, mask_digits


@attrs.frozen
class ManifestCardView:
    """One card on a manifest: its village and what the courier reported."""

    card_id: UUID
    village: str
    reports: tuple[str, ...]  # outcomes in order: attempt-failed, handed-over, returned
    outcome: str  # waiting, out, attempt-failed, handed-over, returned (coming back), checked-in
    # Who it is for, masked (``3517********0001``, ``A.F.``): filled in where a person reads
    # the manifest (`ManifestDesk.manifest(..., people=True)`), else None.
    nik_masked: str | None = None
    initials: str | None = None

    @classmethod
    def of(cls, entry: Entry, dispatched: bool, person: Card | None = None) -> ManifestCardView:
        """The view of a manifest entry (with `person`, the card it names)."""
        reports = tuple(r.outcome.value for r in entry.reports)
        if entry.returned:
            outcome = "checked-in"
        elif reports:
            outcome = reports[-1]
        else:
            outcome = "out" if dispatched else "waiting"
        if person is None:
            return cls(entry.card_id, entry.village, reports, outcome)
        return cls(entry.card_id, entry.village, reports, outcome, mask_digits(person.nik),
                   initials(person.name))


@attrs.frozen
class ManifestView:
    """A manifest as it stands now."""

    id: UUID
    status: str
    version: int
    courier: str
    date: dt.date
    villages: tuple[str, ...]
    cards: tuple[ManifestCardView, ...]
    opened_by: str
    opened_at: dt.datetime
    seal_number: str | None
    dispatched_by: str | None
    dispatched_at: dt.datetime | None
    dispatched_count: int
    seal_intact: bool | None
    returned_by: str | None
    returned_at: dt.datetime | None
    record_number: str | None
    closed_at: dt.datetime | None

    @property
    def handed_over(self) -> int:
        """Cards handed over on this manifest."""
        return sum(1 for c in self.cards if c.outcome == "handed-over")

    @property
    def checked_in(self) -> int:
        """Cards returned to the office at the check-in."""
        return sum(1 for c in self.cards if c.outcome == "checked-in")

    @classmethod
    def of(cls, m: Manifest, people: Mapping[UUID, Card] | None = None) -> ManifestView:
        """The view of a manifest state (with `people`, its cards by id: masked NIK and
        initials beside each)."""
        dispatched = m.dispatched_at is not None
        found = people or {}
        return cls(
            id=m.id, status=m.status.value, version=m.version, courier=m.courier, date=m.date,
            villages=m.villages,
            cards=tuple(ManifestCardView.of(e, dispatched, found.get(e.card_id))
                        for e in m.entries.values()),
            opened_by=m.opened_by, opened_at=m.opened_at, seal_number=m.seal_number,
            dispatched_by=m.dispatched_by, dispatched_at=m.dispatched_at,
            dispatched_count=m.dispatched_count, seal_intact=m.seal_intact,
            returned_by=m.returned_by, returned_at=m.returned_at,
            record_number=m.record_number, closed_at=m.closed_at,
        )


@attrs.frozen
class SheetRow:
    """One line of the courier's sheet. `nik` is masked; `name` is personal data."""

    number: int
    card_id: UUID
    kecamatan: str
    kecamatan_name: str
    village: str
    village_name: str
    rt: str | None
    rw: str | None
    nik: str
    name: str
    # Why the card was requested (``new``, ``lost``, ``damaged``, ``data-change``): a
    # damaged or data-change card is handed over only for the old card, whose serial the
    # courier writes on the sheet.
    request_reason: str = "new"
    dusun: str | None = None  # the hamlet, when the request gave it
    # The resident's phone number in full (the courier calls ahead), when known: the
    # sheet is an access to personal data, recorded with its purpose before it is made.
    phone: str | None = None

    @property
    def short_code(self) -> str:
        """The card's short code (the first 8 hex digits of its id), as on its receipt."""
        return self.card_id.hex[:8]

    @property
    def surrenders_old_card(self) -> bool:
        """Whether the hand-over needs the resident's old card (its serial on the sheet)."""
        return self.request_reason in {r.value for r in SURRENDER_REASONS}

    @property
    def address(self) -> str:
        """``Ngudirejo Dusun Krajan RT 004 RW 002``."""
        parts = [self.village_name]
        parts += [f"Dusun {self.dusun}"] if self.dusun else []
        parts += [f"RT {self.rt}"] if self.rt else []
        parts += [f"RW {self.rw}"] if self.rw else []
        return " ".join(parts)


@attrs.frozen
class Sheet:
    """The sheet a courier carries: the manifest and its cards in walking order."""

    manifest: ManifestView
    village_labels: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    office_name: str


@attrs.frozen
class ResultsRecorded:
    """What recording a courier's results file did."""

    manifest: ManifestView
    recorded: int
    already_recorded: int
    without_outcome: int
    skipped: tuple[str, ...]  # bad rows left out with --partial: ``line N: reason``
