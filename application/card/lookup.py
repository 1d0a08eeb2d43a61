"""Finding the card a clerk means. CARD is a card id, the first 8 or more characters of
one (``1b4e28ba``, ``1B4E-28BA``), or a NIK: the NIK's open card, else its latest card
in any status (a resident who phones in after the hand-over is still found).

Used by the card desk and by every desk that acts on cards (a manifest's
cards, a results file's rows), through the loads of the caller's transaction.
A NIK is found through its open-request register (`ektp.domain.open_requests`),
which names every card requested for it; no list holds the NIK itself.
"""

from __future__ import annotations

from uuid import UUID

from ektp.application.errors import InvalidCardReference
from ektp.application.kernel.references import PREFIX_PROBE, hyphenated, id_prefix, only_match
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Reads
from ektp.application.ports.pseudonyms import NIK
from ektp.domain.card.state import Card, project
from ektp.domain.card.vocabulary import RecipientKind
from ektp.domain.erased import is_erased
from ektp.domain.errors import CardNotFound
from ektp.domain.masking import mask_digits
from ektp.domain.nik import Nik, strip_separators


def card_id(services: Services, reads: Reads, ref: str | UUID) -> UUID:
    """The id of the card `ref` names: an id as it is, an id prefix through the card
    list, a NIK through its open-request register (its open card, else its latest)."""
    if isinstance(ref, UUID):
        return ref
    text = ref.strip()
    try:
        return UUID(text)
    except ValueError:
        pass
    digits = strip_separators(text)
    if not (len(digits) == 16 and digits.isascii() and digits.isdigit()):
        prefix = id_prefix(text)
        if prefix is None:
            raise InvalidCardReference(ref=text[:40] if not digits.isdigit() else mask_digits(digits))
        return card_with_prefix(services, prefix)
    nik = services.parse_nik(digits)
    cards = cards_of_nik(services, reads, nik)
    if not cards:
        raise CardNotFound(ref=f"NIK {nik.masked}")
    return cards[-1]


def card_with_prefix(services: Services, prefix: str) -> UUID:
    """The one card whose id starts with the hex digits `prefix` (`CardNotFound`, or
    `AmbiguousIdPrefix` when several do)."""
    found = services.read_models.ids_with_prefix("card", hyphenated(prefix), PREFIX_PROBE)
    the_id = only_match(found, prefix, "card")
    if the_id is None:
        raise CardNotFound(ref=f"the id prefix {prefix}")
    return the_id


def cards_of_nik(services: Services, reads: Reads, nik: Nik) -> tuple[UUID, ...]:
    """Every card requested for `nik`, oldest first; the open one, if any, is the last
    (a NIK holds at most one open request)."""
    # Imported here: the NIK register's code is for the lookups by NIK alone (`ektp card
    # ready`, by card id, starts quicker without it).
    from ektp.application.card.registers import find_register

    register = find_register(services, reads, nik)
    if register is None:
        return ()
    if register.card_id is not None and register.claimed[-1:] != (register.card_id,):
        return (*[c for c in register.claimed if c != register.card_id], register.card_id)
    return register.claimed


def load_card(services: Services, reads: Reads, ref: str | UUID) -> Card:
    """The card `ref` names, or `CardNotFound`."""
    the_id = card_id(services, reads, ref)
    card = reads.load(the_id, project)
    # Another aggregate's id (a manifest's, say) is no card, even when the transaction
    # already holds that aggregate's state under this id.
    if not isinstance(card, Card):
        raise CardNotFound(ref=f"card {the_id}")
    return card


def proxy_nik(card: Card | None) -> str | None:
    """The NIK of the proxy who collected `card`, if a proxy did and is not erased."""
    recipient = card.recipient if card is not None else None
    if recipient is None or recipient.kind is not RecipientKind.PROXY:
        return None
    nik = recipient.nik
    return nik if isinstance(nik, str) and not is_erased(nik) else None


def cards_collected_by(services: Services, reads: Reads, nik: str) -> list[Card]:
    """The cards whose hand-over the proxy `nik` collected: the card list's blind index
    of the proxy's NIK says where to look, the cards' own events confirm it."""
    candidates = services.read_models.collected_by(services.pseudonyms.index(NIK, nik))
    return collected_among(reads, candidates, nik)


def collected_among(reads: Reads, ids: tuple[UUID, ...], nik: str) -> list[Card]:
    """The cards among `ids` whose hand-over the proxy `nik` collected, from the cards'
    own events (a blind index only says where to look)."""
    cards = [reads.load(i, project) for i in ids]
    return [c for c in cards if isinstance(c, Card) and proxy_nik(c) == nik]
