"""An event stored in an older shape is read in today's shape (the upcasting example)."""

from __future__ import annotations

import json
import uuid

from testkit.people import OPERATOR, kk_for, make_nik
from testkit.stock import stock
from testkit.staff import staffed_office

from ektp.domain.card.events import PrintReadinessConfirmed
from eventsourcing.persistence import StoredEvent

TOPIC = "ektp.domain.card.events:PrintReadinessConfirmed"


def test_a_version_1_print_readiness_event_reads_as_version_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with staffed_office(url) as office:
        nik = make_nik()
        card = office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                   village="35.17.09.2018")
        # What ektp 0.1 stored: no class_version key, the field called "reference".
        old_state = {"timestamp": "2026-11-02T01:05:00+00:00", "actor": {"id": "op.lama", "role": "operator"},
                     "office": "35.17", "reference": "PRR-OLD-1"}
        office.store.app.recorder.insert_events([StoredEvent(
            originator_id=card.id, originator_version=2, topic=TOPIC,
            state=json.dumps(old_state).encode())])
        (event,) = office.store.events(card.id, gt=1)
        assert isinstance(event, PrintReadinessConfirmed)
        assert event.prr_reference == "PRR-OLD-1" and event.actor.id == "op.lama"
        assert office.card(card.id).status == "READY_TO_PRINT"
        assert "PRR-OLD-1" in office.card_history(card.id)[-1].summary
        # New events are stored in version 2's shape, marked as such.
        stock(office)
        office.allocate_blank(OPERATOR, card.id, "3517170001")
        fresh = office.store.app.mapper.to_stored_event(PrintReadinessConfirmed(
            originator_id=uuid.uuid4(), originator_version=1, timestamp=event.timestamp,
            actor=event.actor, office="35.17", prr_reference="X"))
        assert json.loads(fresh.state)["class_version"] == 2
