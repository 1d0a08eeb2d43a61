"""The delivery report, folded from delivery facts by a pure function.

Per village, per kecamatan, per courier and in total: cards dispatched, handed
over (to the owner, to a proxy), failed attempts by reason, returned, and the
first-attempt success rate. A fact is one dispatch, failed attempt, hand-over or
return of a card: the office reads them from the `delivery_facts` read model;
`fold_delivery` takes them straight from card events (the reference the read
model is tested against, and what an offline tool can use).

Each count falls on the day of its own event (office time): for a failed attempt
or a hand-over, the day it happened (the courier's time, `occurred_at`), not the
day a clerk typed it in. A *round* is one
dispatch of one card; it succeeds at the first attempt when its first outcome
is a hand-over. The rate is such rounds divided by the rounds dispatched in the
period that have an outcome yet (a round still out counts in neither).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from uuid import UUID

import attrs

from ektp.application.ports.rows import DeliveryFact
from ektp.domain.card import events as ev
from ektp.domain.card.vocabulary import RecipientKind

AT_THE_OFFICE = "(at the office)"
DISPATCHED, ATTEMPT_FAILED, HANDED_OVER, RETURNED = (
    "dispatched", "attempt-failed", "handed-over", "returned")


def fact_of(event: object) -> DeliveryFact | None:
    """The delivery fact a card event records, or None for any other event."""
    match event:
        case ev.Dispatched():
            return DeliveryFact(event.originator_id, DISPATCHED, event.timestamp, courier=event.courier)
        case ev.DeliveryAttemptFailed():
            return DeliveryFact(event.originator_id, ATTEMPT_FAILED, event.occurred_at,
                                reason=event.reason.value)
        case ev.HandedOver():
            return DeliveryFact(event.originator_id, HANDED_OVER, event.occurred_at,
                                proxy=event.recipient.kind is RecipientKind.PROXY)
        case ev.Returned():
            return DeliveryFact(event.originator_id, RETURNED, event.timestamp)
        case _:
            return None


@attrs.define
class Tally:
    """The counts of one village, kecamatan, courier or the whole office."""

    dispatched: int = 0
    handed_over_owner: int = 0
    handed_over_proxy: int = 0
    failed: Counter[str] = attrs.field(factory=Counter)
    returned: int = 0
    rounds_with_outcome: int = 0
    first_attempt_successes: int = 0

    @property
    def failed_attempts(self) -> int:
        """Failed attempts of every reason."""
        return sum(self.failed.values())

    @property
    def first_attempt_rate(self) -> float | None:
        """Rounds handed over at the first attempt / rounds with an outcome (None if none)."""
        if not self.rounds_with_outcome:
            return None
        return self.first_attempt_successes / self.rounds_with_outcome


@attrs.define
class _Round:
    courier: str
    counted: bool  # dispatched within the period
    decided: bool = False


@attrs.define
class DeliveryFold:
    """Folds card events, oldest first, into per-village, -kecamatan and -courier tallies."""

    start: dt.date | None = None
    end: dt.date | None = None
    timezone: dt.tzinfo = dt.timezone(dt.timedelta(hours=7))
    villages: dict[str, Tally] = attrs.field(factory=dict)
    kecamatan: dict[str, Tally] = attrs.field(factory=dict)
    couriers: dict[str, Tally] = attrs.field(factory=dict)
    total: Tally = attrs.field(factory=Tally)
    _village_of: dict[UUID, str] = attrs.field(factory=dict)
    _rounds: dict[UUID, _Round] = attrs.field(factory=dict)

    def _in_period(self, at: dt.datetime) -> bool:
        day = at.astimezone(self.timezone).date()
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def _tallies(self, card: UUID, courier: str) -> list[Tally]:
        village = self._village_of.get(card, "?")
        return [
            self.villages.setdefault(village, Tally()),
            self.kecamatan.setdefault(village[:8], Tally()),
            self.couriers.setdefault(courier, Tally()),
            self.total,
        ]

    def _decide_round(self, card: UUID, success: bool, end_round: bool) -> None:
        run = self._rounds.get(card)
        if run is None:
            return
        if not run.decided and run.counted:
            for tally in self._tallies(card, run.courier):
                tally.rounds_with_outcome += 1
                tally.first_attempt_successes += success
        run.decided = True
        if end_round:
            del self._rounds[card]

    def add(self, event: object) -> None:
        """Take one card event into account (other events are ignored)."""
        if isinstance(event, ev.Requested):
            self._village_of[event.originator_id] = event.village
            return
        fact = fact_of(event)
        if fact is not None:
            self.add_fact(fact)

    def add_fact(self, fact: DeliveryFact, village: str | None = None) -> None:
        """Take one fact into account; a card's facts come oldest first. `village`
        names the card's village (otherwise known from its Requested event)."""
        card, counted = fact.card, self._in_period(fact.at)
        if village is not None:
            self._village_of[card] = village
        run = self._rounds.get(card)
        courier = run.courier if run else AT_THE_OFFICE
        if fact.kind == DISPATCHED:
            courier = fact.courier or AT_THE_OFFICE
            self._rounds[card] = _Round(courier, counted)
            for tally in self._tallies(card, courier) if counted else ():
                tally.dispatched += 1
        elif fact.kind == ATTEMPT_FAILED:
            for tally in self._tallies(card, courier) if counted else ():
                tally.failed[fact.reason or "?"] += 1
            self._decide_round(card, success=False, end_round=False)
        elif fact.kind == HANDED_OVER:
            for tally in self._tallies(card, courier) if counted else ():
                if fact.proxy:
                    tally.handed_over_proxy += 1
                else:
                    tally.handed_over_owner += 1
            self._decide_round(card, success=True, end_round=True)
        elif fact.kind == RETURNED:
            for tally in self._tallies(card, courier) if counted else ():
                tally.returned += 1
            self._decide_round(card, success=False, end_round=True)


def fold_delivery(
    events: Iterable[object], start: dt.date | None = None, end: dt.date | None = None,
    timezone: dt.tzinfo = dt.timezone(dt.timedelta(hours=7)),
) -> DeliveryFold:
    """The delivery figures of `events` (oldest first) between `start` and `end` inclusive."""
    fold = DeliveryFold(start=start, end=end, timezone=timezone)
    for event in events:
        fold.add(event)
    return fold
