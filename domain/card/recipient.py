"""Who received a card: the owner, or a proxy from the same family card."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ektp.domain.card.vocabulary import RecipientKind, Relationship


def _optional_relationship(value: str | None) -> Relationship | None:
    return None if value is None else Relationship(value)


@attrs.frozen
class Recipient:
    """The person the card was handed to; a proxy's NIK, name, KK and relationship."""

    kind: RecipientKind = attrs.field(converter=RecipientKind)
    nik: str | None = None
    name: str | None = None
    kk: str | None = None
    relationship: Relationship | None = attrs.field(
        default=None, converter=_optional_relationship
    )

    @classmethod
    def owner(cls) -> Recipient:
        """The card's owner in person."""
        return cls(RecipientKind.OWNER)

    @classmethod
    def coerce(cls, value: Recipient | Mapping[str, Any]) -> Recipient:
        """Accept a Recipient or its stored dict form."""
        return value if isinstance(value, Recipient) else cls(**value)


def to_recipient(value: Recipient | Mapping[str, Any]) -> Recipient:
    """Converter for event fields: a Recipient from itself or its stored form."""
    return Recipient.coerce(value)
