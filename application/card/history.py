"""A card's history as people read it: `HistoryEntry` and the one-line summaries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import assert_never, cast

import attrs

from ektp.application.kernel.code_words import code_word
from ektp.application.kernel.i18n import _
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
            evidence = _(", evidence {evidence}").format(evidence=e.evidence) if e.evidence else ""
            return _("requested ({reason}, via {channel}) for NIK {nik} in village "
                     "{village}{evidence}").format(reason=code_word(e.reason), channel=code_word(e.channel),
                                                   nik=mask_digits(e.nik), village=e.village,
                                                   evidence=evidence)
        case ev.PrintReadinessConfirmed():
            return _("print readiness (PRR) confirmed") + (
                _(", ref {prr_reference}").format(prr_reference=e.prr_reference) if e.prr_reference else "")
        case ev.BlankAllocated():
            return _("blank {serial} allocated").format(serial=e.serial)
        case ev.PrintFailed():
            return _("printing failed on blank {serial} ({reason}); blank spoiled").format(
                serial=e.serial, reason=code_word(e.reason))
        case ev.Printed():
            return _("printed on blank {serial} at station {station}").format(serial=e.serial, station=e.station)
        case ev.AssignedToManifest():
            return _("put on manifest {manifest_id}").format(manifest_id=e.manifest_id)
        case ev.RemovedFromManifest():
            return _("taken off manifest {manifest_id}").format(manifest_id=e.manifest_id) + (f" ({e.reason})" if e.reason else "")
        case ev.Dispatched():
            manifest = _(" on manifest {manifest_id}").format(manifest_id=e.manifest_id) if e.manifest_id else ""
            return _("dispatched with courier {courier}{manifest}").format(courier=e.courier, manifest=manifest)
        case ev.DeliveryAttemptFailed():
            return _("delivery attempt {attempt} failed ({reason}){happened}{recorded_for}").format(
                attempt=e.attempt, reason=code_word(e.reason), happened=_happened(e), recorded_for=_for(e))
        case ev.HandedOver():
            r = e.recipient
            who = _("the owner") if r.nik is None else (
                _("proxy NIK {nik} ({relationship})").format(
                    nik=mask_digits(r.nik),
                    relationship=code_word(r.relationship) if r.relationship else "?"))
            old = _(", old card {old_card_serial} surrendered").format(old_card_serial=e.old_card_serial) if e.old_card_serial else ""
            return (_("handed over to {who} at the {place}, verified by {verified_by}{old}{happened}"
                      "{recorded_for}").format(who=who, place=code_word(e.place),
                                               verified_by=code_word(e.verified_by), old=old,
                                               happened=_happened(e), recorded_for=_for(e)))
        case ev.Returned():
            return _("returned to the office ({reason})").format(reason=e.reason)
        case ev.Cancelled():
            return _("cancelled ({reason})").format(reason=e.reason)
        case ev.DeclaredUncollected():
            return _("declared uncollected after the {holding_days}-day holding period").format(holding_days=e.holding_days)
        case ev.Destroyed():
            return _("destroyed under record {record_number} ({reason})").format(record_number=e.record_number, reason=e.reason)
        case _:
            assert_never(e)


def _for(e: ev.DeliveryAttemptFailed | ev.HandedOver) -> str:
    """", recorded for courier X" when an officer recorded the courier's outcome."""
    if e.courier is None or e.courier == e.actor.id:
        return ""
    return _(", recorded for courier {courier}").format(courier=e.courier)


def _happened(e: ev.DeliveryAttemptFailed | ev.HandedOver) -> str:
    """The courier's time, when it was given (the entry's own time is the recording)."""
    if e.happened_at is None:
        return ""
    return _(", happened {at}").format(at=e.happened_at.isoformat(" ", "minutes"))


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
