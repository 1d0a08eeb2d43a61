"""How a card's events move its blank in the ledger (the two change in one save).

Allocating a blank to a card allocates it in the ledger; printing consumes it;
a failed print spoils it. A card cancelled while it holds an unprinted blank
(status BLANK_ALLOCATED) gives the blank back to stock with `BlankReleased`:
the blank is untouched, so writing it off would lose a good blank, and leaving
it allocated would strand it on a closed card for ever.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, assert_never, cast

from ektp.domain.blank_stock import commands as lc
from ektp.domain.card import events as ce
from ektp.domain.card.state import Card
from ektp.domain.card.vocabulary import CardStatus


def ledger_commands(card: Card, events: Sequence[ce.CardEvent]) -> list[lc.LedgerCommand]:
    """The ledger commands that must accompany `events` decided on `card` (its state before)."""
    commands: list[lc.LedgerCommand] = []
    for event in events:
        # Card decide gives events typed by the base class; the match is over the
        # closed union, so that mypy reports a new card event nobody placed here.
        e = cast("ce.AnyCardEvent", event)
        match e:
            case ce.BlankAllocated():
                commands.append(lc.AllocateBlank(**_who(e), card_id=e.originator_id,
                                                 serial=e.serial))
            case ce.Printed():
                commands.append(lc.ConsumeBlank(**_who(e), card_id=e.originator_id,
                                                serial=e.serial))
            case ce.PrintFailed():
                commands.append(lc.SpoilBlank(**_who(e), card_id=e.originator_id,
                                              serial=e.serial, reason=e.reason))
            case ce.Cancelled() if card.status is CardStatus.BLANK_ALLOCATED:
                assert card.blank_serial is not None
                commands.append(lc.ReleaseBlank(**_who(e), card_id=e.originator_id,
                                                serial=card.blank_serial))
            case (ce.Requested() | ce.PrintReadinessConfirmed() | ce.AssignedToManifest()
                  | ce.RemovedFromManifest() | ce.Dispatched() | ce.DeliveryAttemptFailed()
                  | ce.HandedOver() | ce.Returned() | ce.Cancelled()
                  | ce.DeclaredUncollected() | ce.Destroyed()):
                pass  # the card's blank does not move (a cancelled card had none)
            case _:
                assert_never(e)
    return commands


def _who(e: ce.CardEvent) -> dict[str, Any]:
    """Who acted, when and where: the ledger command's envelope, from the card event's."""
    return {"actor": e.actor, "at": e.timestamp, "office": e.office}
