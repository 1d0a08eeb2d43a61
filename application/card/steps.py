"""One card command decided inside a transaction: the card's events, and the
NIK register's release when the command closes the card (`open_requests.freed_by`).

The card desk, the blank moves and the manifest desk all decide on cards this
way, so a card closed by any of them frees its NIK in the same write.
"""

from __future__ import annotations

from typing import NamedTuple

from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Transaction
from ektp.domain.card.commands import CardCommand
from ektp.domain.card.decide import decide
from ektp.domain.card.events import CardEvent
from ektp.domain.card.state import Card, project
from ektp.domain.nik import Nik


class CardStep(NamedTuple):
    """The card before and after one command, and the card's own events."""

    before: Card
    events: list[CardEvent]
    after: Card


def decide_card(services: Services, tx: Transaction, card: Card, command: CardCommand) -> CardStep:
    """Decide `command` on `card` as this transaction leaves it; record the events
    (and the NIK's release if the card closes)."""
    current = tx.state(card.id, card)
    events = decide(current, command, services.config.card_policy)
    after = project(current, events)
    assert after is not None
    tx.record(events, after)
    if not after.is_open:
        # Imported here: only a command that closes a card needs the NIK register.
        from ektp.application.card.registers import find_register
        from ektp.domain import open_requests

        register = find_register(services, tx, Nik(card.nik))
        released = open_requests.freed_by(register, after, command.actor, command.at, command.office)
        if released is not None:
            tx.record([released], open_requests.project(register, [released]))
    return CardStep(current, events, after)
