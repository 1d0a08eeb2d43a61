"""What the office holds about one person, for their request (UU PDP 27/2022, the
data subject's right of access; ``ektp personal-data export NIK``).

It gathers every card requested for the NIK, oldest first: the card as it stands with
its personal fields in full (NIK, KK, name, address, the hand-over's recipient) and
every event of its history. It does not yet find the person where they appear on
someone else's card (as the proxy who received it): that needs a lookup by the proxy's
NIK, which the read models' blind indexes (issue 14) will give.
"""

from __future__ import annotations

import attrs

from ektp.application.card.history import HistoryEntry, history_entry
from ektp.application.card.views import CardView
from ektp.domain.card import events as ev
from ektp.domain.card.state import evolve


@attrs.frozen
class HeldCard:
    """One card of the person: as it stands (in full) and its history."""

    card: CardView
    history: tuple[HistoryEntry, ...]


@attrs.frozen
class PersonalDataHeld:
    """Everything the office holds about one NIK as a requester, and what it covers."""

    nik: str
    cards: tuple[HeldCard, ...]
    scope: str = ("every card requested for this NIK, with its history; not yet where the "
                  "person received someone else's card as a proxy")


def held_card(events: list[ev.CardEvent]) -> HeldCard:
    """The card the events leave, in full, with their history."""
    card = None
    for event in events:
        card = evolve(card, event)
    assert card is not None
    return HeldCard(CardView.of(card, reveal=True), tuple(history_entry(e) for e in events))
