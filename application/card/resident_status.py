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

from ektp.application.kernel.i18n import N_
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
    #: `next_step` as its template and facts, for the language shown (`next_words`).
    next_template: str = ""
    next_facts: dict[str, object] = attrs.field(factory=dict)


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


def next_words(card: Card, policy: CardPolicy, village_name: str) -> tuple[str, dict[str, object]]:
    """What happens next to `card`: an English template (marked for the catalogs) and its
    facts, rendered in the resident's language where it is shown."""
    match card.status:
        case CardStatus.REQUESTED:
            return N_("waiting for the central print-ready check (PRR); nothing to do yet"), {}
        case CardStatus.READY_TO_PRINT | CardStatus.BLANK_ALLOCATED:
            return N_("waiting to be printed at the office"), {}
        case CardStatus.PRINTED if card.manifest_id is not None:
            return N_("on the next courier round to {village}"), {"village": village_name}
        case CardStatus.PRINTED:
            return N_("waiting for a courier round to {village}"), {"village": village_name}
        case CardStatus.DISPATCHED:
            return (N_("out with the courier: delivery attempt {attempt} of {cap} at your door "
                       "in {village}"),
                    {"attempt": card.attempts + 1, "cap": policy.attempt_cap,
                     "village": village_name})
        case CardStatus.RETURNED if card.attempts < policy.attempt_cap:
            return N_("back at the office: it goes out again on a next round, or collect it "
                      "at the office with your KK"), {}
        case CardStatus.RETURNED:
            last = (card.returned_at or card.modified_at) + dt.timedelta(days=policy.holding_days)
            return (N_("back at the office after {attempts} delivery attempts: collect it "
                       "at the office with your KK by {by}"),
                    {"attempts": card.attempts, "by": last.date()})
        case CardStatus.HANDED_OVER:
            return N_("handed over; nothing more to do"), {}
        case CardStatus.CANCELLED:
            return N_("the request was cancelled; apply again at the office if you still "
                      "need a card"), {}
        case CardStatus.UNCOLLECTED:
            return N_("not collected in the holding period; ask at the office"), {}
        case CardStatus.DESTROYED:
            return N_("the card was destroyed; apply again at the office"), {}
    raise AssertionError(card.status)  # every status has its case above


def next_step(card: Card, policy: CardPolicy, village_name: str) -> str:
    """What happens next to `card`, in English (``--json``'s ``next``)."""
    template, facts = next_words(card, policy, village_name)
    return template.format(**facts)


def resident_status(events: Iterable[ev.CardEvent], policy: CardPolicy, village_name: str,
                    cards: int) -> ResidentStatus:
    """The answer for the card whose events these are."""
    card, since = status_since(events)
    template, facts = next_words(card, policy, village_name)
    return ResidentStatus(card.id, mask_digits(card.nik), card.status.value, since, card.village,
                          template.format(**facts), cards, template, facts)
