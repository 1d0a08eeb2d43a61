"""What users (and the card's use cases) ask of the blank ledger. Values arrive
already validated (serials, ranges, witnesses)."""

from __future__ import annotations

import datetime as dt
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

    actor: Actor
    at: dt.datetime
    office: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReceiveConsignment(LedgerCommand):
    """Take a consignment's serial ranges into stock."""

    bast: str
    source: SourceKind
    source_office: str | None
    ranges: tuple[SerialRange, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class AllocateBlank(LedgerCommand):
    """Set a blank aside for a card: `serial`, or the next one in stock if None."""

    card_id: UUID
    serial: str | None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ConsumeBlank(LedgerCommand):
    """The card was printed on its blank."""

    card_id: UUID
    serial: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class SpoilBlank(LedgerCommand):
    """A blank was spoiled: a card's (if `card_id`) or one in stock."""

    serial: str
    reason: PrintFailureReason
    card_id: UUID | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReleaseBlank(LedgerCommand):
    """A cancelled card's unprinted blank goes back to stock."""

    card_id: UUID
    serial: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class LendBlanks(LedgerCommand):
    """Lend blanks in stock to another office."""

    counterpart: str
    record_number: str
    ranges: tuple[SerialRange, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class BorrowBlanks(LedgerCommand):
    """Borrow blanks from another office."""

    counterpart: str
    record_number: str
    ranges: tuple[SerialRange, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReturnLoan(LedgerCommand):
    """Lent blanks come back (BACK_TO_US) or borrowed ones go back (BACK_TO_LENDER)."""

    counterpart: str
    record_number: str
    direction: LoanDirection
    ranges: tuple[SerialRange, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class DestroySpoiled(LedgerCommand):
    """Destroy spoiled blanks: these `serials`, or every spoiled one if None."""

    record_number: str
    method: DestructionMethod
    witnesses: tuple[Witness, ...]
    serials: tuple[str, ...] | None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class CountStock(LedgerCommand):
    """Record a physical count of the blanks in stock."""

    counted: int


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class ReportMissing(LedgerCommand):
    """A blank in stock cannot be found; a police report was made."""

    serial: str
    police_report: str
