"""Find anyone (issue 15) through `Office`: id prefixes (unique, ambiguous, unknown), a
NIK's cards in the order they were requested, and the properties of the prefix rules."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from testkit.staff import staffed_office
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.people import OPERATOR, kk_for, make_nik

from ektp.application import errors as app_errors
from ektp.application.card import desk as card_desk
from ektp.application.kernel.references import MIN_PREFIX, hyphenated, id_prefix, only_match
from ektp.application.office import Office
from ektp.domain import errors
from ektp.domain import open_requests


@pytest.fixture
def office() -> Iterator[Office]:
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions()) as office:
        yield office


@given(card=st.uuids(), length=st.integers(min_value=MIN_PREFIX, max_value=31),
       upper=st.booleans(), hyphens=st.booleans())
def test_any_prefix_of_an_id_as_typed_reads_back_as_the_start_of_its_text(
        card: uuid.UUID, length: int, upper: bool, hyphens: bool) -> None:
    typed = (str(card) if hyphens else card.hex)
    digits = 0
    cut = 0
    while digits < length:  # the first `length` hex digits, hyphens as typed
        digits += typed[cut] != "-"
        cut += 1
    text = typed[:cut].upper() if upper else typed[:cut]
    prefix = id_prefix(text)
    if length > 12 and card.hex[:length].isdigit():
        assert prefix is None  # more than 12 decimal digits alone look like a NIK
        return
    assert prefix == card.hex[:length]
    assert str(card).startswith(hyphenated(prefix))


@given(text=st.text(max_size=40))
def test_a_prefix_is_8_to_31_hex_digits_and_never_a_nik(text: str) -> None:
    prefix = id_prefix(text)
    if prefix is not None:
        assert MIN_PREFIX <= len(prefix) < 32 and set(prefix) <= set("0123456789abcdef")
        assert not (len(prefix) > 12 and prefix.isdigit())


def test_a_long_run_of_digits_is_never_an_id_prefix() -> None:
    assert id_prefix("12345678") == "12345678" and id_prefix("123456789012") == "123456789012"
    assert id_prefix("351709140675002") is None  # a NIK that lost a digit
    with pytest.raises(app_errors.AmbiguousIdPrefix, match="at least 100"):
        only_match([uuid.uuid4() for _ in range(100)], "12345678", "card")


def test_an_ambiguous_prefix_is_refused_with_how_many_match(office: Office,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ids = iter([uuid.UUID("1b4e28ba-2fa1-41d2-883f-0016d3cca001"),
                uuid.UUID("1b4e28ba-2fa1-41d2-883f-0016d3cca002"),
                uuid.UUID("1b4e28ba-9999-41d2-883f-0016d3cca003")])
    monkeypatch.setattr(card_desk, "uuid4", lambda: next(ids))
    for serial in (1, 2, 3):
        nik = make_nik(serial=serial)
        office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village="35.17.09.2018")
    with pytest.raises(app_errors.AmbiguousIdPrefix) as refused:
        office.card("1b4e28ba")
    assert refused.value.message == "the id prefix 1b4e28ba matches 3 cards; give more of the id."
    with pytest.raises(app_errors.AmbiguousIdPrefix, match="matches 2 cards"):
        office.card("1B4E28BA-2FA1")
    before = office.last_position()
    with pytest.raises(app_errors.AmbiguousIdPrefix):
        office.confirm_print_readiness(OPERATOR, "1b4e28ba2fa1")
    assert office.last_position() == before
    assert str(office.card("1b4e28ba9").id).endswith("003")
    with pytest.raises(errors.CardNotFound, match="the id prefix 1b4e28bb"):
        office.card("1b4e28bb")


@given(steps=st.lists(st.sampled_from(["claim", "release"]), max_size=12))
def test_the_register_names_every_card_of_a_nik_in_order(steps: list[str]) -> None:
    """Whatever the claims and releases, `claimed` lists each claimed card once, in order,
    and the open one (if any) is the last."""
    from testkit.people import OPERATOR as actor
    from testkit.card_steps import T0
    from ektp.domain.nik import Nik

    stream = open_requests.legacy_register_id(Nik(make_nik()))
    register, cards = None, []
    for step in steps:
        if step == "claim" and (register is None or register.card_id is None):
            card = uuid.uuid4()
            cards.append(card)
            event = open_requests.claim(register, stream, card, "m", actor, T0, "35.17")
            register = open_requests.project(register, [event])
        elif step == "release" and register is not None and register.card_id is not None:
            released = open_requests.release(register, register.card_id, actor, T0, "35.17")
            assert released is not None
            register = open_requests.project(register, [released])
    assert (register.claimed if register else ()) == tuple(cards)
    if register is not None and register.card_id is not None:
        assert register.claimed[-1] == register.card_id


def test_a_nik_lists_its_cards_and_finds_the_latest() -> None:
    clock = FakeClock()
    office = staffed_office("memory://", clock=clock, regions=FakeRegions())
    nik = make_nik()
    first = office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village="35.17.09.2018")
    office.cancel(OPERATOR, str(first.id), "moved away")
    assert office.card(nik).id == first.id and office.card(nik).status == "CANCELLED"
    clock.advance(days=3)
    second = office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village="35.17.09.2018")
    page = office.reports.card_page(nik=nik)
    assert [row.id for row in page.rows] == [first.id, second.id] and page.total == 2
    assert office.card(nik).id == second.id
    assert office.reports.card_page(nik=make_nik(serial=77)).total == 0
    office.close()


@given(n=st.integers(min_value=0, max_value=10**6))
def test_a_count_is_singular_for_one_and_plural_otherwise(n: int) -> None:
    from ektp.domain.messages import plural_facts, render
    from ektp.entrypoints.cli.output import count

    assert count(n, "card") == (f"{n} card" if n == 1 else f"{n} cards")
    assert count(n, "leaf", "leaves").endswith("leaf" if n == 1 else "leaves")
    facts = plural_facts({"bad": n, "flag": True, "name": "x"})
    assert (facts["bad_s"], facts["bad_are"]) == (("", "is") if n == 1 else ("s", "are"))
    assert "flag_s" not in facts and "name_s" not in facts
    message = render("InvalidResultsFile", {"bad": n, "total": n, "rows": []})
    assert (f"{n} of {n} row of the results file is invalid" if n == 1 else
            f"{n} of {n} rows of the results file are invalid") in message
