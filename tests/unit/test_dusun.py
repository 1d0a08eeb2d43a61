"""A card request's dusun (hamlet, issue 15): the rule on the text, the card that keeps it,
and the Requested events stored before it existed (they load, and their journal leaf is
the one computed when they were written)."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.people import JABON, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.application.audit.facts import event_data
from ektp.application.audit.journal import LeafForm
from ektp.domain.card import events as ev
from ektp.domain.errors import InvalidText
from ektp.domain.text import MAX_DUSUN, parse_dusun
from eventsourcing.persistence import StoredEvent

TOPIC = "ektp.domain.card.events:Requested"
# A Requested event as ektp stored it before the dusun (no class_version key, no dusun).
OLD_STATE = {"timestamp": "2017-11-14T03:00:00+00:00", "actor": {"id": "op.sari", "role": "operator"},
             "office": "35.17", "nik": "3517091203850001", "name": "Ahmad Fauzi",
             "kk": "3517090101100001", "village": "35.17.09.2018", "rt": "002", "rw": "001",
             "reason": "new", "evidence": None, "channel": "office"}
# Its leaf hash under the audit key 0x15 * 32 at leaf 3, store position 4, computed with the
# code before the dusun was added (commit 8f04e43): the journal written then still verifies.
OLD_LEAF = "ab6eec7d051fcd12c8935fcc311e8b0a58d396337172f80878a6ae4676768b29"

hamlet_words = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=12)


# --- the rule ----------------------------------------------------------------------
@pytest.mark.parametrize("typed", [None, "", "   "])
def test_no_dusun_is_none(typed: str | None) -> None:
    assert parse_dusun(typed) is None


@given(st.lists(hamlet_words, min_size=1, max_size=4), st.sampled_from([" ", "  ", "\t"]))
def test_a_dusun_of_words_is_kept_with_single_spaces(words: list[str], gap: str) -> None:
    typed = f" {gap.join(words)} "
    expected = " ".join(words)
    if len(expected) > MAX_DUSUN:
        with pytest.raises(InvalidText):
            parse_dusun(typed)
    else:
        assert parse_dusun(typed) == expected


@given(hamlet_words, st.characters(whitelist_categories=("Cc", "Cf")).filter(lambda c: not c.isspace()))
def test_a_dusun_with_a_control_character_is_refused(word: str, control: str) -> None:
    with pytest.raises(InvalidText) as refused:
        parse_dusun(f"{word}{control}{word}")
    assert "dusun" in str(refused.value) and "control characters" in str(refused.value)


def test_a_dusun_too_long_is_refused_with_its_limit() -> None:
    assert parse_dusun("K" * MAX_DUSUN) == "K" * MAX_DUSUN
    with pytest.raises(InvalidText) as refused:
        parse_dusun("K" * (MAX_DUSUN + 1))
    assert "dusun" in str(refused.value) and str(MAX_DUSUN) in str(refused.value)


# --- the card keeps it ---------------------------------------------------------------
def test_a_request_keeps_its_dusun_and_refuses_a_bad_one() -> None:
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions()) as office:
        nik = make_nik()
        card = office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village=JABON,
                                   rt="2", dusun="  Krajan  Wetan ")
        assert card.dusun == "Krajan Wetan" and office.card(card.id).dusun == "Krajan Wetan"
        (requested,) = office.store.events(card.id, gt=0, lte=1)
        assert requested.dusun == "Krajan Wetan"
        assert event_data(requested)["dusun"] == "Krajan Wetan"  # address: as is, not a subject key
        other = make_nik(serial=2)
        with pytest.raises(InvalidText):
            office.request_card(OPERATOR, nik=other, name="Warga", kk=kk_for(other), village=JABON,
                                dusun="Krajan\x07")
        plain = office.request_card(OPERATOR, nik=other, name="Warga", kk=kk_for(other), village=JABON)
        assert plain.dusun is None


# --- stored events: old ones still load, the leaf is unchanged ----------------------
def test_a_requested_event_stored_before_the_dusun_loads_with_its_old_leaf() -> None:
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions()) as office:
        mapper = office.store.app.mapper
        old = mapper.to_domain_event(StoredEvent(originator_id=uuid.UUID(int=15), originator_version=1,
                                                 topic=TOPIC, state=json.dumps(OLD_STATE).encode()))
        assert isinstance(old, ev.Requested) and old.dusun is None and old.rt == "002"
        assert "dusun" not in event_data(old)
        assert LeafForm(b"\x15" * 32).leaf_hash(old, 3, 4).hex() == OLD_LEAF
        # Today's events are stored as version 3 (2 added the dusun, 3 the phone), and read
        # back whole.
        stored = mapper.to_stored_event(old)
        assert json.loads(stored.state)["class_version"] == 3
        assert mapper.to_domain_event(stored).dusun is None
        assert LeafForm(b"\x15" * 32).leaf_hash(mapper.to_domain_event(stored), 3, 4).hex() == OLD_LEAF


def test_a_dusun_changes_the_leaf() -> None:  # the pinned leaf is not blind to the field
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions()) as office:
        state = {**OLD_STATE, "dusun": "Krajan", "class_version": 2}
        event = office.store.app.mapper.to_domain_event(StoredEvent(
            originator_id=uuid.UUID(int=15), originator_version=1, topic=TOPIC,
            state=json.dumps(state).encode()))
        assert event.dusun == "Krajan"
        assert LeafForm(b"\x15" * 32).leaf_hash(event, 3, 4).hex() != OLD_LEAF
