"""Named domain errors: every refusal the office can meet, as a value.

Each error carries the facts of the refusal; its message is rendered from the
catalogue in `ektp.domain.messages`, so a translation replaces one table.
Messages never contain a full NIK or a name.
"""

from __future__ import annotations

import enum
from typing import ClassVar

from ektp.domain.messages import render


class ErrorKind(enum.Enum):
    """How a refusal is classed; entrypoints map each kind to an exit code."""

    REFUSED = "refused"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"
    AUDIT_FAILED = "audit_failed"


class DomainError(Exception):
    """Base of every named refusal; `facts` are the values in the message."""

    kind: ClassVar[ErrorKind] = ErrorKind.REFUSED

    def __init__(self, **facts: object) -> None:
        self.facts = facts
        super().__init__(render(type(self).__name__, facts))

    @property
    def code(self) -> str:
        """The stable name of this refusal, e.g. ``BlankBeforePrintReadiness``."""
        return type(self).__name__

    @property
    def message(self) -> str:
        """The clerk-readable sentence."""
        return str(self)


class InvalidInput(DomainError):
    """Base of refusals caused by a malformed value typed by a user."""

    kind = ErrorKind.INVALID


class NotFound(DomainError):
    """Base of refusals for something that does not exist."""

    kind = ErrorKind.NOT_FOUND


# --- malformed values -------------------------------------------------------
class InvalidNik(InvalidInput):
    """The NIK fails the Kemendagri format rules (facts: masked, reason)."""


class InvalidKkNumber(InvalidInput):
    """The family-card number is not 16 digits with a known province."""


class InvalidVillageCode(InvalidInput):
    """The village code is not of the form 35.17.08.2014."""


class InvalidRtRw(InvalidInput):
    """RT or RW is not a number from 1 to 999."""


class InvalidName(InvalidInput):
    """A person's name is empty, too long, or has characters no name has."""


class InvalidPhone(InvalidInput):
    """A telephone number is not an Indonesian one (facts: reason; never the number)."""


class InvalidSerial(InvalidInput):
    """A blank serial is not 6 to 16 digits."""


class InvalidText(InvalidInput):
    """A free-text field (reason, evidence, station) is empty or too long."""


class InvalidChoice(InvalidInput):
    """A value is not one of the allowed choices."""


class MissingEvidence(InvalidInput):
    """A lost or damaged request lacks its evidence (police report, old serial)."""


class ActorRequired(InvalidInput):
    """A use case was called with no acting staff member (`Actor`)."""


class PurposeRequired(InvalidInput):
    """Personal data of many people was asked for in full without a purpose (facts: what)."""


class ErasureWhileCardOpen(DomainError):
    """A resident's data cannot be erased while one of their cards is open (facts:
    masked, card, status)."""

    kind = ErrorKind.CONFLICT


class AlreadyErased(DomainError):
    """Every card of the person already reads as erased (facts: masked)."""

    kind = ErrorKind.CONFLICT


class InvalidDateRange(InvalidInput):
    """A --from date is after its --to date (facts: start, end)."""


class InvalidActor(InvalidInput):
    """The acting user's id or role is malformed."""


class InvalidLogin(InvalidInput):
    """A staff login is malformed (facts: field, reason)."""


class InvalidNip(InvalidInput):
    """A NIP (a civil servant's number) is malformed (facts: reason)."""


class DeclaredIdentity(InvalidInput):
    """``--actor``, ``--role``, ``EKTP_ACTOR`` or ``EKTP_ROLE`` was given: identity is
    established by the operating system or the database, never declared (facts: given)."""


class RoleChoiceNeeded(InvalidInput):
    """A member holding several roles must pick one for the command (facts: login, held)."""


class InvalidSerialRange(InvalidInput):
    """A serial range is malformed, reversed, of mixed widths or absurdly long."""


class OverlappingRanges(InvalidInput):
    """Two ranges given together share serials."""


class InvalidSource(InvalidInput):
    """A consignment's source is not ministry, province or office:NAME."""


class InvalidWitness(InvalidInput):
    """A witness is not written as NAME:ROLE."""


class TooFewWitnesses(InvalidInput):
    """A destruction needs at least two different witnesses."""


class InvalidStockCount(InvalidInput):
    """A counted figure is not a whole number of 0 or more."""


# --- not found ---------------------------------------------------------------
class CardNotFound(NotFound):
    """No card has that id (or id prefix), or no card was ever requested for the NIK."""


class UnknownSerial(NotFound):
    """The serial was never received or borrowed by this office."""


# --- concurrency ---------------------------------------------------------------
class ConcurrentChange(DomainError):
    """Someone else changed the same record between reading and writing."""

    kind = ErrorKind.CONFLICT


class LedgerBusy(ConcurrentChange):
    """The blank ledger kept changing under this command, try after try."""


# --- who is acting: the door and the staff register -------------------------
class AccessRefused(DomainError):
    """Base of the door's refusals: who is calling, and what the register grants them.
    Nothing decides such a refusal again (`kernel.retry`): a fresh read cannot change
    who the caller is, and the door has already read the register fresh."""


class IdentityRequired(AccessRefused):
    """No identity is established for the call (facts: login, how)."""


class NotYourIdentity(AccessRefused):
    """The call names a staff member other than the identity established (facts:
    claimed, login, how)."""


class NotEnrolled(AccessRefused):
    """The login is not in the staff register (facts: login)."""


class LoginSuspended(AccessRefused):
    """The login is suspended (facts: login, reason)."""


class NoRoleHeld(AccessRefused):
    """The login is enrolled but holds no role (facts: login)."""


class RoleNotGranted(AccessRefused):
    """The login does not hold the role it acts in (facts: login, role, held)."""


class RoleNotPermitted(AccessRefused):
    """The actor's role may not perform this action (facts: login, role, action, needed)."""


# --- rules of the staff register ----------------------------------------------
class RegisterEmpty(DomainError):
    """The staff register has not been founded yet (``ektp db init --head LOGIN``)."""


class RegisterAlreadyFounded(DomainError):
    """The staff register already has its head(s) (facts: heads)."""


class StaffNotFound(NotFound):
    """No member of the register has that login (facts: login)."""


class StaffAlreadyEnrolled(DomainError):
    """A login is enrolled once (facts: login)."""


class RoleAlreadyHeld(DomainError):
    """The member already holds the role (facts: login, role)."""


class RoleNotHeld(DomainError):
    """The member does not hold the role (facts: login, role, held)."""


class LastHead(DomainError):
    """The office would be left without an active head of office (facts: login)."""


class AlreadySuspended(DomainError):
    """The member is already suspended (facts: login, reason)."""


class NotSuspended(DomainError):
    """Only a suspended member is reinstated (facts: login)."""


# --- rules of the card ------------------------------------------------------


class DuplicateOpenRequest(DomainError):
    """The NIK already has an open request (one open request per NIK)."""


class ActionNotAllowed(DomainError):
    """The card's state does not allow this action."""


class BlankBeforePrintReadiness(DomainError):
    """No blank may be allocated before the central PRR is confirmed."""


class PrintWithoutBlank(DomainError):
    """A card cannot be printed (or fail printing) without an allocated blank."""


class SerialMismatch(DomainError):
    """The blank named is not the blank allocated to this card."""


class AttemptCapReached(DomainError):
    """The card has used its delivery attempts; it must be returned."""


class ProxyNotOnSameKk(DomainError):
    """A proxy may collect only for a member of their own family card (KK)."""


class ProxyIsOwner(DomainError):
    """The proxy's NIK is the owner's own NIK."""


class ProxyDetailsMissing(InvalidInput):
    """A proxy hand-over lacks the proxy's NIK, name, KK or relationship."""


class OldCardRequired(DomainError):
    """Damaged and data-change requests need the old card surrendered."""


class OldCardMismatch(DomainError):
    """The surrendered card is not the damaged card named at request."""


class HandOverPlaceNotAllowed(DomainError):
    """A returned card is handed over only at the office; a dispatched one not there."""


class CourierChecksInOwnCard(DomainError):
    """A card is checked back in by an officer other than the courier who carried it."""


class NotTheCardsCourier(DomainError):
    """A courier records the delivery only of cards they carry."""


class CancelAfterPrinting(DomainError):
    """A card can be cancelled only before it is printed."""


class HoldingPeriodNotOver(DomainError):
    """A returned card becomes uncollected only after the holding period."""


# --- regions -------------------------------------------------------------------
class UnknownVillage(DomainError):
    """The village code is well-formed but no such desa/kelurahan exists."""

    kind = ErrorKind.INVALID


class UnknownRegion(NotFound):
    """No province, regency or kecamatan has that code."""


# --- delivery manifests ---------------------------------------------------------
class ManifestNotFound(NotFound):
    """No manifest has that id."""


class InvalidManifestReference(InvalidInput):
    """M is not a manifest id."""


class ManifestActionNotAllowed(DomainError):
    """The manifest's state does not allow this action."""


class CardOnAnotherManifest(DomainError):
    """A card is on at most one open manifest."""


class CardOnManifest(DomainError):
    """The card is on a manifest: this step goes through the manifest, not around it."""


class CardNotOnManifest(DomainError):
    """The card is not on the manifest named."""


class VillageNotOnManifest(DomainError):
    """The card's village is not one of the manifest's villages."""


class EmptyManifest(DomainError):
    """A manifest without cards cannot be dispatched."""


class ManifestNotSettled(DomainError):
    """The manifest closes only when every dispatched card is handed over or returned."""


class CourierChecksInOwnReturn(DomainError):
    """The returning check-in is done by an officer other than the courier."""


class NotTheCouriersManifest(DomainError):
    """A courier records results only on their own manifest."""


class OutcomeAlreadyFinal(DomainError):
    """The card's outcome on this manifest is already final (handed over or coming back)."""


class InvalidResultsFile(InvalidInput):
    """A courier's results file has bad rows; nothing was recorded."""

    @property
    def details(self) -> list[str]:
        """One line per bad row: ``line N: reason``."""
        rows = self.facts.get("rows", [])
        return [str(row) for row in rows] if isinstance(rows, list) else []


class InvalidRowsFile(InvalidInput):
    """A requests file or print-readiness list has bad rows; nothing was recorded."""

    @property
    def details(self) -> list[str]:
        """One line per bad row shown: ``line N, column C: reason``."""
        rows = self.facts.get("rows", [])
        return [str(row) for row in rows] if isinstance(rows, list) else []


class BatchIncomplete(DomainError):
    """Some cards of a print batch (allocate --all-ready, print --run) failed; the
    others were recorded, each in its own transaction."""

    @property
    def details(self) -> list[str]:
        """One line per failed card."""
        rows = self.facts.get("rows", [])
        return [str(row) for row in rows] if isinstance(rows, list) else []


class InvalidHappenedAt(InvalidInput):
    """A time given for when something happened (``--at``) is in the future, or before the
    card left the office."""


class MangledNumber(InvalidInput):
    """A NIK or KK number in a file was changed by a spreadsheet (E-notation, lost digits, .0)."""


class UncheckedDigits(MangledNumber):
    """A CSV's NIK or KK is 16 bare digits ending in 0, as a spreadsheet leaves every 16-digit
    number it rounded; accepted only once the clerk checked them (``--digits-checked``)."""


# --- rules of the blank stock ledger --------------------------------------------
class SerialAlreadyReceived(DomainError):
    """A serial is never received twice."""


class BlankAlreadyHeld(DomainError):
    """A serial borrowed is already on this office's books."""


class BlankNotAvailable(DomainError):
    """The blank's state does not allow this action (e.g. only spoiled blanks are destroyed)."""


class NoBlankInStock(DomainError):
    """There is no blank in stock to allocate."""


class BlankNotHeldByCard(DomainError):
    """The blank is not the one allocated to this card in the ledger."""


class CardAlreadyHoldsBlank(DomainError):
    """The ledger already holds a blank allocated to this card."""


class NotOnLoan(DomainError):
    """A loan return names a blank not lent to (or borrowed from) that office."""


class NothingToDestroy(DomainError):
    """No spoiled blank waits for destruction."""


class BlanksUnaccounted(DomainError):
    """A reconciliation found blanks the history does not account for."""
