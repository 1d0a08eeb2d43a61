"""What users ask of a manifest. Values arrive already validated."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import attrs

from ektp.domain.actor import Actor
from ektp.domain.manifest.vocabulary import Outcome


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ManifestCommand:
    """Who asks, when, and in which office."""

    actor: Actor
    at: dt.datetime
    office: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class OpenManifest(ManifestCommand):
    """Open a manifest for a courier, a day and some villages (codes known to exist)."""

    manifest_id: UUID
    courier: str
    date: dt.date
    villages: tuple[str, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class AssignCard(ManifestCommand):
    """Put a card (of `village`) on the manifest."""

    card_id: UUID
    village: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RemoveCard(ManifestCommand):
    """Take a card off the manifest."""

    card_id: UUID
    reason: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class DispatchManifest(ManifestCommand):
    """The courier leaves with the sealed cards."""

    seal_number: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RecordOutcome(ManifestCommand):
    """Record what happened to one card on the round."""

    card_id: UUID
    outcome: Outcome
    attempt: int | None = None
    reason: str | None = None
    recipient: str | None = None
    evidence: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class CheckIn(ManifestCommand):
    """Receive the courier back: the seal and every card not handed over."""

    seal_intact: bool
    note: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class CloseManifest(ManifestCommand):
    """Settle the manifest under its signed record."""

    record_number: str
