"""Per-subject keys (issue 14's crypto-shredding), the property behind every erasure: for
any event with personal fields, encode with the subject's key, destroy the key, decode,
and the journal leaf computed from the decoded event is the leaf computed from the
event as it was written; before the key is destroyed, the event decodes as it was."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eventsourcing.persistence import MapperDeserialisationError
from hypothesis import given, settings
from hypothesis import strategies as st
from testkit.event_strategies import builds
from testkit.keys import TEST_AUDIT_KEY

from ektp.adapters.event_store.codec import AttrsEventMapper
from ektp.adapters.event_store.subjects import SEALED, MemoryKeyTable, SubjectCipher
from ektp.application.audit.journal import LeafForm
from ektp.domain.card.events import HandedOver, Requested
from ektp.domain.card.recipient import Recipient
from ektp.domain.card.vocabulary import RecipientKind, Relationship
from ektp.domain.erased import Erased

OFFICE_KEY = bytes(range(64, 96))
FORM = LeafForm(TEST_AUDIT_KEY)
TEXT = st.text(min_size=1, max_size=24)
DIGITS = st.from_regex(r"[0-9]{16}", fullmatch=True)
PROXIES = st.builds(Recipient, kind=st.just(RecipientKind.PROXY), nik=st.one_of(DIGITS, TEXT),
                    name=TEXT, kk=st.one_of(st.none(), DIGITS),
                    relationship=st.sampled_from(list(Relationship)))
EVENTS = st.one_of(
    builds(Requested).flatmap(lambda e: st.tuples(st.one_of(DIGITS, TEXT), TEXT, DIGITS).map(
        lambda t: _with(e, nik=t[0], name=t[1], kk=t[2]))),
    builds(HandedOver).flatmap(lambda e: PROXIES.map(lambda r: _with(e, recipient=r))),
)


def _with(event: Any, **changes: Any) -> Any:
    fields = {k: v for k, v in vars(event).items()}
    return type(event)(**{**fields, **changes})


def _mapper(table: MemoryKeyTable) -> AttrsEventMapper:
    mapper = AttrsEventMapper()
    mapper.subjects = SubjectCipher(OFFICE_KEY, table, lambda: FORM.personal)
    return mapper


def _store(mapper: AttrsEventMapper, table: MemoryKeyTable, event: Any) -> Any:
    """Encode `event` as the store does: the new subject keys kept with it."""
    rows = mapper.subjects.begin()
    stored = mapper.to_stored_event(event)
    table.insert(rows)
    mapper.subjects.end(rows, committed=True)
    return stored


@settings(max_examples=60, deadline=None)
@given(event=EVENTS)
def test_destroying_the_subject_key_keeps_the_journal_leaf(event: Any) -> None:
    table = MemoryKeyTable()
    stored = _store(_mapper(table), table, event)
    written = FORM.parts(event)
    assert len(table.rows) == 1
    # Each personal field is stored sealed, never as it is.
    payload = json.loads(stored.state)
    holder = payload if isinstance(event, Requested) else payload["recipient"]
    present = [k for k in ("nik", "name", "kk", "phone") if holder.get(k) is not None]
    assert present and all(set(holder[k]) == {SEALED} for k in present)
    # With the key: the event as it was.
    assert _mapper(table).to_domain_event(stored) == event
    # The key destroyed: the fields erased, the leaf the one written.
    table.erase(next(iter(table.rows.values()))[1])
    erased = _mapper(table).to_domain_event(stored)
    assert FORM.parts(erased) == written
    fields = ([erased.nik, erased.name, erased.kk] + ([erased.phone] if event.phone is not None else [])
              if isinstance(erased, Requested) else
              [erased.recipient.nik, erased.recipient.name]
              + ([erased.recipient.kk] if event.recipient.kk is not None else []))
    assert all(isinstance(f, Erased) for f in fields)
    assert all(str(f) == "[erased]" for f in fields)


@settings(max_examples=10, deadline=None)
@given(event=builds(HandedOver))
def test_an_event_without_personal_fields_is_stored_as_before(event: Any) -> None:
    table = MemoryKeyTable()
    owner = _with(event, recipient=Recipient.owner())
    assert _store(_mapper(table), table, owner).state == AttrsEventMapper().to_stored_event(owner).state
    assert table.rows == {}


@settings(max_examples=5, deadline=None)
@given(event=builds(Requested))
def test_a_key_wrapped_by_another_office_key_is_refused_by_name(event: Any) -> None:
    from ektp.adapters.event_store.subjects import SubjectKeyError

    table = MemoryKeyTable()
    event = _with(event, nik="3517091203850001", name="Siti", kk="3517090101100001")
    stored = _store(_mapper(table), table, event)
    other = AttrsEventMapper()
    other.subjects = SubjectCipher(bytes(32), table, lambda: FORM.personal)
    with pytest.raises(MapperDeserialisationError) as raised:
        other.to_domain_event(stored)
    assert isinstance(raised.value.__cause__, SubjectKeyError)
