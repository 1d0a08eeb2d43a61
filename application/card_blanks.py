"""Card commands that move a blank: allocate, print, print failure, cancel.

The card's event and the ledger's event are saved in one `save()`, which is one
transaction, so no crash can leave a printed card whose blank is still in stock
(or the other way round). The card decides first, so its own refusals (no print
readiness yet, wrong state) come before any about the stock.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID

from ektp.application.ledger_access import load_ledger, retrying, save_ledger
from ektp.application.views import CardView
from ektp.domain.blank_stock.card_link import ledger_commands
from ektp.domain.blank_stock.decide import decide_all
from ektp.domain.errors import NoBlankInStock

if TYPE_CHECKING:
    from ektp.application.card_change import CardChange
    from ektp.application.office_base import OfficeBase
    from ektp.domain.actor import Actor
    from ektp.domain.card.commands import CardCommand

    CommandFactory = Callable[..., CardCommand]
    DecideChange = Callable[[str | UUID, Actor, CommandFactory, bool], CardChange]

# Stands in for the serial while the card checks its own rules, which never look
# at it; an empty stock is refused right after.
_NO_SERIAL = "000000"


def move_blank(
    desk: OfficeBase,
    decide_change: DecideChange,
    save_change: Callable[[CardChange], None],
    ref: str | UUID,
    actor: Actor,
    build: CommandFactory,
    next_in_stock: bool,
) -> CardView:
    """Decide the card command and the ledger moves it implies; save both together.

    With `next_in_stock` the ledger picks the serial (the lowest in stock). A
    conflict on the ledger alone (another clerk moved a blank) is retried on the
    fresh ledger; a conflict on the card itself is reported (`ConcurrentChange`).
    """
    decided: list[CardChange] = []

    def attempt(fresh: bool) -> CardView:
        decided.clear()
        ledger = load_ledger(desk, fresh) if next_in_stock else None
        serial = ledger.next_in_stock() if ledger else None
        command = partial(build, serial=serial or _NO_SERIAL) if next_in_stock else build
        change = decide_change(ref, actor, command, fresh)
        decided.append(change)
        if next_in_stock and serial is None:
            raise NoBlankInStock()
        moves = ledger_commands(change.card, change.card_events)
        if not moves:  # e.g. cancelling a card that holds no blank
            save_change(change)
            return CardView.of(change.after)
        ledger = ledger or load_ledger(desk, fresh)
        ledger_events, after = decide_all(ledger, moves)
        save_ledger(desk, [*change.events, *ledger_events], ref=change.card.id,
                    before=ledger, after=after, states=change.states)
        return CardView.of(change.after)

    def card_changed() -> bool:
        if not decided:
            return False
        card = decided[0].card
        return desk._load_card(card.id, fresh=True).version != card.version

    return retrying(desk, attempt, card_changed)
