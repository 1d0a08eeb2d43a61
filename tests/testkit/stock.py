"""Putting blanks in stock, since a card takes its blank from the ledger."""

from __future__ import annotations

from typing import Any

from testkit.people import OPERATOR

FIRST = 3517170001


def stock(office: Any, count: int = 500, first: int = FIRST) -> str:
    """Receive `count` blanks from `first` on (3517170001-3517170500 by default); return the range."""
    serials = f"{first}-{first + count - 1}"
    office.receive_blanks(OPERATOR, bast=f"BAST/TEST/{first}", source="ministry", ranges=[serials])
    return serials


def ensure_stock(office: Any) -> None:
    """Receive the default blanks unless this office's ledger already holds some."""
    if office.blank_ledger().received == 0:
        stock(office)
