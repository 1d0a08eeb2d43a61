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


# --- a person known as a proxy (issue 14, erasure of a proxy) --------------------------

PROXY_NIK = "3517091203850912"


def collected(nik: object = PROXY_NIK) -> Card:
    """A card someone else requested, handed over to the proxy `nik`."""
    from ektp.domain.card.recipient import Recipient
    from ektp.domain.card.vocabulary import RecipientKind, Relationship

    return attrs.evolve(closed(), id=__import__("uuid").uuid4(), recipient=Recipient(
        RecipientKind.PROXY, nik=nik, name="Wakil Kuasa", kk="3517090101010001",
        relationship=Relationship.SPOUSE))


def test_a_proxy_with_no_card_of_their_own_is_erased_by_the_hand_overs_they_collected() -> None:
    cards = [collected(), collected()]
    event = decide_erasure(command(), None, [], cards)
    assert event.cards == () and event.collected == tuple(str(c.id) for c in cards)
    assert PROXY_NIK not in repr(vars(event)) and "Wakil" not in repr(vars(event))


def test_a_proxy_whose_every_collection_already_reads_erased_is_refused() -> None:
    with pytest.raises(errors.AlreadyErased):
        decide_erasure(command(), None, [], [collected(Erased(SUBJECT))])
    # Their own card erased, a collection not (made after the erasure): erased again.
    own = attrs.evolve(closed(), nik=Erased(SUBJECT))
    assert decide_erasure(command(), None, [own], [collected()]).collected is not None


@given(open_status=st.sampled_from(STATUS_AFTER))
def test_a_proxy_with_an_open_card_of_their_own_is_refused(open_status: str) -> None:
    with pytest.raises(errors.ErasureWhileCardOpen):
        decide_erasure(command(), None, [card_in(open_status)], [collected()])


def test_a_card_holders_erasure_records_no_collected_key_so_its_leaf_is_version_1s() -> None:
    from ektp.application.audit.facts import event_data

    event = decide_erasure(command(), None, [closed()])
    assert event.collected is None
    assert set(event_data(event)) == {"subject", "cards", "record_number", "legal_basis", "staff"}
    both = decide_erasure(command(), None, [closed()], [collected()])
    assert event_data(both)["collected"] == [str(c) for c in both.collected or ()]


def test_an_erasure_stored_in_version_1s_shape_reads_back_with_no_collections() -> None:
    from ektp.domain.personal_data.events import PersonalDataErased

    state = {"subject": SUBJECT, "cards": ["x"], "record_number": "BA/1", "legal_basis": "b",
             "staff": "kepala"}
    PersonalDataErased.upcast_v1_v2(state)
    assert state["collected"] is None


# --- the retention policy's rule for one person -----------------------------------------

CUTOFF = at(days=-1)
# A moment relative to the cutoff (days; None: the card is still open).
moments = st.one_of(st.none(), st.integers(min_value=-4000, max_value=4000))


def _closed_at(card: Card, days: int | None) -> Card:
    import datetime as dt

    if days is None:
        return card  # open: no closing
    return attrs.evolve(card, closed_at=CUTOFF + dt.timedelta(days=days, seconds=-1 if days <= 0 else 0))


@given(own=st.lists(st.tuples(moments, st.booleans()), max_size=3),
       taken=st.lists(st.tuples(moments.filter(lambda m: m is not None), st.booleans()),
                      max_size=3))
def test_a_person_is_due_exactly_when_everything_of_theirs_is_older_than_the_cutoff(
        own: list[tuple[int | None, bool]], taken: list[tuple[int, bool]]) -> None:
    from ektp.domain.personal_data.erasure import kept_long_enough

    cards = [_closed_at(attrs.evolve(card_in("DISPATCHED"), nik=Erased(SUBJECT)) if erased
                        else card_in("DISPATCHED"), days) for days, erased in own]
    collected_cards = [_closed_at(collected(Erased(SUBJECT)) if erased else collected(), days)
                       for days, erased in taken]
    result = kept_long_enough(cards, collected_cards, CUTOFF)
    every = [days for days, _ in own] + [days for days, _ in taken]
    left = [not erased for _, erased in own + taken]
    due = bool(every) and all(d is not None and d <= 0 for d in every) and any(left)
    assert (result is not None) == due
    if result is not None:
        assert result == max(c.closed_at for c in (*cards, *collected_cards) if c.closed_at)
        assert result < CUTOFF
