"""How a card's events move its blank in the ledger (the two change in one save).

Allocating a blank to a card allocates it in the ledger; printing consumes it;
a failed print spoils it. A card cancelled while it holds an unprinted blank
(status BLANK_ALLOCATED) gives the blank back to stock with `BlankReleased`:
the blank is untouched, so writing it off would lose a good blank, and leaving
it allocated would strand it on a closed card for ever.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ektp.domain.blank_stock import commands as lc
from ektp.domain.card import events as ce
from ektp.domain.card.state import Card
from ektp.domain.card.vocabulary import CardStatus


def ledger_commands(card: Card, events: Sequence[ce.CardEvent]) -> list[lc.LedgerCommand]:
    """The ledger commands that must accompany `events` decided on `card` (its state before)."""
    commands: list[lc.LedgerCommand] = []
    for e in events:
        who: dict[str, Any] = {"actor": e.actor, "at": e.timestamp, "office": e.office}
        if isinstance(e, ce.BlankAllocated):
            commands.append(lc.AllocateBlank(**who, card_id=e.originator_id, serial=e.serial))
        elif isinstance(e, ce.Printed):
            commands.append(lc.ConsumeBlank(**who, card_id=e.originator_id, serial=e.serial))
        elif isinstance(e, ce.PrintFailed):
            commands.append(lc.SpoilBlank(**who, card_id=e.originator_id, serial=e.serial,
                                          reason=e.reason))
        elif isinstance(e, ce.Cancelled) and card.status is CardStatus.BLANK_ALLOCATED:
            assert card.blank_serial is not None
            commands.append(lc.ReleaseBlank(**who, card_id=e.originator_id,
                                            serial=card.blank_serial))
    return commands


def moves_a_blank(card: Card, events: Sequence[ce.CardEvent]) -> bool:
    """Whether `events` need the ledger at all (cheap check before loading it)."""
    return bool(ledger_commands(card, events))
