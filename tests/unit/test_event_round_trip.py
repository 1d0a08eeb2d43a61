"""Every event type survives the store: mapper round trip and a real save/load."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from testkit.event_strategies import all_event_classes, builds

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.codec import AttrsEventMapper
from ektp.adapters.event_store.store import open_event_store
from ektp.domain.event import DomainEvent

EVENT_CLASSES = all_event_classes()


def test_the_walk_finds_the_card_events() -> None:
    names = {c.__name__ for c in EVENT_CLASSES}
    assert {"Requested", "HandedOver", "Destroyed", "NikClaimed"} <= names
    assert {"ConsignmentReceived", "BlanksLent", "LoanReturned", "SpoiledDestroyed",
            "StockCounted", "BlankReportedMissing", "BlankReleased"} <= names


def test_the_walk_finds_the_manifest_events() -> None:
    topics = {f"{c.__module__}.{c.__name__}" for c in EVENT_CLASSES}
    manifest = {f"ektp.domain.manifest.events.{n}" for n in (
        "Opened", "CardAssigned", "CardRemoved", "Dispatched", "AttemptRecorded", "Returned", "Closed")}
    card = {f"ektp.domain.card.events.{n}" for n in ("AssignedToManifest", "RemovedFromManifest")}
    assert manifest | card <= topics


@pytest.mark.parametrize("event_class", EVENT_CLASSES, ids=lambda c: c.__name__)
@given(data=st.data())
def test_mapper_round_trip(event_class: type[DomainEvent], data: st.DataObject) -> None:
    event = data.draw(builds(event_class))
    mapper = AttrsEventMapper()
    stored = mapper.to_stored_event(event)
    assert stored.topic.startswith("ektp.domain.")
    assert mapper.to_domain_event(stored) == event


@settings(max_examples=25, deadline=None)
@given(events=st.lists(st.one_of(*(builds(c) for c in EVENT_CLASSES)), min_size=1, max_size=5))
def test_sqlite_store_round_trip(tmp_path_factory: pytest.TempPathFactory, events: list[DomainEvent]) -> None:
    path = tmp_path_factory.mktemp("store") / "events.db"
    store = open_event_store(DatabaseUrl.parse(f"sqlite:///{path}"))
    try:
        store.events.put(events)
        for event in events:
            (loaded,) = store.events.get(event.originator_id, gt=event.originator_version - 1,
                                         lte=event.originator_version)
            assert loaded == event
    finally:
        store.close()
