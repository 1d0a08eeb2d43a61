"""The closed sets of words the card's events use (stored as their string values)."""

from __future__ import annotations

import enum


class CardStatus(enum.StrEnum):
    """Where a card is in its life."""

    REQUESTED = "REQUESTED"
    READY_TO_PRINT = "READY_TO_PRINT"
    BLANK_ALLOCATED = "BLANK_ALLOCATED"
    PRINTED = "PRINTED"
    DISPATCHED = "DISPATCHED"
    HANDED_OVER = "HANDED_OVER"
    RETURNED = "RETURNED"
    CANCELLED = "CANCELLED"
    UNCOLLECTED = "UNCOLLECTED"
    DESTROYED = "DESTROYED"


# A request is open until the card reaches one of these; the NIK is then free.
CLOSED_STATUSES = frozenset({CardStatus.HANDED_OVER, CardStatus.CANCELLED, CardStatus.DESTROYED})
# Cancelling is allowed only before printing.
CANCELLABLE_STATUSES = frozenset(
    {CardStatus.REQUESTED, CardStatus.READY_TO_PRINT, CardStatus.BLANK_ALLOCATED}
)


class RequestReason(enum.StrEnum):
    """Why the resident asked for a card."""

    NEW = "new"
    LOST = "lost"
    DAMAGED = "damaged"
    DATA_CHANGE = "data-change"


# Reasons whose hand-over needs the old card surrendered.
SURRENDER_REASONS = frozenset({RequestReason.DAMAGED, RequestReason.DATA_CHANGE})


class Channel(enum.StrEnum):
    """Where the request came in."""

    OFFICE = "office"
    VILLAGE = "village"
    KECAMATAN = "kecamatan"
    ONLINE = "online"


class PrintFailureReason(enum.StrEnum):
    """Why a print try spoiled its blank."""

    PRINT_FAILED = "print-failed"
    CHIP_NOT_ENCODED = "chip-not-encoded"
    PHYSICAL_DAMAGE = "physical-damage"


class AttemptFailureReason(enum.StrEnum):
    """Why a courier could not hand the card over."""

    NOT_AT_HOME = "not-at-home"
    ADDRESS_NOT_FOUND = "address-not-found"
    MOVED = "moved"
    REFUSED = "refused"
    IDENTITY_MISMATCH = "identity-mismatch"
    DECEASED = "deceased"


class RecipientKind(enum.StrEnum):
    """Who received the card."""

    OWNER = "owner"
    PROXY = "proxy"


class Relationship(enum.StrEnum):
    """A proxy's relationship to the owner, as written on the KK."""

    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    IN_LAW = "in-law"
    OTHER_FAMILY = "other-family"


class Verification(enum.StrEnum):
    """How the recipient's identity was checked."""

    FINGERPRINT = "fingerprint"
    KTP = "ktp"
    KK = "kk"


class HandOverPlace(enum.StrEnum):
    """Where the hand-over happened."""

    DOOR = "door"
    OFFICE = "office"
    KECAMATAN = "kecamatan"
