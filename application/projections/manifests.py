"""Manifests and their cards: one row per manifest (status, courier, counts) and
one per card put on it (its latest outcome)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import assert_never, cast

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
    e = cast(ev.AnyManifestEvent, event)
    match e:
        case ev.Opened():
            yield SetRow(MANIFESTS, key, {
                **stamp, "status": "OPEN", "courier": e.courier, "date": e.date,
                "villages": ",".join(e.villages), "opened_by": e.actor.id,
                "opened_at": e.timestamp, "cards": 0, "handed_over": 0, "checked_in": 0,
                "failed_attempts": 0, "dispatched_count": 0,
            }, create=True)
            return
        case ev.CardAssigned():
            yield SetRow(MANIFESTS, key, stamp)
            yield SetRow(CARDS, (*key, str(e.card_id)),
                         {"village": e.village, "outcome": "waiting", "attempts": 0}, create=True)
            yield AddTo(MANIFESTS, key, "cards", 1)
        case ev.CardRemoved():
            yield SetRow(MANIFESTS, key, stamp)
            yield SetRow(CARDS, (*key, str(e.card_id)), {"outcome": "removed"})
            yield AddTo(MANIFESTS, key, "cards", -1)
        case ev.Dispatched():
            yield SetRow(MANIFESTS, key, {
                **stamp, "status": "DISPATCHED", "seal_number": e.seal_number, "dispatched_by": e.actor.id,
                "dispatched_at": e.timestamp, "dispatched_count": e.card_count})
        case ev.AttemptRecorded():
            yield SetRow(MANIFESTS, key, stamp)
            yield SetRow(CARDS, (*key, str(e.card_id)), {"outcome": e.outcome.value})
            if e.outcome is Outcome.HANDED_OVER:
                yield AddTo(MANIFESTS, key, "handed_over", 1)
            elif e.outcome is Outcome.ATTEMPT_FAILED:
                yield AddTo(CARDS, (*key, str(e.card_id)), "attempts", 1)
                yield AddTo(MANIFESTS, key, "failed_attempts", 1)
        case ev.Returned():
            yield SetRow(MANIFESTS, key, {
                **stamp, "status": "RETURNED", "seal_intact": e.seal_intact, "returned_by": e.actor.id,
                "returned_at": e.timestamp})
            for card_id in e.returned_cards:
                yield SetRow(CARDS, (*key, str(card_id)), {"outcome": "checked-in"})
            if e.returned_cards:
                yield AddTo(MANIFESTS, key, "checked_in", len(e.returned_cards))
        case ev.Closed():
            yield SetRow(MANIFESTS, key, {**stamp, "status": "CLOSED",
                                          "record_number": e.record_number, "closed_at": e.timestamp})
        case _:
            assert_never(e)
