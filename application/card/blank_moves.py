"""Card commands that move a blank: allocate, print, print failure, cancel.

The card's event and the ledger's event are saved in one transaction, so no
crash can leave a printed card whose blank is still in stock (or the other way
round). The card decides first, so its own refusals (no print readiness yet,
wrong state) come before any about the stock. The ledger is the office's one
shared stream: a conflict on it alone is decided again (`ledger.RETRIES`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ektp.application.blank_stock.ledger import RETRIES, load_ledger, record_ledger
from ektp.application.card.lookup import load_card
from ektp.application.card.steps import decide_card
from ektp.application.card.views import CardView
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Transaction
from ektp.domain.actor import Actor
from ektp.domain.blank_stock.card_link import ledger_commands
from ektp.domain.blank_stock.decide import decide_all
from ektp.domain.card.commands import CardCommand
from ektp.domain.errors import NoBlankInStock

# Stands in for the serial while the card checks its own rules, which never look
# at it; an empty stock is refused right after.
_NO_SERIAL = "000000"


class BlankMoves:
    """The card commands that move the card's blank in the ledger."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def move(self, ref: str | UUID, actor: Actor, command_type: type[CardCommand], *,
             next_in_stock: bool = False, **facts: Any) -> CardView:
        """Decide the card command and the ledger moves it implies; record both.

        With `next_in_stock` the ledger picks the serial (the lowest in stock).
        """
        s = self._services
        s.authorise(actor, command_type.action)

        def attempt(tx: Transaction) -> CardView:
            ledger = load_ledger(s, tx) if next_in_stock else None
            serial = ledger.next_in_stock() if ledger else None
            chosen: dict[str, Any] = {"serial": serial or _NO_SERIAL} if next_in_stock else {}
            card = load_card(s, tx, ref)
            tx.ref = card.id
            step = decide_card(s, tx, card, command_type(**s.stamp(actor), **facts, **chosen))
            if next_in_stock and serial is None:
                raise NoBlankInStock()
            moves = ledger_commands(step.before, step.events)
            if moves:  # none e.g. when cancelling a card that holds no blank
                ledger = ledger or load_ledger(s, tx)
                ledger_events, after = decide_all(ledger, moves)
                record_ledger(s, tx, ledger, ledger_events, after)
            # Masked: a full NIK is shown only where the access is recorded (`card`).
            return CardView.of(step.after, reveal=False)

        return s.store.transact(attempt, retries=RETRIES)
