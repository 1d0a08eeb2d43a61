"""A resident's phone number (issue 15): the rule that reads every way an Indonesian
number is written into one form, the masks, the card that keeps it, the Requested
events stored before it existed (they load with no phone, and their journal leaf is
the one computed when they were written), and the leaf form that stands for it."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.keys import TEST_AUDIT_KEY
from testkit.people import JABON, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.application.audit.facts import event_data
from ektp.application.audit.journal import LeafForm
from ektp.application.audit.personal import Pseudonymiser
from ektp.domain.card import events as ev
from ektp.domain.erased import Erased
from ektp.domain.errors import InvalidPhone
from ektp.domain.phone import group_phone, mask_phone, parse_phone
from eventsourcing.persistence import StoredEvent

TOPIC = "ektp.domain.card.events:Requested"
# A Requested event as ektp stored it before the dusun (version 1) and before the phone
# (version 2, with a dusun).
OLD_STATE = {"timestamp": "2017-11-14T03:00:00+00:00", "actor": {"id": "op.sari", "role": "operator"},
             "office": "35.17", "nik": "3517091203850001", "name": "Ahmad Fauzi",
             "kk": "3517090101100001", "village": "35.17.09.2018", "rt": "002", "rw": "001",
             "reason": "new", "evidence": None, "channel": "office"}
V2_STATE = {**OLD_STATE, "dusun": "Krajan", "class_version": 2}
# Their leaf hashes under the audit key 0x15 * 32 at leaf 3, store position 4, computed
# with the code before the phone was added (commit 31a7c49): the journals written then
# still verify.
OLD_LEAF = "ab6eec7d051fcd12c8935fcc311e8b0a58d396337172f80878a6ae4676768b29"
V2_LEAF = "492debb7fd9deb8672554334b94e2d198484fd8804441d1979d8a42992f63ca4"

# --- valid numbers in their national form ------------------------------------------
MOBILES = st.builds(lambda rest: "08" + rest, st.from_regex(r"[1-9][0-9]{7,10}", fullmatch=True))
LANDLINES = st.builds(lambda area, rest: "0" + area + rest, st.from_regex(r"[1-79]", fullmatch=True),
                      st.from_regex(r"[0-9]{7,11}", fullmatch=True))
NATIONAL = st.one_of(MOBILES, LANDLINES)
SEPARATORS = st.sampled_from(["", "", " ", "-", ".", "  ", " - ", "\u00a0", "\t"])


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str]:
    """A valid number and one way a clerk may type it: 0, 62, +62 or +62 0 before the
    rest, any separators between any digits, spaces around."""
    national = draw(NATIONAL)
    prefix = draw(st.sampled_from(["0", "62", "+62", "+62 ", "62 ", "+62 0", "62-0", "+62.", "0"]))
    digits = list(national[1:])
    typed = prefix + "".join(d + draw(SEPARATORS) for d in digits[:-1]) + digits[-1]
    return national, draw(st.sampled_from(["", " ", "  "])) + typed + draw(st.sampled_from(["", " "]))


@given(spellings())
def test_every_spelling_of_a_number_reads_as_its_one_national_form(case: tuple[str, str]) -> None:
    national, typed = case
    assert parse_phone(typed) == national
    assert parse_phone(national) == national  # the form kept reads as itself


@pytest.mark.parametrize("typed, national", [
    ("0812-3456-7890", "081234567890"), ("+62 812 3456 7890", "081234567890"),
    ("62.812.3456.7890", "081234567890"), ("+62 0812 3456 7890", "081234567890"),
    ("0321 861234", "0321861234"), ("021-5551234", "0215551234"),
    ("0812 345 678", "0812345678"), ("+62 812 3456 78901", "0812345678901"),
])
def test_the_spellings_a_clerk_meets(typed: str, national: str) -> None:
    assert parse_phone(typed) == national


@pytest.mark.parametrize("typed", [None, "", "   ", "\t"])
def test_no_phone_is_none(typed: str | None) -> None:
    assert parse_phone(typed) is None


GARBAGE = [
    ("0812-3456-789O", "only digits"),  # a letter O for a zero
    ("telp 081234567890", "only digits"), ("0812/3456/7890", "only digits"),
    ("081234567890 ext 2", "only digits"), ("0812_3456_7890", "only digits"),
    ("+1 415 555 0100", "+62"), ("+6", "+62"), ("812 3456 7890", "start with 0, 62 or +62"),
    ("1500 123", "start with 0, 62 or +62"), ("-0812345678", "only digits"),
    ("0012345678", "another 0"), ("0812345", "too short"), ("02112345", "too short"),
    ("081234567", "mobile number"), ("08123456789012", "too long"),
    ("3517091203850001", "start with 0, 62 or +62"), ("++6281234567890", "only digits"),
]


@pytest.mark.parametrize("typed, why", GARBAGE)
def test_garbage_is_refused_with_why_and_never_the_number(typed: str, why: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        parse_phone(typed)
    message = str(refused.value)
    assert message.startswith("the phone number is not valid: ") and why in message
    digits = "".join(ch for ch in typed if ch.isdigit())
    assert len(digits) < 4 or digits not in message.replace(" ", "")


@given(NATIONAL, st.characters(whitelist_categories=("Lu", "Ll", "So", "Po")).filter(
    lambda c: c not in ".+"), st.integers(min_value=0, max_value=12))
def test_a_number_with_any_letter_or_sign_in_it_is_refused(national: str, intruder: str, at: int) -> None:
    at = min(at, len(national))
    with pytest.raises(InvalidPhone):
        parse_phone(national[:at] + intruder + national[at:])


@given(st.from_regex(r"(\+62|62|0)[1-9][0-9]{0,6}", fullmatch=True)
       | st.from_regex(r"(\+62|62|0)[1-9][0-9]{12,20}", fullmatch=True))
def test_a_number_of_an_implausible_length_is_refused(typed: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        parse_phone(typed)
    assert "too short" in str(refused.value) or "too long" in str(refused.value)


def test_the_masks() -> None:
    assert mask_phone("081234567890") == "0812****7890"
    assert mask_phone("0812345678901") == "0812*****8901"
    assert mask_phone("0321861234") == "0321****34"
    assert mask_phone("031123456") == "0311****6"
    assert mask_phone(Erased("*" * 12 + "~ab")) == "[erased]"
    assert group_phone("081234567890") == "0812 3456 7890"
    assert group_phone("0812345678901") == "0812 3456 7890 1"


@given(NATIONAL)
def test_a_masked_number_hides_four_digits_at_least(national: str) -> None:
    masked = mask_phone(national)
    assert len(masked) == len(national) and masked.count("*") >= 4
    assert masked[:4] == national[:4]


# --- the card keeps it -------------------------------------------------------------
def test_a_request_keeps_its_phone_and_refuses_a_bad_one() -> None:
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions()) as office:
        nik = make_nik()
        card = office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village=JABON,
                                   phone="+62 812-3456-7890")
        assert card.phone == "081234567890" and card.masked_phone == "0812****7890"
        assert office.card(card.id).phone == "0812****7890"  # a default view masks it
        (requested,) = office.store.events(card.id, gt=0, lte=1)
        assert requested.phone == "081234567890"
        other = make_nik(serial=2)
        with pytest.raises(InvalidPhone):
            office.request_card(OPERATOR, nik=other, name="Warga", kk=kk_for(other), village=JABON,
                                phone="0812 3456 78x0")
        plain = office.request_card(OPERATOR, nik=other, name="Warga", kk=kk_for(other), village=JABON)
        assert plain.phone is None and office.card(plain.id).phone is None


# --- stored events: old ones still load, their leaves unchanged ---------------------
@pytest.mark.parametrize("state, leaf, dusun", [(OLD_STATE, OLD_LEAF, None), (V2_STATE, V2_LEAF, "Krajan")])
def test_a_requested_event_stored_before_the_phone_loads_with_its_old_leaf(
        state: dict[str, object], leaf: str, dusun: str | None) -> None:
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions()) as office:
        mapper = office.store.app.mapper
        old = mapper.to_domain_event(StoredEvent(originator_id=uuid.UUID(int=15), originator_version=1,
                                                 topic=TOPIC, state=json.dumps(state).encode()))
        assert isinstance(old, ev.Requested) and old.phone is None and old.dusun == dusun
        assert "phone" not in event_data(old)
        assert LeafForm(b"\x15" * 32).leaf_hash(old, 3, 4).hex() == leaf
        # Stored again today (version 3) and read back: the same event, the same leaf.
        stored = mapper.to_stored_event(old)
        assert json.loads(stored.state)["class_version"] == 3
        again = mapper.to_domain_event(stored)
        assert again.phone is None and LeafForm(b"\x15" * 32).leaf_hash(again, 3, 4).hex() == leaf


def test_a_phone_changes_the_leaf_which_holds_only_its_pseudonym() -> None:
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions()) as office:
        state = {**V2_STATE, "phone": "081234567890", "class_version": 3}
        event = office.store.app.mapper.to_domain_event(StoredEvent(
            originator_id=uuid.UUID(int=15), originator_version=1, topic=TOPIC,
            state=json.dumps(state).encode()))
        assert event.phone == "081234567890"
        form = LeafForm(b"\x15" * 32)
        assert form.leaf_hash(event, 3, 4).hex() != V2_LEAF
        pseudonymised = form.personal.apply("card", "Requested", event_data(event))
        stars, tilde, pseudonym = pseudonymised["phone"].partition("~")
        assert stars == "*" * 12 and tilde and len(pseudonym) == 64
        assert "081234567890" not in json.dumps(pseudonymised)
        assert "4567890" not in json.dumps(pseudonymised)


def test_a_phone_pseudonym_is_keyed_and_never_a_nik_pseudonym() -> None:
    mine, other = Pseudonymiser(TEST_AUDIT_KEY), Pseudonymiser(bytes(32))
    assert mine.phone("081234567890") == mine.phone("081234567890")
    assert mine.phone("081234567890") != other.phone("081234567890")
    assert mine.phone("081234567890") != mine.phone("081234567891")
    assert mine.phone("081234567890").partition("~")[2] != mine.number("081234567890").partition("~")[2]
