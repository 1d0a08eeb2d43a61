"""The journal is written with every event, in its transaction, on every store: a refused
write (no audit key, another key, a version conflict) leaves neither events nor leaves;
reads need no key; every leaf is the pseudonymised line of its event."""

from __future__ import annotations

import pytest
from testkit.audit import DEMO_OPERATOR as OPERATOR
from testkit.audit import KEY, demo_office, scenario_office
from testkit.people import kk_for, make_nik

from ektp.application.audit.lines import leaf_bytes
from ektp.application.audit.journal import LeafForm
from ektp.application.audit.merkle import leaf_hash
from ektp.application.errors import JournalKeyMismatch, JournalKeyMissing
from ektp.domain.errors import ConcurrentChange


def _request(office: object, serial: int) -> object:
    nik = make_nik(serial=serial)
    return office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),  # type: ignore[attr-defined]
                               village="35.17.09.2018")


def test_every_event_has_its_leaf_and_a_refused_write_leaves_nothing(any_store_url: str) -> None:
    office = scenario_office(any_store_url)
    journal = office.store.app.recorder
    head = journal.journal_head()  # type: ignore[attr-defined]
    events = list(office.events_since(0))
    assert head.size == len(events) and head.built_from == 0
    form = LeafForm(KEY)
    leaves = dict(journal.journal_level(0, 0, len(events)))  # type: ignore[attr-defined]
    for index, record in enumerate(events):
        assert leaves[index] == leaf_hash(form.leaf(record.event, index, record.position))
    if any_store_url == "memory://":
        return  # one process: the cases below need a second office on the same store
    position = office.last_position()
    with demo_office(any_store_url, audit_key=None) as keyless:
        assert len(list(keyless.events_since(0))) == len(events)  # reads need no key
        with pytest.raises(JournalKeyMissing):
            _request(keyless, 801)
    with demo_office(any_store_url, audit_key=b"\x01" * 32) as other:
        with pytest.raises(JournalKeyMismatch):
            _request(other, 802)
    assert office.last_position() == position
    assert journal.journal_head() == head  # type: ignore[attr-defined]
    # A version conflict: the stale office's write is refused with nothing written.
    card = _request(office, 803)
    with demo_office(any_store_url) as second:
        second.confirm_print_readiness(OPERATOR, card.id)  # type: ignore[attr-defined]
    before = journal.journal_head()  # type: ignore[attr-defined]
    from ektp.application.kernel.transaction import Transaction
    from ektp.domain.card.events import PrintReadinessConfirmed
    import datetime as dt

    stale = PrintReadinessConfirmed(originator_id=card.id, originator_version=2,  # type: ignore[attr-defined]
                                    timestamp=dt.datetime.now(dt.timezone.utc), actor=OPERATOR,
                                    office="35.17", prr_reference=None)
    with pytest.raises(ConcurrentChange):
        office.store.put([stale], ref="card")
    assert journal.journal_head() == before  # type: ignore[attr-defined]
    office.audit.verify_store(audit_key=KEY)
    office.close()
    assert Transaction  # the kernel's own path is the one above


def test_the_leaf_is_the_export_line_without_prev_inserted_by_and_hash() -> None:
    from testkit.audit import export, objects

    from ektp.application.audit.canonical import canonical

    with scenario_office() as office:
        sink = export(office)
        journal = office.store.app.recorder
        for obj in objects(sink.events):
            body = {k: v for k, v in obj.items() if k not in ("prev", "hash", "inserted_by")}
            stored = dict(journal.journal_level(0, obj["leaf"], obj["leaf"] + 1))  # type: ignore[attr-defined]
            assert stored[obj["leaf"]] == leaf_hash(canonical(body))
    assert leaf_bytes
