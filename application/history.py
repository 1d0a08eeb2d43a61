"""A card's history as people read it: `HistoryEntry` and the one-line summaries.

Only queries import this module, so write commands do not pay for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import singledispatch
from types import MappingProxyType

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


@singledispatch
def summarise(event: ev.CardEvent) -> str:
    """A one-line description of `event` without personal data in full."""
    return type(event).__name__


@summarise.register
def _(e: ev.Requested) -> str:
    evidence = f", evidence {e.evidence}" if e.evidence else ""
    return (
        f"requested ({e.reason.value}, via {e.channel.value}) for NIK {mask_digits(e.nik)} "
        f"in village {e.village}{evidence}"
    )


@summarise.register
def _(e: ev.PrintReadinessConfirmed) -> str:
    return "print readiness (PRR) confirmed" + (f", ref {e.prr_reference}" if e.prr_reference else "")


@summarise.register
def _(e: ev.BlankAllocated) -> str:
    return f"blank {e.serial} allocated"


@summarise.register
def _(e: ev.PrintFailed) -> str:
    return f"printing failed on blank {e.serial} ({e.reason.value}); blank spoiled"


@summarise.register
def _(e: ev.Printed) -> str:
    return f"printed on blank {e.serial} at station {e.station}"


@summarise.register
def _(e: ev.AssignedToManifest) -> str:
    return f"put on manifest {e.manifest_id}"


@summarise.register
def _(e: ev.RemovedFromManifest) -> str:
    return f"taken off manifest {e.manifest_id}" + (f" ({e.reason})" if e.reason else "")


@summarise.register
def _(e: ev.Dispatched) -> str:
    manifest = f" on manifest {e.manifest_id}" if e.manifest_id else ""
    return f"dispatched with courier {e.courier}{manifest}"


@summarise.register
def _(e: ev.DeliveryAttemptFailed) -> str:
    return f"delivery attempt {e.attempt} failed ({e.reason.value})"


@summarise.register
def _(e: ev.HandedOver) -> str:
    r = e.recipient
    who = "the owner" if r.nik is None else (
        f"proxy NIK {mask_digits(r.nik)} ({r.relationship.value if r.relationship else '?'})"
    )
    old = f", old card {e.old_card_serial} surrendered" if e.old_card_serial else ""
    return f"handed over to {who} at the {e.place.value}, verified by {e.verified_by.value}{old}"


@summarise.register
def _(e: ev.Returned) -> str:
    return f"returned to the office ({e.reason})"


@summarise.register
def _(e: ev.Cancelled) -> str:
    return f"cancelled ({e.reason})"


@summarise.register
def _(e: ev.DeclaredUncollected) -> str:
    return f"declared uncollected after the {e.holding_days}-day holding period"


@summarise.register
def _(e: ev.Destroyed) -> str:
    return f"destroyed under record {e.record_number} ({e.reason})"


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
