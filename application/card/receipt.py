"""`Receipt`: what the request receipt (tanda terima pengajuan) shows of one card.

Masked only: the receipt is handed across the counter and may be lost, so it carries
the card's short code, the masked NIK and the name's initials, never the full NIK or
name; the short code is what the resident quotes (``ektp card show`` takes it).
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import attrs

from ektp.domain.card.state import Card
from ektp.domain.masking import initials, mask_digits

SHORT_CODE_LENGTH = 8


def short_code(card_id: UUID) -> str:
    """The card's short code: the first 8 hex digits of its id (an id prefix every
    command that takes a CARD accepts)."""
    return card_id.hex[:SHORT_CODE_LENGTH]


@attrs.frozen
class Receipt:
    """One card as its request receipt shows it (masked NIK, initials)."""

    card_id: UUID
    short_code: str
    masked_nik: str
    initials: str
    village: str
    village_name: str
    status: str
    requested_at: dt.datetime
    office_name: str

    @classmethod
    def of(cls, card: Card, village_name: str, office_name: str) -> Receipt:
        """The receipt of `card`, whose village is named `village_name`."""
        return cls(card_id=card.id, short_code=short_code(card.id), masked_nik=mask_digits(card.nik),
                   initials=initials(card.name), village=card.village, status=card.status.value,
                   village_name=village_name, requested_at=card.requested_at,
                   office_name=office_name)
