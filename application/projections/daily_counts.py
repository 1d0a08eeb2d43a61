"""Daily counts: how many requests, prints, spoiled blanks, dispatches, hand-overs
and returns each office-local day saw. A hand-over or failed attempt counts on the
day it happened (the courier's time), not the day it was typed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ektp.application.projections.changes import AddTo, Change
from ektp.domain.card import events as ev

TABLE = "daily_counts"
METRICS: dict[type[ev.CardEvent], str] = {
    ev.Requested: "requests",
    ev.Printed: "printed",
    ev.PrintFailed: "spoiled",
    ev.Dispatched: "dispatched",
    ev.HandedOver: "handed_over",
    ev.Returned: "returned",
    ev.Cancelled: "cancelled",
    ev.DeliveryAttemptFailed: "failed_attempts",
}


def daily_count_changes(event: object, timezone: dt.tzinfo) -> Iterator[Change]:
    """One increment of the event's metric on its local day."""
    metric = METRICS.get(type(event))  # type: ignore[arg-type]
    if metric is not None:
        assert isinstance(event, ev.CardEvent)
        moment = getattr(event, "occurred_at", event.timestamp)
        day = moment.astimezone(timezone).date()
        yield AddTo(TABLE, (day, metric), "count")
