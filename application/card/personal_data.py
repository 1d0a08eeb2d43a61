"""What the office holds about one person, for their request (UU PDP 27/2022, the
data subject's right of access; ``ektp personal-data export NIK``).

It gathers every card requested for the NIK, oldest first: the card as it stands with
its personal fields in full (NIK, KK, name, address, the hand-over's recipient) and
every event of its history; and every hand-over where the person collected someone
else's card as a proxy (found by the blind index of the proxy's NIK, confirmed from the
card's events): what the office holds of the person there (their NIK, name and KK as
recorded, the relationship, when and how), not the card holder's data, which is
another person's.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ektp.application.card.history import HistoryEntry, history_entry
from ektp.application.card.views import CardView
from ektp.application.kernel.i18n import N_
from ektp.domain.card import events as ev
from ektp.domain.card.state import Card, evolve


@attrs.frozen
class HeldCard:
    """One card of the person: as it stands (in full) and its history."""

    card: CardView
    history: tuple[HistoryEntry, ...]


@attrs.frozen
class CollectedCard:
    """A card the person collected for its holder, as a proxy: the card (its id), when it
    was handed over, and the person's own data as the hand-over recorded it."""

    card_id: str
    handed_over_at: dt.datetime | None
    nik: str | None
    name: str | None
    kk: str | None
    relationship: str | None

    @classmethod
    def of(cls, card: Card) -> CollectedCard:
        """The proxy's part of `card`'s hand-over."""
        r = card.recipient
        assert r is not None  # found as a hand-over to a proxy
        return cls(card_id=str(card.id), handed_over_at=card.closed_at, nik=r.nik, name=r.name,
                   kk=r.kk, relationship=str(r.relationship) if r.relationship else None)


SCOPE = N_("every card requested for this NIK, with its history, and every card the person "
           "collected for someone else as a proxy (their own data there, not the holder's)")


@attrs.frozen
class PersonalDataHeld:
    """Everything the office holds about one NIK: as a requester and as a proxy."""

    nik: str
    cards: tuple[HeldCard, ...]
    collected: tuple[CollectedCard, ...] = ()
    scope: str = SCOPE


def held_card(events: list[ev.CardEvent]) -> HeldCard:
    """The card the events leave, in full, with their history."""
    card = None
    for event in events:
        card = evolve(card, event)
    assert card is not None
    return HeldCard(CardView.of(card, reveal=True), tuple(history_entry(e) for e in events))
