"""Refusals that come from the world rather than from a domain rule."""

from __future__ import annotations

from ektp.domain.errors import DomainError, ErrorKind, InvalidInput


class StoreUnavailable(DomainError):
    """The event store cannot be reached, opened or written (facts: reason)."""

    kind = ErrorKind.UNAVAILABLE


class InvalidCardReference(InvalidInput):
    """CARD is neither a card id nor a NIK."""


class VillageOutsideRegency(DomainError):
    """The village is not in the office's own regency."""


class RegionDataUnavailable(DomainError):
    """The region directory's data cannot be read (facts: reason)."""

    kind = ErrorKind.UNAVAILABLE
