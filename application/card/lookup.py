"""Finding the card a clerk means: CARD is a card id, or the NIK of its open request.

Used by the card desk and by every desk that acts on cards (a manifest's
cards, a results file's rows), through the loads of the caller's transaction.
"""

from __future__ import annotations

from uuid import UUID

from ektp.application.errors import InvalidCardReference
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Reads
from ektp.domain import open_requests
from ektp.domain.card.state import Card, project
from ektp.domain.errors import CardNotFound
from ektp.domain.masking import mask_digits
from ektp.domain.nik import strip_separators


def card_id(services: Services, reads: Reads, ref: str | UUID) -> UUID:
    """The id of the card `ref` names: an id as it is, a NIK through its open-request register."""
    if isinstance(ref, UUID):
        return ref
    text = ref.strip()
    try:
        return UUID(text)
    except ValueError:
        pass
    digits = strip_separators(text)
    if not (len(digits) == 16 and digits.isascii() and digits.isdigit()):
        raise InvalidCardReference(ref=text[:40] if not digits.isdigit() else mask_digits(digits))
    nik = services.parse_nik(digits)
    register = reads.load(open_requests.register_id(nik), open_requests.project)
    if register is None or register.card_id is None:
        raise CardNotFound(ref=f"NIK {nik.masked} (no open request)")
    return register.card_id


def load_card(services: Services, reads: Reads, ref: str | UUID) -> Card:
    """The card `ref` names, or `CardNotFound`."""
    the_id = card_id(services, reads, ref)
    card = reads.load(the_id, project)
    # Another aggregate's id (a manifest's, say) is no card, even when the transaction
    # already holds that aggregate's state under this id.
    if not isinstance(card, Card):
        raise CardNotFound(ref=f"card {the_id}")
    return card
