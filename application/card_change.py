"""A card command decided but not yet saved (shared by the card and blank use cases)."""

from __future__ import annotations

from typing import NamedTuple

from ektp.domain.card import events as ev
from ektp.domain.card.state import Card
from ektp.domain.event import DomainEvent


# A NamedTuple, not an attrs class: it is on every card command's start-up path,
# and attrs would generate and compile its methods at import.
class CardChange(NamedTuple):
    """The card before and after a command, the card's own events, and every
    event and new state to save (with the NIK register's, if the card closed)."""

    card: Card
    card_events: list[ev.CardEvent]
    after: Card
    events: list[DomainEvent]
    states: list[object]
