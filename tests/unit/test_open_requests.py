"""The one cross-aggregate rule of the register: a closed card frees its NIK."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st
from testkit.card_steps import T0, card_in, hand_over, run, request
from testkit.people import OPERATOR

from ektp.domain import open_requests
from ektp.domain.card import commands as cmd
from ektp.domain.card.state import Card

CARD = uuid.UUID(int=1)
STATUSES = ["REQUESTED", "READY_TO_PRINT", "BLANK_ALLOCATED", "PRINTED", "DISPATCHED"]


def closed(how: str) -> Card:
    """A card closed by hand-over or cancellation."""
    if how == "handed-over":
        return run([request(), *_to("DISPATCHED"), hand_over()])[0]
    return run([request(), cmd.Cancel(actor=OPERATOR, at=T0, office="35.17", reason="x")])[0]


def _to(status: str) -> list[cmd.CardCommand]:
    from testkit.card_steps import HAPPY_PATH, STATUS_AFTER

    return HAPPY_PATH[: STATUS_AFTER.index(status)]


@given(status=st.sampled_from(STATUSES), holder=st.sampled_from([CARD, uuid.UUID(int=2), None]))
def test_an_open_card_frees_nothing(status: str, holder: uuid.UUID | None) -> None:
    register = open_requests.OpenRequest(uuid.UUID(int=9), 1, holder)
    assert open_requests.freed_by(register, card_in(status), OPERATOR, T0, "35.17") is None


@given(how=st.sampled_from(["handed-over", "cancelled"]),
       holder=st.sampled_from([CARD, uuid.UUID(int=2), None]), version=st.integers(1, 50))
def test_a_closed_card_frees_the_nik_it_holds_and_only_that(how: str, holder: uuid.UUID | None,
                                                          version: int) -> None:
    card = closed(how)
    register = open_requests.OpenRequest(uuid.UUID(int=9), version, holder)
    released = open_requests.freed_by(register, card, OPERATOR, T0, "35.17")
    if holder != card.id:
        assert released is None
        return
    assert released is not None and released.card_id == card.id
    assert (released.originator_id, released.originator_version) == (register.id, version + 1)
    assert open_requests.project(register, [released]) == open_requests.OpenRequest(
        register.id, version + 1, None)
    assert open_requests.freed_by(None, card, OPERATOR, T0, "35.17") is None
