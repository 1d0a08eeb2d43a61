"""The closed sets of words the ledger's events use (stored as their string values)."""

from __future__ import annotations

import enum


class BlankState(enum.StrEnum):
    """Where a blank serial is; each serial the office holds is in exactly one."""

    IN_STOCK = "IN_STOCK"
    ALLOCATED = "ALLOCATED"
    CONSUMED = "CONSUMED"
    SPOILED = "SPOILED"
    DESTROYED = "DESTROYED"
    LENT = "LENT"
    MISSING = "MISSING"


class SourceKind(enum.StrEnum):
    """Who sent a consignment."""

    MINISTRY = "ministry"
    PROVINCE = "province"
    OFFICE = "office"


class DestructionMethod(enum.StrEnum):
    """How spoiled blanks were destroyed (the chip must not survive)."""

    BURN = "burn"
    CUT = "cut"


class LoanDirection(enum.StrEnum):
    """Which way a loan return goes."""

    BACK_TO_US = "back-to-us"  # blanks we lent came back: LENT -> IN_STOCK
    BACK_TO_LENDER = "back-to-lender"  # blanks we borrowed went back: they leave our books
