"""`decide`: the manifest's rules. Given the state and a command, the new events or
a named refusal. Pure: no clock, no I/O.

The card's own rules (status, attempt cap, one manifest at a time) are decided
by the card aggregate in the same use case; this module decides what only the
manifest knows: its villages, its cards, its courier, and where it is in its day.
"""

from __future__ import annotations

from typing import Any, TypeVar, assert_never, cast
from uuid import UUID

from ektp.domain.messages import N_
from ektp.domain.actor import Role, require_permission
from ektp.domain.errors import (
    CardNotOnManifest,
    CourierChecksInOwnReturn,
    EmptyManifest,
    ManifestActionNotAllowed,
    ManifestNotSettled,
    NotTheCouriersManifest,
    OutcomeAlreadyFinal,
    VillageNotOnManifest,
)
from ektp.domain.event import check_happened_at, next_event
from ektp.domain.manifest import commands as cmd
from ektp.domain.manifest import events as ev
from ektp.domain.manifest.state import Entry, Manifest
from ektp.domain.manifest.vocabulary import ManifestStatus

E = TypeVar("E", bound=ev.ManifestEvent)


def decide(manifest: Manifest | None, command: cmd.ManifestCommand) -> list[ev.ManifestEvent]:
    """The events `command` produces on `manifest`, or raise the named refusal."""
    # Callers hold commands typed by the base class; the match is over the closed
    # union, so that mypy reports (at assert_never) a command class without a case.
    c = cast("cmd.AnyManifestCommand", command)
    require_permission(c.actor, c.action)  # before anything else: roles come first
    match c:
        case cmd.OpenManifest():
            return _open(manifest, c)
        case _ if manifest is None:
            raise TypeError("only OpenManifest may start a manifest")
        case cmd.AssignCard():
            return _assign(manifest, c)
        case cmd.RemoveCard():
            return _remove(manifest, c)
        case cmd.DispatchManifest():
            return _dispatch(manifest, c)
        case cmd.RecordOutcome():
            return _record(manifest, c)
        case cmd.CheckIn():
            return _check_in(manifest, c)
        case cmd.CloseManifest():
            return _close(manifest, c)
        case _:
            assert_never(c)


def _new(event_type: type[E], manifest: Manifest, c: cmd.ManifestCommand, **facts: Any) -> E:
    return next_event(event_type, manifest.id, manifest.version, c, **facts)


def _require_status(manifest: Manifest, action: str, *allowed: ManifestStatus) -> None:
    if manifest.status not in allowed:
        raise ManifestActionNotAllowed(
            action=action, manifest_id=manifest.id, status=manifest.status.value
        )


def _entry(manifest: Manifest, card_id: UUID) -> Entry:
    entry = manifest.entries.get(card_id)
    if entry is None:
        raise CardNotOnManifest(card_id=card_id, manifest_id=manifest.id)
    return entry


def _open(manifest: Manifest | None, c: cmd.OpenManifest) -> list[ev.ManifestEvent]:
    if manifest is not None:
        raise ManifestActionNotAllowed(
            action="open a manifest", manifest_id=manifest.id, status=manifest.status.value
        )
    if not c.villages:
        raise TypeError("a manifest needs at least one village")
    return [
        ev.Opened(
            originator_id=c.manifest_id, originator_version=1, timestamp=c.at, actor=c.actor,
            office=c.office, courier=c.courier, date=c.date,
            villages=tuple(sorted(set(c.villages))),
        )
    ]


def _assign(manifest: Manifest | None, c: cmd.AssignCard) -> list[ev.ManifestEvent]:
    assert manifest is not None
    _require_status(manifest, "assign a card", ManifestStatus.OPEN)
    if c.village not in manifest.villages:
        raise VillageNotOnManifest(
            card_id=c.card_id, village=c.village, manifest_id=manifest.id,
            villages=", ".join(manifest.villages),
        )
    return [_new(ev.CardAssigned, manifest, c, card_id=c.card_id, village=c.village)]


def _remove(manifest: Manifest | None, c: cmd.RemoveCard) -> list[ev.ManifestEvent]:
    assert manifest is not None
    _require_status(manifest, "remove a card", ManifestStatus.OPEN)
    _entry(manifest, c.card_id)
    return [_new(ev.CardRemoved, manifest, c, card_id=c.card_id, reason=c.reason)]


def _dispatch(manifest: Manifest | None, c: cmd.DispatchManifest) -> list[ev.ManifestEvent]:
    assert manifest is not None
    _require_status(manifest, "dispatch the manifest", ManifestStatus.OPEN)
    if not manifest.entries:
        raise EmptyManifest(manifest_id=manifest.id)
    return [
        _new(ev.Dispatched, manifest, c, card_count=len(manifest.entries),
             seal_number=c.seal_number)
    ]


def _record(manifest: Manifest | None, c: cmd.RecordOutcome) -> list[ev.ManifestEvent]:
    assert manifest is not None
    if c.actor.role is Role.COURIER and c.actor.id.casefold() != manifest.courier.casefold():
        raise NotTheCouriersManifest(manifest_id=manifest.id, courier=manifest.courier)
    _require_status(manifest, "record delivery results", ManifestStatus.DISPATCHED)
    entry = _entry(manifest, c.card_id)
    if entry.final is not None:
        raise OutcomeAlreadyFinal(
            card_id=c.card_id, outcome=entry.final.value, manifest_id=manifest.id
        )
    check_happened_at(c.happened_at, c.at, manifest.dispatched_at,
                      N_("manifest {manifest} was dispatched", manifest=manifest.id))
    return [
        _new(ev.AttemptRecorded, manifest, c, card_id=c.card_id, outcome=c.outcome,
             attempt=c.attempt, reason=c.reason, recipient=c.recipient, evidence=c.evidence,
             courier=manifest.courier, happened_at=c.happened_at)
    ]


def _check_in(manifest: Manifest | None, c: cmd.CheckIn) -> list[ev.ManifestEvent]:
    assert manifest is not None
    _require_status(manifest, "check the manifest in", ManifestStatus.DISPATCHED)
    if c.actor.id.casefold() == manifest.courier.casefold():
        raise CourierChecksInOwnReturn(actor=c.actor.id, manifest_id=manifest.id)
    back = tuple(e.card_id for e in manifest.entries.values() if not e.handed_over)
    return [
        _new(ev.Returned, manifest, c, seal_intact=c.seal_intact, returned_cards=back,
             note=c.note)
    ]


def _close(manifest: Manifest | None, c: cmd.CloseManifest) -> list[ev.ManifestEvent]:
    assert manifest is not None
    _require_status(manifest, "close the manifest", ManifestStatus.OPEN,
                    ManifestStatus.DISPATCHED, ManifestStatus.RETURNED)
    if manifest.status is ManifestStatus.OPEN and manifest.entries:
        raise ManifestActionNotAllowed(
            action="close a manifest that still has cards (remove them, or dispatch it)",
            manifest_id=manifest.id, status=manifest.status.value,
        )
    if manifest.outstanding:
        raise ManifestNotSettled(
            manifest_id=manifest.id, outstanding=len(manifest.outstanding),
            dispatched=manifest.dispatched_count,
        )
    return [_new(ev.Closed, manifest, c, record_number=c.record_number)]
