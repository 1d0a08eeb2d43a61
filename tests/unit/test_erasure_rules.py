"""Erasure's rules (domain/personal_data/erasure.py): the head of office only, never while a
card is open, never twice; the event holds no erased data."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from testkit.card_steps import OWNER_NIK, STATUS_AFTER, at, card_in
from testkit.people import HEAD, OPERATOR

from ektp.domain import errors
from ektp.domain.actor import Actor
from ektp.domain.card.state import Card
from ektp.domain.card.vocabulary import CardStatus
from ektp.domain.erased import Erased
from ektp.domain.personal_data.erasure import EraseData, decide_erasure, erasure_id

SUBJECT = "3517********0001~" + "ab" * 32


def command(actor: Actor = HEAD) -> EraseData:
    return EraseData(actor=actor, at=at(), office="35.17", subject=SUBJECT,
                     masked="3517********0001", record_number="BA/1", legal_basis="request")


def closed(status: CardStatus = CardStatus.HANDED_OVER) -> Card:
    return attrs.evolve(card_in("DISPATCHED"), status=status)


@given(open_status=st.sampled_from(STATUS_AFTER))
def test_any_open_card_refuses_the_erasure(open_status: str) -> None:
    with pytest.raises(errors.ErasureWhileCardOpen) as refused:
        decide_erasure(command(), None, [closed(CardStatus.CANCELLED), card_in(open_status)])
    assert OWNER_NIK not in str(refused.value) and open_status in str(refused.value)


def test_only_the_head_erases() -> None:
    with pytest.raises(errors.RoleNotPermitted):
        decide_erasure(command(OPERATOR), None, [closed()])


def test_a_person_already_erased_is_refused() -> None:
    erased = attrs.evolve(closed(), nik=Erased(SUBJECT))
    with pytest.raises(errors.AlreadyErased):
        decide_erasure(command(), None, [erased])


def test_the_event_names_the_subject_by_pseudonym_and_holds_no_personal_data() -> None:
    cards = [closed(CardStatus.DESTROYED), closed(CardStatus.HANDED_OVER)]
    event = decide_erasure(command(), None, cards)
    assert event.originator_id == erasure_id(SUBJECT) and event.originator_version == 1
    assert event.subject == SUBJECT and event.cards == tuple(str(c.id) for c in cards)
    assert event.staff == HEAD.id and event.record_number == "BA/1"
    assert OWNER_NIK not in repr(vars(event)) and cards[0].name not in repr(vars(event))
