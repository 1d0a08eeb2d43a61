"""The one-line answer for a resident who phones in: where is my card, since when, and
what happens next (``ektp status NIK``).

It reads the NIK's latest card (any status) and the moment it reached its status: for a
hand-over the courier's time, for the rest the event's own. What comes next follows
the card's rules (`CardPolicy`): a returned card under the attempt cap goes out again,
one at the cap waits at the office until its holding period ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from uuid import UUID

import attrs

from ektp.domain.card import events as ev
from ektp.domain.card.decide import CardPolicy
from ektp.domain.card.state import Card, evolve
from ektp.domain.card.vocabulary import CardStatus
from ektp.domain.masking import mask_digits


@attrs.frozen
class ResidentStatus:
    """Where a resident's card is: its status since when, and the next step in words.
    `masked_nik` only: the answer may be read out on the telephone."""

    card_id: UUID
    masked_nik: str
    status: str
    since: dt.datetime
    village: str
    next_step: str
    cards: int  # how many cards were ever requested for the NIK


def status_since(events: Iterable[ev.CardEvent]) -> tuple[Card, dt.datetime]:
    """The card the events leave, and when it reached its current status."""
    card: Card | None = None
    since: dt.datetime | None = None
    for event in events:
        before = card.status if card else None
        card = evolve(card, event)
        if card.status is not before:
            since = event.occurred_at if isinstance(event, ev.HandedOver) else event.timestamp
    assert card is not None and since is not None
    return card, since


def next_step(card: Card, policy: CardPolicy, village_name: str) -> str:
    """What happens next to `card`, as the office tells the resident."""
    match card.status:
        case CardStatus.REQUESTED:
            return "waiting for the central print-ready check (PRR); nothing to do yet"
        case CardStatus.READY_TO_PRINT | CardStatus.BLANK_ALLOCATED:
            return "waiting to be printed at the office"
        case CardStatus.PRINTED if card.manifest_id is not None:
            return f"on the next courier round to {village_name}"
        case CardStatus.PRINTED:
            return f"waiting for a courier round to {village_name}"
        case CardStatus.DISPATCHED:
            return (f"out with the courier: delivery attempt {card.attempts + 1} of "
                    f"{policy.attempt_cap} at your door in {village_name}")
        case CardStatus.RETURNED if card.attempts < policy.attempt_cap:
            return ("back at the office: it goes out again on a next round, or collect it "
                    "at the office with your KK")
        case CardStatus.RETURNED:
            last = (card.returned_at or card.modified_at) + dt.timedelta(days=policy.holding_days)
            return (f"back at the office after {card.attempts} delivery attempts: collect it "
                    f"at the office with your KK by {last:%Y-%m-%d}")
        case CardStatus.HANDED_OVER:
            return "handed over; nothing more to do"
        case CardStatus.CANCELLED:
            return "the request was cancelled; apply again at the office if you still need a card"
        case CardStatus.UNCOLLECTED:
            return "not collected in the holding period; ask at the office"
        case CardStatus.DESTROYED:
            return "the card was destroyed; apply again at the office"
    raise AssertionError(card.status)  # every status has its case above


def resident_status(events: Iterable[ev.CardEvent], policy: CardPolicy, village_name: str,
                    cards: int) -> ResidentStatus:
    """The answer for the card whose events these are."""
    card, since = status_since(events)
    return ResidentStatus(card.id, mask_digits(card.nik), card.status.value, since, card.village,
                          next_step(card, policy, village_name), cards)
