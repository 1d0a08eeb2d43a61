"""The blank ledger's events. Their module path is stored with every event: never
move or rename one without registering the old topic.

Events that move many blanks carry serial *ranges* (a consignment of 40,000 is
one event with one range); events about one blank carry its serial.
"""

from __future__ import annotations

from typing import TypeAlias
from uuid import UUID

import attrs

from ektp.domain.blank_stock.serial_range import SerialRange, to_serial_ranges
from ektp.domain.blank_stock.vocabulary import DestructionMethod, LoanDirection, SourceKind
from ektp.domain.blank_stock.witness import Witness, to_witnesses
from ektp.domain.card.vocabulary import PrintFailureReason
from ektp.domain.event import DomainEvent, to_optional_uuid, to_uuid


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class LedgerEvent(DomainEvent):
    """Base of the blank ledger's events."""


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class ConsignmentReceived(LedgerEvent):
    """Blanks arrived under a signed hand-over record (BAST)."""

    bast: str
    source: SourceKind = attrs.field(converter=SourceKind)
    source_office: str | None
    ranges: tuple[SerialRange, ...] = attrs.field(converter=to_serial_ranges)
    count: int


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class BlankAllocated(LedgerEvent):
    """A blank in stock was set aside for a card."""

    serial: str
    card_id: UUID = attrs.field(converter=to_uuid)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class BlankConsumed(LedgerEvent):
    """A card was printed on its allocated blank."""

    serial: str
    card_id: UUID = attrs.field(converter=to_uuid)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class BlankSpoiled(LedgerEvent):
    """A blank was spoiled: a card's print try failed, or it was damaged in stock."""

    serial: str
    reason: PrintFailureReason = attrs.field(converter=PrintFailureReason)
    card_id: UUID | None = attrs.field(converter=to_optional_uuid)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class BlankReleased(LedgerEvent):
    """A card cancelled before printing gave its unprinted blank back to stock."""

    serial: str
    card_id: UUID = attrs.field(converter=to_uuid)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class BlanksLent(LedgerEvent):
    """Blanks in stock were lent to another office under a signed record."""

    counterpart: str
    record_number: str
    ranges: tuple[SerialRange, ...] = attrs.field(converter=to_serial_ranges)
    count: int


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class BlanksBorrowed(LedgerEvent):
    """Blanks were borrowed from another office under a signed record."""

    counterpart: str
    record_number: str
    ranges: tuple[SerialRange, ...] = attrs.field(converter=to_serial_ranges)
    count: int


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class LoanReturned(LedgerEvent):
    """Lent blanks came back to us, or borrowed blanks went back to their lender."""

    counterpart: str
    record_number: str
    direction: LoanDirection = attrs.field(converter=LoanDirection)
    ranges: tuple[SerialRange, ...] = attrs.field(converter=to_serial_ranges)
    count: int


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class SpoiledDestroyed(LedgerEvent):
    """Spoiled blanks were destroyed under a signed record before witnesses."""

    record_number: str
    method: DestructionMethod = attrs.field(converter=DestructionMethod)
    witnesses: tuple[Witness, ...] = attrs.field(converter=to_witnesses)
    ranges: tuple[SerialRange, ...] = attrs.field(converter=to_serial_ranges)
    count: int


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class StockCounted(LedgerEvent):
    """Blanks in stock were counted; `difference` (counted - book) is a discrepancy if not 0."""

    counted: int
    book: int
    difference: int


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class BlankReportedMissing(LedgerEvent):
    """A blank in stock cannot be found; the police were told."""

    serial: str
    police_report: str


# Every concrete ledger event: `evolve` matches on this closed union, so mypy
# reports an event class added here without a rule there. Add every new
# LedgerEvent subclass to it.
AnyLedgerEvent: TypeAlias = (
    ConsignmentReceived
    | BlankAllocated
    | BlankConsumed
    | BlankSpoiled
    | BlankReleased
    | BlanksLent
    | BlanksBorrowed
    | LoanReturned
    | SpoiledDestroyed
    | StockCounted
    | BlankReportedMissing
)
