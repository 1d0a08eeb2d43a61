"""A card's history as people read it: `HistoryEntry` and the one-line summaries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import assert_never, cast

import attrs

from ektp.domain.card import events as ev
from ektp.domain.masking import mask_digits


@attrs.frozen
class HistoryEntry:
    """One event of a card's history, as a clerk or auditor reads it."""

    version: int
    time: dt.datetime
    event: str
    actor_id: str
    actor_role: str
    summary: str
    facts: Mapping[str, object]


_ENVELOPE = {"originator_id", "originator_version", "timestamp", "actor", "office"}


def summarise(event: ev.CardEvent) -> str:
    """A one-line description of `event` without personal data in full."""
    e = cast(ev.AnyCardEvent, event)
    match e:
        case ev.Requested():
            evidence = f", evidence {e.evidence}" if e.evidence else ""
            return (f"requested ({e.reason.value}, via {e.channel.value}) for NIK "
                    f"{mask_digits(e.nik)} in village {e.village}{evidence}")
        case ev.PrintReadinessConfirmed():
            return "print readiness (PRR) confirmed" + (
                f", ref {e.prr_reference}" if e.prr_reference else "")
        case ev.BlankAllocated():
            return f"blank {e.serial} allocated"
        case ev.PrintFailed():
            return f"printing failed on blank {e.serial} ({e.reason.value}); blank spoiled"
        case ev.Printed():
            return f"printed on blank {e.serial} at station {e.station}"
        case ev.AssignedToManifest():
            return f"put on manifest {e.manifest_id}"
        case ev.RemovedFromManifest():
            return f"taken off manifest {e.manifest_id}" + (f" ({e.reason})" if e.reason else "")
        case ev.Dispatched():
            manifest = f" on manifest {e.manifest_id}" if e.manifest_id else ""
            return f"dispatched with courier {e.courier}{manifest}"
        case ev.DeliveryAttemptFailed():
            return f"delivery attempt {e.attempt} failed ({e.reason.value}){_happened(e)}{_for(e)}"
        case ev.HandedOver():
            r = e.recipient
            who = "the owner" if r.nik is None else (
                f"proxy NIK {mask_digits(r.nik)} ({r.relationship.value if r.relationship else '?'})")
            old = f", old card {e.old_card_serial} surrendered" if e.old_card_serial else ""
            return (f"handed over to {who} at the {e.place.value}, verified by "
                    f"{e.verified_by.value}{old}{_happened(e)}{_for(e)}")
        case ev.Returned():
            return f"returned to the office ({e.reason})"
        case ev.Cancelled():
            return f"cancelled ({e.reason})"
        case ev.DeclaredUncollected():
            return f"declared uncollected after the {e.holding_days}-day holding period"
        case ev.Destroyed():
            return f"destroyed under record {e.record_number} ({e.reason})"
        case _:
            assert_never(e)


def _for(e: ev.DeliveryAttemptFailed | ev.HandedOver) -> str:
    """", recorded for courier X" when an officer recorded the courier's outcome."""
    if e.courier is None or e.courier == e.actor.id:
        return ""
    return f", recorded for courier {e.courier}"


def _happened(e: ev.DeliveryAttemptFailed | ev.HandedOver) -> str:
    """The courier's time, when it was given (the entry's own time is the recording)."""
    if e.happened_at is None:
        return ""
    return f", happened {e.happened_at.isoformat(' ', 'minutes')}"


def history_entry(event: ev.CardEvent) -> HistoryEntry:
    """The history line for one card event."""
    facts = {
        f.name: getattr(event, f.name)
        for f in attrs.fields(type(event))
        if f.name not in _ENVELOPE
    }
    return HistoryEntry(
        version=event.originator_version,
        time=event.timestamp,
        event=type(event).__name__,
        actor_id=event.actor.id,
        actor_role=event.actor.role.value,
        summary=summarise(event),
        facts=MappingProxyType(facts),
    )
