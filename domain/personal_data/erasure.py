"""Erasing a resident's personal data (UU PDP Art. 43-44), decided.

A resident's data may be erased only once none of their cards is open: an open card
still needs its holder's NIK, name and KK to be printed, delivered and handed over.
There must be something left to erase (a person whose every card, and every hand-over
they collected as a proxy, already reads as erased is refused), and only the head of
office may erase. Each data subject has one stream of erasures (`erasure_id`, derived
from the subject's pseudonym, no NIK).

A person may be known to the office as a card holder, as a proxy who collected someone
else's card (their NIK, KK and name are in that card's hand-over), or both. One key
seals all of it (the key of their NIK's pseudonym), so one erasure erases all of it:
the event lists their own cards (`cards`) and the cards they collected (`collected`).
Only their own open cards refuse it: a card they collected is closed by that hand-over,
and its holder's data is not theirs to erase.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from uuid import UUID

import attrs

from ektp.domain.actor import Actor, require_permission
from ektp.domain.card.state import Card
from ektp.domain.erased import is_erased
from ektp.domain.errors import AlreadyErased, ErasureWhileCardOpen
from ektp.domain.event import next_event
from ektp.domain.personal_data.events import PersonalDataErased

ERASE = "erase a resident's personal data"
_NAMESPACE = UUID("2f4b9c1e-7a3d-4e58-9b06-d1c2e3f4a5b6")  # fixed forever: stream ids depend on it


def erasure_id(subject: str) -> UUID:
    """The stream of one data subject's erasures (a UUID5 of their pseudonym)."""
    return uuid.uuid5(_NAMESPACE, f"erasure/{subject}")


@attrs.frozen
class ErasureLog:
    """A subject's erasures so far: the stream id and its version."""

    id: UUID
    version: int


def project(log: ErasureLog | None, events: object) -> ErasureLog | None:
    """Fold the stream's events (the projector the event store's repository calls)."""
    for event in events:  # type: ignore[attr-defined]
        log = ErasureLog(id=event.originator_id, version=event.originator_version)
    return log


@attrs.frozen
class EraseData:
    """The command: who, when, where, whose (`subject`, `masked` for messages), the
    signed record and the legal basis."""

    actor: Actor
    at: dt.datetime
    office: str
    subject: str
    masked: str
    record_number: str
    legal_basis: str


def decide_erasure(command: EraseData, log: ErasureLog | None, cards: Sequence[Card],
                   collected: Sequence[Card] = ()) -> PersonalDataErased:
    """The erasure of `command.subject`, whose own cards are `cards` and who collected
    the cards `collected` as a proxy (at least one card between them), or the named
    refusal: not the head, one of their own cards still open, nothing left to erase."""
    require_permission(command.actor, ERASE)
    for card in cards:
        if card.is_open:
            raise ErasureWhileCardOpen(masked=command.masked, card=str(card.id)[:8],
                                       status=card.status.value)
    if (all(is_erased(card.nik) for card in cards)
            and all(_proxy_erased(card) for card in collected)):
        raise AlreadyErased(masked=command.masked)
    stream = erasure_id(command.subject)
    return next_event(PersonalDataErased, stream, log.version if log else 0, command,
                      subject=command.subject, cards=tuple(str(c.id) for c in cards),
                      record_number=command.record_number, legal_basis=command.legal_basis,
                      staff=command.actor.id,
                      # None, not (), for a card holder only: their event's data and
                      # journal leaf are then exactly those of version 1.
                      collected=tuple(str(c.id) for c in collected) or None)


def _proxy_erased(card: Card) -> bool:
    """Whether the proxy identity in `card`'s hand-over reads as erased (or is absent)."""
    recipient = card.recipient
    return recipient is None or recipient.nik is None or is_erased(recipient.nik)


def kept_long_enough(cards: Sequence[Card], collected: Sequence[Card],
                     cutoff: dt.datetime) -> dt.datetime | None:
    """The retention policy's rule for one person, whose own cards are `cards` and who
    collected `collected` as a proxy: the latest of their cards' closings and their
    collections when every one of them happened before `cutoff` (they are due), else
    None (an open card, a recent closing or a recent collection keeps the whole
    person; so does having nothing left to erase)."""
    moments = [card.closed_at for card in (*cards, *collected)]
    if not moments or any(at is None or at >= cutoff for at in moments):
        return None
    if all(is_erased(card.nik) for card in cards) and all(_proxy_erased(c) for c in collected):
        return None
    return max(at for at in moments if at is not None)
