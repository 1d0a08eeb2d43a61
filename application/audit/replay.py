"""``ektp audit replay``: a card as it stood at a moment, rebuilt from an export
alone with the live system's own evolve functions (`ektp.domain.card.state`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ektp.application.kernel.i18n import _
from ektp.application.audit.aggregates import event_class
from ektp.application.audit.facts import rebuild_event
from ektp.application.audit.lines import AuditLine
from ektp.application.errors import AuditCheckFailed
from ektp.domain.card.events import CardEvent
from ektp.domain.card.state import Card, project


def rebuild(line: AuditLine, office: str) -> Any:
    """The domain event a checked line describes; `AuditCheckFailed` if it cannot be built."""
    cls = event_class(line.aggregate, line.type)
    where = _("events.jsonl line {line_number}").format(line_number=line.number)
    if cls is None:
        raise AuditCheckFailed(where=where, reason=_(
            "this version of ektp knows no {line_aggregate} event named {event_type}").format(
                line_aggregate=line.aggregate, event_type=line.type))
    try:
        return rebuild_event(cls, stream=line.stream, version=line.version, time=line.time,
                             actor=line.actor, office=office, data=line.data)
    except Exception as error:  # noqa: BLE001 - any constructor failure means the data is unusable
        raise AuditCheckFailed(
            where=where, reason=_("its data does not make a {event_type} event ({error})").format(
                event_type=line.type, error=type(error).__name__)) from None


def card_events(
    lines: Iterable[AuditLine], card_id: str, office: str, as_of: dt.datetime | None = None
) -> list[CardEvent]:
    """The card's events in the export, rebuilt, up to the first one after `as_of`."""
    events: list[CardEvent] = []
    stopped = False
    for line in lines:  # read to the end: the totals are checked after the last line
        if stopped or line.aggregate != "card" or line.stream != card_id:
            continue
        if as_of is not None and line.time > as_of:
            stopped = True
            continue
        events.append(rebuild(line, office))
    return events


def replay_card(events: list[CardEvent]) -> Card | None:
    """The card after `events`, by the domain's own `project` (None if there are none)."""
    try:
        return project(None, events)
    except (TypeError, KeyError, AttributeError) as error:
        raise AuditCheckFailed(where=_("card {events_originator_id}").format(
            events_originator_id=events[0].originator_id),
                               reason=_("its history cannot be replayed ({error})").format(
                                   error=error)) from None
