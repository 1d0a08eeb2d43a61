"""Building card histories through `decide`, for given/when/then tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from testkit.people import COURIER, JABON, OPERATOR, TODAY, make_nik

from ektp.domain.actor import Actor
from ektp.domain.address import VillageCode
from ektp.domain.card import commands as cmd
from ektp.domain.card.decide import CardPolicy, decide
from ektp.domain.card.events import CardEvent
from ektp.domain.card.recipient import Recipient
from ektp.domain.card.state import Card, project
from ektp.domain.card.vocabulary import (
    AttemptFailureReason,
    HandOverPlace,
    PrintFailureReason,
    RequestReason,
    Verification,
)
from ektp.domain.nik import KkNumber, Nik

T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.timezone.utc)
OWNER_NIK = make_nik()
OWNER_KK = "3517090101100001"


def at(minutes: int = 0, days: int = 0) -> dt.datetime:
    """A moment after T0."""
    return T0 + dt.timedelta(minutes=minutes, days=days)


def base(actor: Actor = OPERATOR, when: dt.datetime | None = None) -> dict[str, Any]:
    """The who/when/where every command carries."""
    return {"actor": actor, "at": when or at(), "office": "35.17"}


def request(reason: RequestReason = RequestReason.NEW, evidence: str | None = None,
            **overrides: Any) -> cmd.RequestCard:
    """A valid request command."""
    fields: dict[str, Any] = {
        **base(),
        "card_id": uuid.UUID(int=1),
        "nik": Nik.parse(OWNER_NIK, TODAY),
        "name": "Ahmad Fauzi",
        "kk": KkNumber.parse(OWNER_KK),
        "village": VillageCode.parse(JABON),
        "reason": reason,
        "evidence": evidence,
    }
    fields.update(overrides)
    return cmd.RequestCard(**fields)


HAPPY_PATH: list[cmd.CardCommand] = [
    cmd.ConfirmPrintReadiness(**base()),
    cmd.AllocateBlank(**base(), serial="3517170001"),
    cmd.RecordPrinted(**base(), station="cetak-1"),
    cmd.Dispatch(**base(), courier="kurir.test"),
]
STATUS_AFTER = ["REQUESTED", "READY_TO_PRINT", "BLANK_ALLOCATED", "PRINTED", "DISPATCHED"]


def run(commands: list[cmd.CardCommand], policy: CardPolicy = CardPolicy()) -> tuple[Card, list[CardEvent]]:
    """Apply commands from an empty history; return the state and all events."""
    card: Card | None = None
    events: list[CardEvent] = []
    for command in commands:
        new = decide(card, command, policy)
        card = project(card, new)
        events += new
    assert card is not None
    return card, events


def card_in(status: str, reason: RequestReason = RequestReason.NEW,
            evidence: str | None = None) -> Card:
    """A card brought to `status` along the happy path."""
    steps: list[cmd.CardCommand] = [request(reason, evidence)]
    steps += HAPPY_PATH[: STATUS_AFTER.index(status)]
    return run(steps)[0]


def failed_attempt(actor: Actor = COURIER) -> cmd.RecordFailedAttempt:
    """A failed delivery attempt."""
    return cmd.RecordFailedAttempt(**base(actor), reason=AttemptFailureReason.NOT_AT_HOME)


def hand_over(recipient: Recipient | None = None, place: HandOverPlace = HandOverPlace.DOOR,
              old_card: str | None = None, actor: Actor = COURIER) -> cmd.HandOver:
    """A hand-over to the owner unless told otherwise."""
    return cmd.HandOver(**base(actor), recipient=recipient or Recipient.owner(),
                        verified_by=Verification.KTP, place=place, old_card_serial=old_card)


def print_failure() -> cmd.RecordPrintFailure:
    """A print try that spoils the blank."""
    return cmd.RecordPrintFailure(**base(), reason=PrintFailureReason.CHIP_NOT_ENCODED)
