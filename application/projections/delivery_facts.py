"""Delivery facts: one row per dispatch, failed attempt, hand-over or return of a
card, keyed by the card and its event's version; ``ektp report delivery`` folds
the facts of the cards active in its period instead of the whole event log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ektp.application.reports.delivery import fact_of
from ektp.application.projections.changes import Change, SetRow
from ektp.domain.card.events import CardEvent

TABLE = "delivery_facts"


def delivery_fact_changes(event: object, timezone: dt.tzinfo) -> Iterator[Change]:
    """The delivery_facts row `event` adds (none for events that are no delivery step)."""
    if not isinstance(event, CardEvent):
        return
    fact = fact_of(event)
    if fact is None:
        return
    yield SetRow(TABLE, (str(fact.card), event.originator_version), {
        "day": fact.at.astimezone(timezone).date(), "at": fact.at, "kind": fact.kind,
        "courier": fact.courier, "reason": fact.reason, "proxy": fact.proxy,
    }, create=True)
