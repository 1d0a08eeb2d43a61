"""Refusals that come from the world rather than from a domain rule."""

from __future__ import annotations

from ektp.domain.errors import DomainError, ErrorKind, InvalidInput, NotFound


class StoreUnavailable(DomainError):
    """The event store cannot be reached, opened or written (facts: reason)."""

    kind = ErrorKind.UNAVAILABLE


class OfficeClosed(DomainError):
    """The office has been closed (`Office.close`): no call can use its store any more."""

    kind = ErrorKind.UNAVAILABLE


class SetupRefused(DomainError):
    """``db init`` cannot set the database up as asked (facts: reason)."""


class InvalidCardReference(InvalidInput):
    """CARD is neither a card id, an id prefix, nor a NIK."""


class AmbiguousIdPrefix(InvalidInput):
    """An id prefix matches several records (facts: prefix, count, what)."""


class UnknownRegionName(InvalidInput):
    """No village or kecamatan of the regency has that name (facts: kind, name)."""


class AmbiguousRegionName(InvalidInput):
    """Several villages or kecamatan of the regency have that name (facts: kind, name,
    count, codes)."""


class VillageOutsideRegency(DomainError):
    """The village is not in the office's own regency."""


class RegionDataUnavailable(DomainError):
    """The region directory's data cannot be read (facts: reason)."""

    kind = ErrorKind.UNAVAILABLE


# --- audit export, verification and reconciliation ------------------------------
class AuditCheckFailed(DomainError):
    """An export does not check out: altered, incomplete or malformed (facts: where, reason)."""

    kind = ErrorKind.AUDIT_FAILED


class ReconcileProblems(DomainError):
    """Reconciliation found problems (facts: count, checks)."""

    kind = ErrorKind.AUDIT_FAILED


class AuditKeyMissing(InvalidInput):
    """A pseudonymised export was asked for but the office's audit key is not configured."""


class AuditKeyInvalid(InvalidInput):
    """The configured audit key is malformed or too short (facts: reason)."""


class SigningKeyInvalid(InvalidInput):
    """A signing or public key file cannot be read as an Ed25519 PEM key (facts: path, reason)."""


class NothingToExport(NotFound):
    """No exported event follows the given position (facts: after)."""


class AuditOutputExists(InvalidInput):
    """The output folder already holds an export (facts: path)."""


class AuditFilesUnavailable(DomainError):
    """An export's files cannot be read or written (facts: path, reason)."""

    kind = ErrorKind.UNAVAILABLE


class FileRefused(InvalidInput):
    """A file or folder ektp was asked to write (or a file handed in) is refused by the
    file rules of `ektp.adapters.files`, or cannot be used (facts: path, reason)."""


class CipherKeyMissing(DomainError):
    """A stored event is encrypted but no cipher key is configured (facts: key_id)."""

    kind = ErrorKind.UNAVAILABLE


class ErasureUnavailable(DomainError):
    """Personal data cannot be erased on this store: its personal fields are not
    encrypted under per-subject keys (facts: reason)."""

    kind = ErrorKind.UNAVAILABLE


class CipherKeyWrong(DomainError):
    """A stored event is encrypted with another key than the one configured (facts:
    found, configured)."""

    kind = ErrorKind.UNAVAILABLE


class CipherKeyInvalid(InvalidInput):
    """The cipher key file cannot be used (facts: path, reason)."""


class InvalidAuditTime(InvalidInput):
    """A time given to an audit command is not ISO 8601 (facts: value)."""


# --- the journal, checkpoints and proofs (issue 13) -------------------------------
class JournalKeyMissing(InvalidInput):
    """A write was asked for, but the office's audit key (which keys the journal's
    pseudonyms) is not configured."""


class JournalKeyMismatch(DomainError):
    """The configured audit key is not the journal's (facts: expected, given)."""


class JournalMissing(DomainError):
    """The database predates the journal: `ektp db upgrade` builds it."""


class JournalDamaged(DomainError):
    """The journal's own rows are inconsistent (facts: reason)."""

    kind = ErrorKind.AUDIT_FAILED


class JournalAlreadyBuilt(DomainError):
    """`db upgrade` found the journal already there (facts: detail)."""


class NoCheckpoint(NotFound):
    """No checkpoint is stored (or none of that size) (facts: what)."""


class InvalidCheckpoint(InvalidInput):
    """A checkpoint, proof or bundle file cannot be read (facts: where, reason)."""


class ProofRefused(DomainError):
    """A proof, a checkpoint's signature or a consistency check does not verify
    (facts: where, reason)."""

    kind = ErrorKind.AUDIT_FAILED



class DocumentPrinterUnavailable(DomainError):
    """A paper cannot be printed to PDF: headless Chromium is missing or failed (facts: reason)."""

    kind = ErrorKind.UNAVAILABLE
