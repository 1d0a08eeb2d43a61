"""The manifest's state, and `evolve`: how each event changes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, assert_never, cast
from uuid import UUID

import attrs

from ektp.domain.errors import ManifestNotFound

from ektp.domain.manifest import events as ev
from ektp.domain.manifest.vocabulary import FINAL_OUTCOMES, ManifestStatus, Outcome


@attrs.frozen
class Report:
    """One outcome the courier reported for a card."""

    outcome: Outcome
    reason: str | None
    recipient: str | None
    evidence: str | None
    happened_at: dt.datetime | None = None  # the courier's time, when one was given


@attrs.frozen
class Entry:
    """One card on the manifest and what has been reported for it."""

    card_id: UUID
    village: str
    reports: tuple[Report, ...] = ()
    returned: bool = False  # checked back in at the office

    @property
    def final(self) -> Outcome | None:
        """HANDED_OVER or RETURNED once the courier reported either; None before."""
        last = self.reports[-1].outcome if self.reports else None
        return last if last in FINAL_OUTCOMES else None

    @property
    def handed_over(self) -> bool:
        """Whether the card reached its owner or a proxy on this manifest."""
        return self.final is Outcome.HANDED_OVER

    @property
    def settled(self) -> bool:
        """Handed over, or returned to the office."""
        return self.handed_over or self.returned


@attrs.frozen(slots=False)
class Manifest:
    """Everything decide needs to know about one manifest, as of `version`."""

    id: UUID
    version: int
    status: ManifestStatus
    courier: str
    date: dt.date
    villages: tuple[str, ...]
    opened_at: dt.datetime
    opened_by: str
    entries: Mapping[UUID, Entry] = attrs.field(factory=dict)
    seal_number: str | None = None
    dispatched_at: dt.datetime | None = None
    dispatched_by: str | None = None
    dispatched_count: int = 0
    seal_intact: bool | None = None
    returned_at: dt.datetime | None = None
    returned_by: str | None = None
    record_number: str | None = None
    closed_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        """True until the manifest is closed."""
        return self.status is not ManifestStatus.CLOSED

    @property
    def outstanding(self) -> tuple[Entry, ...]:
        """Dispatched cards neither handed over nor returned yet."""
        if self.status is ManifestStatus.OPEN:
            return ()
        return tuple(e for e in self.entries.values() if not e.settled)


def _next(manifest: Manifest | None, event: ev.ManifestEvent, **changes: Any) -> Manifest:
    if manifest is None:
        raise TypeError(f"{type(event).__name__} cannot start a manifest's history")
    return attrs.evolve(manifest, version=event.originator_version, **changes)


def _with_entry(manifest: Manifest | None, entry: Entry) -> dict[UUID, Entry]:
    assert manifest is not None
    return {**manifest.entries, entry.card_id: entry}


def _opened(event: ev.Opened, manifest: Manifest | None) -> Manifest:
    return Manifest(
        id=event.originator_id,
        version=event.originator_version,
        status=ManifestStatus.OPEN,
        courier=event.courier,
        date=event.date,
        villages=event.villages,
        opened_at=event.timestamp,
        opened_by=event.actor.id,
    )


def _card_assigned(event: ev.CardAssigned, manifest: Manifest | None) -> Manifest:
    entry = Entry(event.card_id, event.village)
    return _next(manifest, event, entries=_with_entry(manifest, entry))


def _card_removed(event: ev.CardRemoved, manifest: Manifest | None) -> Manifest:
    assert manifest is not None
    entries = {k: v for k, v in manifest.entries.items() if k != event.card_id}
    return _next(manifest, event, entries=entries)


def _dispatched(event: ev.Dispatched, manifest: Manifest | None) -> Manifest:
    return _next(
        manifest, event, status=ManifestStatus.DISPATCHED, seal_number=event.seal_number,
        dispatched_at=event.timestamp, dispatched_by=event.actor.id,
        dispatched_count=event.card_count,
    )


def _attempt_recorded(event: ev.AttemptRecorded, manifest: Manifest | None) -> Manifest:
    assert manifest is not None
    entry = manifest.entries[event.card_id]
    report = Report(event.outcome, event.reason, event.recipient, event.evidence,
                    event.happened_at)
    changed = attrs.evolve(entry, reports=(*entry.reports, report))
    return _next(manifest, event, entries=_with_entry(manifest, changed))


def _returned(event: ev.Returned, manifest: Manifest | None) -> Manifest:
    assert manifest is not None
    back = set(event.returned_cards)
    entries = {
        k: attrs.evolve(v, returned=True) if k in back else v for k, v in manifest.entries.items()
    }
    return _next(
        manifest, event, status=ManifestStatus.RETURNED, entries=entries,
        seal_intact=event.seal_intact, returned_at=event.timestamp, returned_by=event.actor.id,
    )


def _closed(event: ev.Closed, manifest: Manifest | None) -> Manifest:
    return _next(
        manifest, event, status=ManifestStatus.CLOSED, record_number=event.record_number,
        closed_at=event.timestamp,
    )


def _apply(e: ev.AnyManifestEvent, manifest: Manifest | None) -> Manifest | None:
    """The manifest after `e`, or None if `e` is not a manifest event at all."""
    match e:
        case ev.Opened():
            return _opened(e, manifest)
        case ev.CardAssigned():
            return _card_assigned(e, manifest)
        case ev.CardRemoved():
            return _card_removed(e, manifest)
        case ev.Dispatched():
            return _dispatched(e, manifest)
        case ev.AttemptRecorded():
            return _attempt_recorded(e, manifest)
        case ev.Returned():
            return _returned(e, manifest)
        case ev.Closed():
            return _closed(e, manifest)
        case _:
            # assert_never is for mypy (it reports an event class of the union
            # without a case above); at run time this is another aggregate's
            # event, which evolve and project refuse each in its own way.
            if TYPE_CHECKING:
                assert_never(e)
            return None


# The store hands over events typed by the base class; `_apply` matches over the
# closed union (hence the casts), so that mypy checks every event has a rule.
def evolve(manifest: Manifest | None, event: ev.ManifestEvent) -> Manifest:
    """The manifest after `event` (None before its first event)."""
    after = _apply(cast("ev.AnyManifestEvent", event), manifest)
    if after is None:  # not a manifest event: a KeyError, as the type lookup gave one
        raise KeyError(type(event))
    return after


def project(manifest: Manifest | None, events: Iterable[ev.ManifestEvent]) -> Manifest | None:
    """Fold `events` over `manifest`: the projector the event store's repository calls."""
    for event in events:
        after = _apply(cast("ev.AnyManifestEvent", event), manifest)
        if after is None:  # the id names another aggregate's stream (a card, say)
            raise ManifestNotFound(ref=f"manifest {event.originator_id}")
        manifest = after
    return manifest
