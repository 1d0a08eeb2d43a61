"""Manifests and their cards: one row per manifest (status, courier, counts) and
one per card put on it (its latest outcome)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ektp.application.projections.changes import AddTo, Change, SetRow
from ektp.domain.manifest import events as ev
from ektp.domain.manifest.vocabulary import Outcome

MANIFESTS = "manifests"
CARDS = "manifest_cards"


def manifest_changes(event: object, timezone: dt.tzinfo) -> Iterator[Change]:
    """The manifests/manifest_cards changes `event` makes (none for other events)."""
    if not isinstance(event, ev.ManifestEvent):
        return
    key = (str(event.originator_id),)
    stamp = {"version": event.originator_version, "modified_at": event.timestamp}
    if isinstance(event, ev.Opened):
        yield SetRow(MANIFESTS, key, {
            **stamp, "status": "OPEN", "courier": event.courier, "date": event.date,
            "villages": ",".join(event.villages), "opened_by": event.actor.id,
            "opened_at": event.timestamp, "cards": 0, "handed_over": 0, "checked_in": 0,
            "failed_attempts": 0, "dispatched_count": 0,
        }, create=True)
        return
    yield SetRow(MANIFESTS, key, stamp)
    if isinstance(event, ev.CardAssigned):
        yield SetRow(CARDS, (*key, str(event.card_id)),
                     {"village": event.village, "outcome": "waiting", "attempts": 0}, create=True)
        yield AddTo(MANIFESTS, key, "cards", 1)
    elif isinstance(event, ev.CardRemoved):
        yield SetRow(CARDS, (*key, str(event.card_id)), {"outcome": "removed"})
        yield AddTo(MANIFESTS, key, "cards", -1)
    elif isinstance(event, ev.Dispatched):
        yield SetRow(MANIFESTS, key, {
            "status": "DISPATCHED", "seal_number": event.seal_number, "dispatched_by": event.actor.id,
            "dispatched_at": event.timestamp, "dispatched_count": event.card_count})
    elif isinstance(event, ev.AttemptRecorded):
        yield SetRow(CARDS, (*key, str(event.card_id)), {"outcome": event.outcome.value})
        if event.outcome is Outcome.HANDED_OVER:
            yield AddTo(MANIFESTS, key, "handed_over", 1)
        elif event.outcome is Outcome.ATTEMPT_FAILED:
            yield AddTo(CARDS, (*key, str(event.card_id)), "attempts", 1)
            yield AddTo(MANIFESTS, key, "failed_attempts", 1)
    elif isinstance(event, ev.Returned):
        yield SetRow(MANIFESTS, key, {
            "status": "RETURNED", "seal_intact": event.seal_intact, "returned_by": event.actor.id,
            "returned_at": event.timestamp})
        for card_id in event.returned_cards:
            yield SetRow(CARDS, (*key, str(card_id)), {"outcome": "checked-in"})
        if event.returned_cards:
            yield AddTo(MANIFESTS, key, "checked_in", len(event.returned_cards))
    elif isinstance(event, ev.Closed):
        yield SetRow(MANIFESTS, key, {"status": "CLOSED", "record_number": event.record_number,
                                      "closed_at": event.timestamp})
