"""Listing cards by folding every card event (used until a read model answers)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application

from ektp.application.event_feed import events_after
from ektp.application.views import CardView
from ektp.domain.card.events import CardEvent
from ektp.domain.card.state import Card, evolve


def scan_cards(
    store: Application[UUID], status: str | None = None, village: str | None = None
) -> tuple[CardView, ...]:
    """Every card matching the filters, oldest request first."""
    cards: dict[UUID, Card] = {}
    for _, event in events_after(store):
        if isinstance(event, CardEvent):
            cards[event.originator_id] = evolve(cards.get(event.originator_id), event)
    return tuple(
        CardView.of(card)
        for card in cards.values()
        if (status is None or card.status.value == status)
        and (village is None or card.village == village)
    )
