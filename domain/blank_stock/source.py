"""Where a consignment came from: the ministry, the province, or another office."""

from __future__ import annotations

from ektp.domain.blank_stock.vocabulary import SourceKind
from ektp.domain.errors import InvalidSource
from ektp.domain.text import parse_reference


def parse_source(text: str) -> tuple[SourceKind, str | None]:
    """Read ``ministry``, ``province`` or ``office:NAME``; the office name for the last."""
    kind_text, colon, office = text.strip().partition(":")
    kind = kind_text.strip().casefold()
    if kind in (SourceKind.MINISTRY, SourceKind.PROVINCE) and not colon:
        return SourceKind(kind), None
    if kind == SourceKind.OFFICE and office.strip():
        return SourceKind.OFFICE, parse_reference(office, "source office")
    raise InvalidSource(value=text.strip()[:40])


def describe_source(kind: SourceKind, office: str | None) -> str:
    """The source as typed: ``ministry``, ``province`` or ``office:NAME``."""
    return f"{kind.value}:{office}" if kind is SourceKind.OFFICE else kind.value
