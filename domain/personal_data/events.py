"""The access log's one event. Its module path is stored with every event: never move
or rename it.

Each staff login has one stream a day (`state.log_id`): every access a member makes
that day is appended to it. Only that login writes it, so two clerks reading cards at
the same moment never conflict on the log (one office-wide stream would serialise
every `card show --full` of the office); a stream a day keeps each one short, so
appending reads a few events, not a member's whole history.
"""

from __future__ import annotations

import attrs

from ektp.domain.event import DomainEvent


def to_subjects(values: object) -> tuple[str, ...]:
    """Accept a list or tuple of pseudonyms (as stored: a JSON list)."""
    return tuple(str(v) for v in values)  # type: ignore[attr-defined]


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class PersonalDataAccessed(DomainEvent):
    """`staff` was shown personal data in full: `what` names the display (``card show
    --full``, ``manifest sheet``, ``audit export --reveal-personal-data``, the API),
    `subjects` are the people shown, each as the office's keyed pseudonym of their NIK
    (``MASKED~HMAC``, the audit export's form), `everyone` is true when the display held
    every resident of the office (a revealed export: its subjects are not listed one by
    one), and `purpose` is why (required for bulk access, None when not given)."""

    staff: str
    what: str
    subjects: tuple[str, ...] = attrs.field(converter=to_subjects)
    everyone: bool
    purpose: str | None


def to_cards(values: object) -> tuple[str, ...]:
    """Accept a list or tuple of card ids (as stored: a JSON list of strings)."""
    return tuple(str(v) for v in values)  # type: ignore[attr-defined]


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class PersonalDataErased(DomainEvent):
    """A resident's personal data was erased (UU PDP Art. 43-44): the key their NIK, KK
    number and name were encrypted under is destroyed in this event's transaction
    (`ektp.adapters.event_store.subjects`). It holds none of the erased data: `subject`
    is the office's keyed pseudonym of the NIK (``MASKED~HMAC``, the form of the access
    log and the audit export), `cards` the ids of the person's cards, `record_number`
    the signed record of the erasure, `legal_basis` why (the request, or the retention
    policy), and `staff` the head of office who erased it."""

    subject: str
    cards: tuple[str, ...] = attrs.field(converter=to_cards)
    record_number: str
    legal_basis: str
    staff: str
