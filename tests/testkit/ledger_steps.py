"""Building blank ledger histories through `decide`, for given/when/then tests."""

from __future__ import annotations

import uuid
from typing import Any

from testkit.card_steps import at
from testkit.people import HEAD, OPERATOR

from ektp.domain.actor import Actor
from ektp.domain.blank_stock import commands as lc
from ektp.domain.blank_stock.decide import decide
from ektp.domain.blank_stock.events import LedgerEvent
from ektp.domain.blank_stock.serial_range import parse_ranges
from ektp.domain.blank_stock.state import Ledger, empty_ledger, evolve, ledger_id
from ektp.domain.blank_stock.vocabulary import DestructionMethod, LoanDirection, SourceKind
from ektp.domain.blank_stock.witness import parse_witnesses
from ektp.domain.card.vocabulary import PrintFailureReason

CARD_A, CARD_B = uuid.UUID(int=0xA), uuid.UUID(int=0xB)
WITNESSES = parse_witnesses(["Budi Santoso:inspektorat", "Sri Rahayu:kasi pelayanan"])


def who(actor: Actor = OPERATOR) -> dict[str, Any]:
    """The who/when/where every command carries."""
    return {"actor": actor, "at": at(), "office": "35.17"}


def receive(*ranges: str, bast: str = "BAST/1") -> lc.ReceiveConsignment:
    """A ministry consignment of these ranges."""
    return lc.ReceiveConsignment(**who(), bast=bast, source=SourceKind.MINISTRY,
                                 source_office=None, ranges=parse_ranges(ranges))


def allocate(serial: str | None = None, card: uuid.UUID = CARD_A) -> lc.AllocateBlank:
    """Allocate `serial` (or the next in stock) to a card."""
    return lc.AllocateBlank(**who(), card_id=card, serial=serial)


def consume(serial: str, card: uuid.UUID = CARD_A) -> lc.ConsumeBlank:
    """The card was printed on `serial`."""
    return lc.ConsumeBlank(**who(), card_id=card, serial=serial)


def spoil(serial: str, card: uuid.UUID | None = CARD_A,
          reason: PrintFailureReason = PrintFailureReason.CHIP_NOT_ENCODED) -> lc.SpoilBlank:
    """A print failure on the card's blank, or (card None) damage in stock."""
    return lc.SpoilBlank(**who(), serial=serial, reason=reason, card_id=card)


def release(serial: str, card: uuid.UUID = CARD_A) -> lc.ReleaseBlank:
    """The card was cancelled: its blank goes back."""
    return lc.ReleaseBlank(**who(), card_id=card, serial=serial)


def lend(*ranges: str, to: str = "35.78") -> lc.LendBlanks:
    """Lend to another office (as the head)."""
    return lc.LendBlanks(**who(HEAD), counterpart=to, record_number="PINJAM/1",
                         ranges=parse_ranges(ranges))


def borrow(*ranges: str, lender: str = "35.15") -> lc.BorrowBlanks:
    """Borrow from another office."""
    return lc.BorrowBlanks(**who(), counterpart=lender, record_number="PINJAM/2",
                           ranges=parse_ranges(ranges))


def loan_return(*ranges: str, office: str, direction: LoanDirection) -> lc.ReturnLoan:
    """A loan return either way."""
    return lc.ReturnLoan(**who(), counterpart=office, record_number="KEMBALI/1",
                         direction=direction, ranges=parse_ranges(ranges))


def destroy(*serials: str, everything: bool = False) -> lc.DestroySpoiled:
    """Destroy spoiled blanks before two witnesses (as the head)."""
    return lc.DestroySpoiled(**who(HEAD), record_number="BA/PEMUSNAHAN/1",
                             method=DestructionMethod.BURN, witnesses=WITNESSES,
                             serials=None if everything else serials)


def count(counted: int) -> lc.CountStock:
    """A physical count."""
    return lc.CountStock(**who(), counted=counted)


def missing(serial: str) -> lc.ReportMissing:
    """A blank lost from stock (as the head)."""
    return lc.ReportMissing(**who(HEAD), serial=serial, police_report="LP/9/2017")


def run(*commands: lc.LedgerCommand) -> tuple[Ledger, list[LedgerEvent]]:
    """Apply commands to an empty ledger; return the state and all events."""
    ledger = empty_ledger(ledger_id("35.17"))
    events: list[LedgerEvent] = []
    for command in commands:
        new = decide(ledger, command)
        for event in new:
            ledger = evolve(ledger, event)
        events += new
    return ledger, events


def given(*commands: lc.LedgerCommand) -> Ledger:
    """The ledger after these commands."""
    return run(*commands)[0]
