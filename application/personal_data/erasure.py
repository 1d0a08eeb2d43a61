"""Erasure and retention (UU PDP Art. 43-44): ``ektp personal-data erase`` and
``ektp personal-data apply-retention``.

Erasing a resident writes one `PersonalDataErased` (no erased data in it) and, in the
same transaction, destroys the key their personal fields are encrypted under (the
store's recorder does it when it writes the event: `ektp.adapters.event_store.subjects`).
From then on their NIK, KK number, name and phone read back as erased in every stored event,
the card_status rows of their cards lose their initials and blind indexes, and every
journal leaf, proof and export verifies as before.

Retention erases, as a whole, every resident whose cards were all closed (handed over,
cancelled, destroyed) more than the configured number of years ago
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
from ektp.application.kernel.transaction import Transaction
from ektp.application.personal_data.record import pseudonymiser
from ektp.domain.actor import Actor
from ektp.domain.card import events as ev
from ektp.domain.card.state import Card, project
from ektp.domain.erased import is_erased
from ektp.domain.errors import CardNotFound
from ektp.domain.masking import mask_digits
from ektp.domain.personal_data.erasure import (
    ERASE,
    EraseData,
    ErasureLog,
    decide_erasure,
    erasure_id,
)
from ektp.domain.personal_data.erasure import project as project_log
from ektp.domain.text import parse_text

NO_SUBJECT_KEYS = N_("the office has no cipher key (ektp keys init), so personal fields are not "
                    "encrypted under each resident's own key")
NO_SUBJECT_TABLE = N_("this PostgreSQL database has no table of per-subject keys (it was made "
                      "before them): its owner runs 'ektp db upgrade', then 'ektp db init'")


@attrs.frozen
class Erasure:
    """What an erasure did: whose (masked NIK), which cards, under which record."""

    masked: str
    cards: tuple[str, ...]
    record_number: str


@attrs.frozen
class RetentionCandidate:
    """A resident the retention policy erases: masked NIK, cards, latest closing."""

    masked: str
    cards: tuple[str, ...]
    last_closed: dt.datetime


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

        def attempt(tx: Transaction) -> Erasure:
            ids = cards_of_nik(s, tx, s.parse_nik(nik))
            cards = [c for c in (tx.load(i, project) for i in ids) if isinstance(c, Card)]
            if not cards:
                raise CardNotFound(ref=f"NIK {masked}")
            log = tx.load(erasure_id(subject), project_log)
            event = decide_erasure(command, log, cards)
            tx.record([event], ErasureLog(id=event.originator_id, version=event.originator_version))
            # The cached states hold the data in full: read again once erased.
            tx.after_commit(lambda: s.store.evict(ids))
            return Erasure(masked=masked, cards=event.cards, record_number=record)

        return s.store.transact(attempt, ref=f"NIK {masked}")

    def retention_due(self, actor: Actor | None, years: int,
                      now: dt.datetime | None = None) -> tuple[RetentionCandidate, ...]:
        """The residents whose every card closed more than `years` years before `now`
        (head of office only), found through the card list and their cards' events."""
        s = self._services
        s.authorise(actor, ERASE)
        cutoff = years_before(now or s.now(), years)
        by_nik: dict[str, list[Card]] = {}
        for card_id in s.read_models.closed_cards_before(cutoff):
            card = s.store.load(card_id, project)
            if isinstance(card, Card) and not is_erased(card.nik):
                by_nik.setdefault(card.nik, []).append(card)
        due = []
        for nik in by_nik:
            ids = cards_of_nik(s, s.store.reads(), s.parse_nik(nik))
            cards = [c for c in (s.store.load(i, project) for i in ids) if isinstance(c, Card)]
            if cards and all(c.closed_at is not None and c.closed_at < cutoff for c in cards):
                due.append(RetentionCandidate(
                    masked=mask_digits(nik), cards=tuple(str(c.id) for c in cards),
                    last_closed=max(c.closed_at for c in cards if c.closed_at is not None)))
        return tuple(sorted(due, key=lambda c: (c.last_closed, c.masked)))

    def apply_retention(self, actor: Actor | None, years: int, *, record_number: str,
                        now: dt.datetime | None = None) -> tuple[Erasure, ...]:
        """Erase every resident `retention_due` lists, one transaction each."""
        s = self._services
        s.authorise(actor, ERASE)
        assert actor is not None
        record = parse_text(record_number, "record number")
        self._check_store()
        basis = f"retention policy: {years} years after the card was closed"
        done = []
        for candidate in self.retention_due(actor, years, now):
            nik = _nik_of(s, UUID(candidate.cards[0]))
            done.append(self._erase(actor, nik, record, basis))
        return tuple(done)


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
