"""What users ask of a manifest. Values arrive already validated.

Each command class names the permission its actor needs (`action`, a key of
`ektp.domain.actor.PERMISSIONS`): a class constant, not an attrs field, so it
is no constructor argument."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, TypeAlias
from uuid import UUID

import attrs

from ektp.domain.actor import Actor
from ektp.domain.manifest.vocabulary import Outcome


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ManifestCommand:
    """Who asks, when, and in which office."""

    # The permission the actor needs; each concrete command sets it.
    action: ClassVar[str]

    actor: Actor
    at: dt.datetime
    office: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class OpenManifest(ManifestCommand):
    """Open a manifest for a courier, a day and some villages (codes known to exist)."""

    action: ClassVar[str] = "open a manifest"

    manifest_id: UUID
    courier: str
    date: dt.date
    villages: tuple[str, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class AssignCard(ManifestCommand):
    """Put a card (of `village`) on the manifest."""

    action: ClassVar[str] = "assign a card to a manifest"

    card_id: UUID
    village: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RemoveCard(ManifestCommand):
    """Take a card off the manifest."""

    action: ClassVar[str] = "remove a card from a manifest"

    card_id: UUID
    reason: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class DispatchManifest(ManifestCommand):
    """The courier leaves with the sealed cards."""

    action: ClassVar[str] = "dispatch a manifest"

    seal_number: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RecordOutcome(ManifestCommand):
    """Record what happened to one card on the round."""

    action: ClassVar[str] = "record delivery results"

    card_id: UUID
    outcome: Outcome
    attempt: int | None = None
    reason: str | None = None
    recipient: str | None = None
    evidence: str | None = None
    happened_at: dt.datetime | None = None  # the courier's time, when not `at`


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class CheckIn(ManifestCommand):
    """Receive the courier back: the seal and every card not handed over."""

    action: ClassVar[str] = "check in a returned manifest"

    seal_intact: bool
    note: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class CloseManifest(ManifestCommand):
    """Settle the manifest under its signed record."""

    action: ClassVar[str] = "close a manifest"

    record_number: str


# Every concrete manifest command: `decide` matches on this closed union, so
# mypy reports a command class added here without a rule there.
AnyManifestCommand: TypeAlias = (
    OpenManifest
    | AssignCard
    | RemoveCard
    | DispatchManifest
    | RecordOutcome
    | CheckIn
    | CloseManifest
)
