"""Erasure and retention (UU PDP Art. 43-44): ``ektp personal-data erase`` and
``ektp personal-data apply-retention``.

Erasing a resident writes one `PersonalDataErased` (no erased data in it) and, in the
same transaction, destroys the key their personal fields are encrypted under (the
store's recorder does it when it writes the event: `ektp.adapters.event_store.subjects`).
From then on their NIK, KK number, name and phone read back as erased in every stored event,
the card_status rows of their cards lose their initials and blind indexes, and every
journal leaf, proof and export verifies as before.

A person known to the office only as a proxy (they collected someone's card, never
requested one) is erased the same way: the hand-overs they collected are found through
the ``proxy_index`` of ``card_status`` (a blind index of the proxy's NIK, no NIK
stored), each confirmed from the card's own events, and the event lists them as
`collected`. Their key destroyed, their NIK, KK and name read as erased in those
hand-overs; the card holders' data is not touched. A person who is both is erased as
both, in one event.

Retention erases, as a whole, every person the office has kept long enough: whose own
cards were all closed (handed over, cancelled, destroyed) and whose last collection as
a proxy happened more than the configured number of years ago
(``[retention] closed_card_years``): a whole-subject erasure, not field by field.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import attrs

from ektp.application.card.lookup import cards_of_nik
from ektp.application.errors import ErasureUnavailable
from ektp.application.kernel.i18n import N_, _
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Reads, Transaction
from ektp.application.ports.pseudonyms import NIK
from ektp.application.personal_data.record import pseudonymiser
from ektp.domain.actor import Actor
from ektp.domain.card import events as ev
from ektp.domain.card.state import Card, project
from ektp.domain.card.vocabulary import RecipientKind
from ektp.domain.erased import is_erased
from ektp.domain.errors import AlreadyErased, CardNotFound
from ektp.domain.masking import mask_digits
from ektp.domain.personal_data.erasure import (
    ERASE,
    EraseData,
    ErasureLog,
    decide_erasure,
    erasure_id,
    kept_long_enough,
)
from ektp.domain.personal_data.erasure import project as project_log
from ektp.domain.text import parse_text

NO_SUBJECT_KEYS = N_("the office has no cipher key (ektp keys init), so personal fields are not "
                    "encrypted under each resident's own key")
NO_SUBJECT_TABLE = N_("this PostgreSQL database has no table of per-subject keys (it was made "
                      "before them): its owner runs 'ektp db upgrade', then 'ektp db init'")


@attrs.frozen
class Erasure:
    """What an erasure did: whose (masked NIK), which of their own cards, under which
    record, and the cards whose hand-over they collected as a proxy."""

    masked: str
    cards: tuple[str, ...]
    record_number: str
    collected: tuple[str, ...] = ()


@attrs.frozen
class RetentionCandidate:
    """A person the retention policy erases: masked NIK, their own cards, the cards they
    collected as a proxy, and the latest closing or collection of them all."""

    masked: str
    cards: tuple[str, ...]
    last_closed: dt.datetime
    collected: tuple[str, ...] = ()

    @property
    def proxy(self) -> bool:
        """Whether they are known (also) as a proxy who collected someone's card."""
        return bool(self.collected)


class ErasureDesk:
    """Erasing one resident's personal data, and the retention policy."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def _check_store(self) -> None:
        subjects = getattr(self._services.store.app.mapper, "subjects", None)
        if subjects is None:
            raise ErasureUnavailable(reason=_(NO_SUBJECT_KEYS))
        if not subjects.available():
            raise ErasureUnavailable(reason=_(NO_SUBJECT_TABLE))

    def erase(self, actor: Actor | None, nik: str, *, record_number: str,
              legal_basis: str) -> Erasure:
        """Erase the personal data of the person `nik` names (head of office only;
        refused while one of their cards is open, or when nothing is left to erase)."""
        s = self._services
        the_nik = s.parse_nik(nik)
        s.authorise(actor, ERASE)
        assert actor is not None  # authorised above
        record = parse_text(record_number, "record number")
        basis = parse_text(legal_basis, "legal basis")
        self._check_store()
        return self._erase(actor, the_nik.value, record, basis)

    def _erase(self, actor: Actor, nik: str, record: str, basis: str) -> Erasure:
        s = self._services
        subject = pseudonymiser(s).number(nik)
        masked = mask_digits(nik)
        stamp = s.stamp(actor)
        command = EraseData(actor=stamp["actor"], at=stamp["at"], office=stamp["office"],
                            subject=subject, masked=masked, record_number=record,
                            legal_basis=basis)
        # The read model is only where to look (caught up, outside the transaction):
        # each card it names is confirmed from the card's own events below.
        maybe_collected = self._maybe_collected(nik)

        def attempt(tx: Transaction) -> Erasure:
            ids = cards_of_nik(s, tx, s.parse_nik(nik))
            cards = [c for c in (tx.load(i, project) for i in ids) if isinstance(c, Card)]
            collected = _collected_by(tx, maybe_collected, nik)
            log = tx.load(erasure_id(subject), project_log)
            if not cards and not collected:
                # A proxy erased before is in no index any more: their erasures say so.
                raise AlreadyErased(masked=masked) if log else CardNotFound(ref=f"NIK {masked}")
            event = decide_erasure(command, log, cards, collected)
            tx.record([event], ErasureLog(id=event.originator_id, version=event.originator_version))
            # The cached states hold the data in full: read again once erased.
            loaded = (*ids, *(c.id for c in collected))
            tx.after_commit(lambda: s.store.evict(loaded))
            return Erasure(masked=masked, cards=event.cards, record_number=record,
                           collected=event.collected or ())

        return s.store.transact(attempt, ref=f"NIK {masked}")

    def _maybe_collected(self, nik: str) -> tuple[UUID, ...]:
        """The cards the read model says the proxy `nik` collected (by blind index)."""
        s = self._services
        return s.read_models.collected_by(s.pseudonyms.index(NIK, nik))

    def retention_due(self, actor: Actor | None, years: int,
                      now: dt.datetime | None = None) -> tuple[RetentionCandidate, ...]:
        """The people the office has kept more than `years` years before `now` (head of
        office only): every card of their own closed, and every card they collected as
        a proxy handed over, before then. Found through the card list (closed cards,
        hand-overs to a proxy) and confirmed from the cards' events."""
        s = self._services
        s.authorise(actor, ERASE)
        cutoff = years_before(now or s.now(), years)
        people: set[str] = set()
        for card_id in s.read_models.closed_cards_before(cutoff):
            card = s.store.load(card_id, project)
            if isinstance(card, Card) and not is_erased(card.nik):
                people.add(card.nik)
        for card_id in s.read_models.collections_before(cutoff):
            card = s.store.load(card_id, project)
            proxy = _proxy_nik(card) if isinstance(card, Card) else None
            if proxy is not None:
                people.add(proxy)
        due = []
        for nik in people:
            reads = s.store.reads()  # one a person: a Reads keeps what it read
            ids = cards_of_nik(s, reads, s.parse_nik(nik))
            cards = [c for c in (s.store.load(i, project) for i in ids) if isinstance(c, Card)]
            collected = _collected_by(reads, self._maybe_collected(nik), nik)
            last = kept_long_enough(cards, collected, cutoff)
            if last is not None:
                due.append(RetentionCandidate(
                    masked=mask_digits(nik), cards=tuple(str(c.id) for c in cards),
                    last_closed=last, collected=tuple(str(c.id) for c in collected)))
        return tuple(sorted(due, key=lambda c: (c.last_closed, c.masked)))

    def apply_retention(self, actor: Actor | None, years: int, *, record_number: str,
                        now: dt.datetime | None = None) -> tuple[Erasure, ...]:
        """Erase every person `retention_due` lists, one transaction each."""
        s = self._services
        s.authorise(actor, ERASE)
        assert actor is not None
        record = parse_text(record_number, "record number")
        self._check_store()
        basis = f"retention policy: {years} years after the card was closed"
        done = []
        for candidate in self.retention_due(actor, years, now):
            nik = (_nik_of(s, UUID(candidate.cards[0])) if candidate.cards
                   else _proxy_nik(s.store.load(UUID(candidate.collected[0]), project)))
            assert nik is not None  # the candidate was found by it
            done.append(self._erase(actor, nik, record, basis))
        return tuple(done)


def _proxy_nik(card: Card | None) -> str | None:
    """The NIK of the proxy who collected `card`, if a proxy did and is not erased."""
    recipient = card.recipient if card is not None else None
    if recipient is None or recipient.kind is not RecipientKind.PROXY:
        return None
    nik = recipient.nik
    return nik if isinstance(nik, str) and not is_erased(nik) else None


def _collected_by(reads: Reads, ids: tuple[UUID, ...], nik: str) -> list[Card]:
    """The cards among `ids` whose hand-over the proxy `nik` collected, from the cards'
    own events (a blind index only says where to look)."""
    cards = [reads.load(i, project) for i in ids]
    return [c for c in cards if isinstance(c, Card) and _proxy_nik(c) == nik]


def _nik_of(services: Services, card_id: UUID) -> str:
    """The NIK a card was requested for (its first event)."""
    first = next(iter(services.store.events(card_id)))
    assert isinstance(first, ev.Requested)
    return first.nik



def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """The same day and time `years` years before `moment` (29 February: the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)
