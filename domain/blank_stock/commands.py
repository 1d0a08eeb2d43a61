"""What users (and the card's use cases) ask of the blank ledger. Values arrive
already validated (serials, ranges, witnesses).

Each command class names the permission its actor needs (`action`, a key of
`ektp.domain.actor.PERMISSIONS`): a class constant, not an attrs field, so it
is no constructor argument. `SpoilBlank`'s alone depends on the command: a
card's failed print follows the card's permission, a blank spoiled in stock has
its own."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, TypeAlias
from uuid import UUID

import attrs

from ektp.domain.actor import Actor
from ektp.domain.blank_stock.serial_range import SerialRange
from ektp.domain.blank_stock.vocabulary import DestructionMethod, LoanDirection, SourceKind
from ektp.domain.blank_stock.witness import Witness
from ektp.domain.card.vocabulary import PrintFailureReason


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class LedgerCommand:
    """Who asks, when, and in which office."""

    # The permission the actor needs; each concrete command sets it.
    action: ClassVar[str]

    actor: Actor
    at: dt.datetime
    office: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReceiveConsignment(LedgerCommand):
    """Take a consignment's serial ranges into stock."""

    action: ClassVar[str] = "receive blanks"

    bast: str
    source: SourceKind
    source_office: str | None
    ranges: tuple[SerialRange, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class AllocateBlank(LedgerCommand):
    """Set a blank aside for a card: `serial`, or the next one in stock if None."""

    action: ClassVar[str] = "allocate a blank"

    card_id: UUID
    serial: str | None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ConsumeBlank(LedgerCommand):
    """The card was printed on its blank."""

    action: ClassVar[str] = "record printing"

    card_id: UUID
    serial: str


class _SpoilAction:
    """`SpoilBlank.action`: a card's failed print follows the card's permission
    (a card's own blank moves do, see PERMISSIONS); a blank spoiled in stock has
    its own, which is also what the class answers (a desk authorises it before
    it builds the commands)."""

    def __get__(self, command: SpoilBlank | None, owner: type[SpoilBlank] | None = None) -> str:
        if command is not None and command.card_id is not None:
            return "record a print failure"
        return "spoil a blank in stock"


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class SpoilBlank(LedgerCommand):
    """A blank was spoiled: a card's (if `card_id`) or one in stock."""

    # A descriptor, not a constant, so that an instance can answer for its card;
    # unannotated, so attrs leaves it alone (mypy reads its __get__ as str).
    action = _SpoilAction()

    serial: str
    reason: PrintFailureReason
    card_id: UUID | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReleaseBlank(LedgerCommand):
    """A cancelled card's unprinted blank goes back to stock."""

    action: ClassVar[str] = "cancel a card"

    card_id: UUID
    serial: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class LendBlanks(LedgerCommand):
    """Lend blanks in stock to another office."""

    action: ClassVar[str] = "lend blanks"

    counterpart: str
    record_number: str
    ranges: tuple[SerialRange, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class BorrowBlanks(LedgerCommand):
    """Borrow blanks from another office."""

    action: ClassVar[str] = "borrow blanks"

    counterpart: str
    record_number: str
    ranges: tuple[SerialRange, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReturnLoan(LedgerCommand):
    """Lent blanks come back (BACK_TO_US) or borrowed ones go back (BACK_TO_LENDER)."""

    action: ClassVar[str] = "record a loan return"

    counterpart: str
    record_number: str
    direction: LoanDirection
    ranges: tuple[SerialRange, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class DestroySpoiled(LedgerCommand):
    """Destroy spoiled blanks: these `serials`, or every spoiled one if None."""

    action: ClassVar[str] = "destroy spoiled blanks"

    record_number: str
    method: DestructionMethod
    witnesses: tuple[Witness, ...]
    serials: tuple[str, ...] | None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class CountStock(LedgerCommand):
    """Record a physical count of the blanks in stock."""

    action: ClassVar[str] = "count the blank stock"

    counted: int


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReportMissing(LedgerCommand):
    """A blank in stock cannot be found; a police report was made."""

    action: ClassVar[str] = "report a blank missing"

    serial: str
    police_report: str


# Every concrete ledger command: `decide` matches on this closed union, so mypy
# reports a command class added here without a rule there.
AnyLedgerCommand: TypeAlias = (
    ReceiveConsignment
    | AllocateBlank
    | ConsumeBlank
    | SpoilBlank
    | ReleaseBlank
    | LendBlanks
    | BorrowBlanks
    | ReturnLoan
    | DestroySpoiled
    | CountStock
    | ReportMissing
)
