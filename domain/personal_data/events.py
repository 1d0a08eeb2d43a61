"""The access log's one event. Its module path is stored with every event: never move
or rename it.

Each staff login has one stream a day (`state.log_id`): every access a member makes
that day is appended to it. Only that login writes it, so two clerks reading cards at
the same moment never conflict on the log (one office-wide stream would serialise
every `card show --full` of the office); a stream a day keeps each one short, so
appending reads a few events, not a member's whole history.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from ektp.domain.event import DomainEvent, added_field


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


def to_optional_cards(values: object) -> tuple[str, ...] | None:
    """Accept None, or a list or tuple of card ids (as stored: a JSON list of strings)."""
    return None if values is None else to_cards(values)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class PersonalDataErased(DomainEvent):
    """A resident's personal data was erased (UU PDP Art. 43-44): the key their NIK, KK
    number and name were encrypted under is destroyed in this event's transaction
    (`ektp.adapters.event_store.subjects`). It holds none of the erased data: `subject`
    is the office's keyed pseudonym of the NIK (``MASKED~HMAC``, the form of the access
    log and the audit export), `cards` the ids of the person's cards, `record_number`
    the signed record of the erasure, `legal_basis` why (the request, or the retention
    policy), and `staff` the head of office who erased it.

    Version 2: `collected`, the ids of the cards whose hand-over the person collected as
    a proxy (their NIK, KK and name in it erased; the card holder's data kept), None when
    they collected none (and in events of version 1, which did not record it: the key
    they destroyed erased the person's proxy identity all the same)."""

    subject: str
    cards: tuple[str, ...] = attrs.field(converter=to_cards)
    record_number: str
    legal_basis: str
    staff: str
    collected: tuple[str, ...] | None = added_field(to_optional_cards)

    class_version: ClassVar[int] = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 did not record the hand-overs the person collected as a proxy."""
        state.setdefault("collected", None)
