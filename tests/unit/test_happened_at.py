"""When a recorded result happened is the courier's time (issue 15): the rule on it, the
events that keep it beside their recording time, older events without it, and the
reports that count by it."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from testkit.staff import staffed_office
from testkit.card_steps import T0, at, card_in, failed_attempt, hand_over
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.people import COURIER, JABON, OPERATOR, kk_for, make_nik
from testkit.stock import ensure_stock

from ektp.application.audit.facts import event_data
from ektp.application.kernel.dates import parse_moment
from ektp.application.manifest.results_file import read_results
from ektp.application.projections.daily_counts import daily_count_changes
from ektp.application.reports.delivery import fold_delivery
from ektp.domain import errors
from ektp.domain.card import events as ev
from ektp.domain.card.decide import decide
from ektp.domain.card.state import Card, project
from ektp.domain.event import check_happened_at
from ektp.domain.manifest import events as manifest_ev
from eventsourcing.persistence import StoredEvent

WIB = dt.timezone(dt.timedelta(hours=7))
moments = st.datetimes(min_value=dt.datetime(2017, 1, 1), max_value=dt.datetime(2030, 1, 1),
                       timezones=st.just(dt.timezone.utc))


# --- the rule ----------------------------------------------------------------------
@given(happened=moments, recorded=moments, since=st.none() | moments)
def test_a_courier_time_is_refused_exactly_when_in_the_future_or_before_the_start(
        happened: dt.datetime, recorded: dt.datetime, since: dt.datetime | None) -> None:
    wrong = happened > recorded or (since is not None and happened < since)
    try:
        check_happened_at(happened, recorded, since, "the dispatch")
    except errors.InvalidHappenedAt as error:
        assert wrong
        assert ("in the future" in error.message) == (happened > recorded)
    else:
        assert not wrong


@given(recorded=moments, since=st.none() | moments)
def test_no_courier_time_is_never_refused(recorded: dt.datetime, since: dt.datetime | None) -> None:
    check_happened_at(None, recorded, since, "the dispatch")


def test_the_refusal_shows_the_times_in_the_zone_given() -> None:
    with pytest.raises(errors.InvalidHappenedAt) as caught:
        check_happened_at(dt.datetime(2017, 11, 14, 8, 0, tzinfo=WIB),
                          dt.datetime(2017, 12, 1, tzinfo=dt.timezone.utc),
                          dt.datetime(2017, 11, 14, 2, 0, tzinfo=dt.timezone.utc), "the dispatch")
    assert caught.value.message == (
        "the time it happened (2017-11-14 08:00 +07:00) is not valid: it is before the "
        "dispatch (2017-11-14 09:00 +07:00).")


@pytest.mark.parametrize(("typed", "reason"), [
    ("2017-11-14", "give the time too"),
    ("14/11/2017 10:30", "YYYY-MM-DD HH:MM"),
    ("2017-02-30 10:00", "no such day"),
    ("1999-11-14 10:00", "a year from 2000"),
])
def test_a_badly_written_moment_is_refused_with_the_form_to_use(typed: str, reason: str) -> None:
    with pytest.raises(errors.InvalidText, match=reason):
        parse_moment(typed, "--at", WIB)


@given(moment=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 12, 31)))
def test_a_moment_written_in_minutes_reads_back_in_the_office_zone(moment: dt.datetime) -> None:
    moment = moment.replace(second=0, microsecond=0)
    parsed = parse_moment(f"{moment:%Y-%m-%d %H:%M}", "--at", WIB)
    assert parsed == moment.replace(tzinfo=WIB)
    assert parse_moment(parsed.isoformat(), "--at", dt.timezone.utc) == parsed


# --- the card's rules --------------------------------------------------------------
def dispatched_card() -> Card:
    return card_in("DISPATCHED")  # dispatched at T0


def test_a_hand_over_keeps_the_couriers_time_beside_the_recording_time() -> None:
    card = dispatched_card()
    late = attrs.evolve(hand_over(), at=at(days=20), happened_at=at(minutes=90))
    (event,) = decide(card, late)
    assert isinstance(event, ev.HandedOver)
    assert (event.timestamp, event.happened_at, event.occurred_at) == (at(days=20), at(minutes=90),
                                                                       at(minutes=90))
    assert project(card, [event]).closed_at == at(minutes=90)


def test_without_a_couriers_time_it_happened_when_recorded() -> None:
    (event,) = decide(dispatched_card(), hand_over())
    assert event.happened_at is None and event.occurred_at == event.timestamp == T0


@pytest.mark.parametrize("command", [hand_over(), failed_attempt()], ids=["hand-over", "attempt"])
def test_a_time_before_the_dispatch_or_in_the_future_is_refused(command) -> None:  # type: ignore[no-untyped-def]
    card = dispatched_card()
    with pytest.raises(errors.InvalidHappenedAt, match="before card .* was dispatched"):
        decide(card, attrs.evolve(command, at=at(days=1), happened_at=at(minutes=-1)))
    with pytest.raises(errors.InvalidHappenedAt, match="in the future"):
        decide(card, attrs.evolve(command, at=at(days=1), happened_at=at(days=1, minutes=1)))


def test_a_hand_over_cannot_happen_before_the_attempt_that_failed_on_the_round() -> None:
    card = dispatched_card()
    tried = decide(card, attrs.evolve(failed_attempt(), at=at(days=3), happened_at=at(days=1)))
    card = project(card, tried)
    assert card.last_attempt_at == at(days=1)
    with pytest.raises(errors.InvalidHappenedAt, match="previous delivery attempt"):
        decide(card, attrs.evolve(hand_over(), at=at(days=3), happened_at=at(minutes=600)))
    (done,) = decide(card, attrs.evolve(hand_over(), at=at(days=3), happened_at=at(days=2)))
    assert done.occurred_at == at(days=2)


# --- stored events: old ones still load, the audit leaf is unchanged ----------------
OLD_SHAPES = [
    ("ektp.domain.card.events:DeliveryAttemptFailed",
     {"attempt": 1, "reason": "not-at-home", "evidence": None, "manifest_id": None}),
    ("ektp.domain.card.events:HandedOver",
     {"recipient": {"kind": "owner", "nik": None, "name": None, "kk": None, "relationship": None},
      "verified_by": "ktp", "evidence": None, "place": "door", "old_card_serial": None,
      "manifest_id": None}),
    ("ektp.domain.manifest.events:AttemptRecorded",
     {"card_id": str(uuid.UUID(int=7)), "outcome": "handed-over", "attempt": None, "reason": None,
      "recipient": "owner", "evidence": None}),
]


# Version 2 (issue 12) added the courier who carried the card beside who recorded it.
V2_SHAPES = [(topic, {**facts, "courier": "kurir.anto"}) for topic, facts in OLD_SHAPES]


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("shape", range(len(OLD_SHAPES)))
def test_an_event_stored_before_the_couriers_time_existed_loads_and_exports_as_it_was(
        shape: int, version: int) -> None:
    topic, facts = (OLD_SHAPES if version == 1 else V2_SHAPES)[shape]
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions()) as office:
        mapper = office.store.app.mapper
        # What ektp stored before issue 15: no happened_at; before issue 12 no
        # class_version key and no courier either.
        state = {"timestamp": "2017-11-14T03:00:00+00:00", "actor": {"id": "kurir.anto",
                 "role": "courier"}, "office": "35.17", **facts,
                 **({"class_version": 2} if version == 2 else {})}
        stream = uuid.uuid4()
        old = mapper.to_domain_event(StoredEvent(originator_id=stream, originator_version=9,
                                                 topic=topic, state=json.dumps(state).encode()))
        assert old.happened_at is None and old.occurred_at == old.timestamp
        # Its audit data is what it was when it was written (so is its journal leaf).
        assert set(event_data(old)) == set(facts)
        assert old.courier == facts.get("courier")
        # Today's events of the class are stored as version 3, and read back whole.
        late = attrs.evolve(old, happened_at=dt.datetime(2017, 11, 13, 10, 0, tzinfo=WIB))
        stored = mapper.to_stored_event(late)
        assert json.loads(stored.state)["class_version"] == 3
        assert mapper.to_domain_event(stored) == late
        assert event_data(late)["happened_at"] == "2017-11-13T03:00:00.000000Z"


def test_an_old_hand_over_in_a_stored_history_still_closes_the_card(tmp_path) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock(dt.datetime(2017, 11, 14, 1, 0, tzinfo=dt.timezone.utc))
    with staffed_office(f"sqlite:///{tmp_path / 'old.db'}", clock=clock, regions=FakeRegions()) as office:
        nik = make_nik()
        card = str(office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                       village=JABON).id)
        office.confirm_print_readiness(OPERATOR, card)
        ensure_stock(office)
        office.allocate_blank(OPERATOR, card, "3517170001")
        office.record_printed(OPERATOR, card)
        office.dispatch(OPERATOR, card, courier=COURIER.id)
        topic, facts = OLD_SHAPES[1]
        state = {"timestamp": "2017-11-14T03:00:00+00:00", "actor": {"id": COURIER.id,
                 "role": "courier"}, "office": "35.17", **facts}
        office.store.app.recorder.insert_events([StoredEvent(
            originator_id=uuid.UUID(card), originator_version=6, topic=topic,
            state=json.dumps(state).encode())])
        view = office.card(card)
        assert view.status == "HANDED_OVER"


# --- the reports count by the time it happened --------------------------------------
def test_the_delivery_report_and_the_daily_counts_take_the_couriers_day() -> None:
    card = dispatched_card()
    recorded_in_december = dt.datetime(2026, 12, 5, 2, 0, tzinfo=dt.timezone.utc)
    events = [*decide(card, attrs.evolve(failed_attempt(), at=recorded_in_december,
                                         happened_at=at(days=1)))]
    card = project(card, events)
    events += decide(card, attrs.evolve(hand_over(), at=recorded_in_december,
                                        happened_at=at(days=2)))
    november = fold_delivery(events, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    december = fold_delivery(events, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert (november.total.failed_attempts, november.total.handed_over_owner) == (1, 1)
    assert (december.total.failed_attempts, december.total.handed_over_owner) == (0, 0)
    days = [change.key[0] for e in events for change in daily_count_changes(e, WIB)]
    assert days == [dt.date(2026, 11, 3), dt.date(2026, 11, 4)]


@given(delays=st.lists(st.integers(min_value=0, max_value=60 * 24 * 90), min_size=2, max_size=2),
       start=st.dates(dt.date(2026, 10, 25), dt.date(2026, 11, 10)),
       length=st.integers(min_value=0, max_value=40))
def test_when_results_are_typed_in_never_moves_a_count(delays: list[int], start: dt.date,
                                                       length: int) -> None:
    """The same round recorded at once or any number of days later gives the same figures."""
    def round_recorded(delay_attempt: int, delay_hand_over: int) -> list[ev.CardEvent]:
        card = dispatched_card()
        attempt = decide(card, attrs.evolve(failed_attempt(), at=at(days=1, minutes=delay_attempt),
                                            happened_at=at(days=1)))
        card = project(card, attempt)
        return [*attempt, *decide(card, attrs.evolve(
            hand_over(), at=at(days=2, minutes=max(delay_hand_over, delay_attempt)),
            happened_at=at(days=2)))]

    end = start + dt.timedelta(days=length)
    at_once = fold_delivery(round_recorded(0, 0), start, end).total
    late = fold_delivery(round_recorded(*delays), start, end).total
    assert late == at_once


def test_a_results_row_or_file_gives_the_time_and_the_row_wins() -> None:
    clock = FakeClock(dt.datetime(2017, 11, 14, 1, 0, tzinfo=dt.timezone.utc))
    with staffed_office("memory://", clock=clock, regions=FakeRegions()) as office:
        ensure_stock(office)
        cards = []
        for n in (1, 2):
            nik = make_nik(serial=n)
            card = str(office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                           village=JABON).id)
            office.confirm_print_readiness(OPERATOR, card)
            office.allocate_blank(OPERATOR, card, f"351717000{n}")
            office.record_printed(OPERATOR, card)
            cards.append(card)
        manifest = str(office.open_manifest(OPERATOR, courier=COURIER.id, date="2017-11-14",
                                            villages=[JABON]).id)
        office.assign_cards(OPERATOR, manifest, cards)
        office.dispatch_manifest(OPERATOR, manifest, "SEGEL-1")  # 08:00 WIB
        clock.advance(days=20)
        rows = read_results("card,outcome,recipient,verified-by,reason,at\n"
                            f"{cards[0]},handed-over,owner,ktp,,2017-11-14 10:30\n"
                            f"{cards[1]},attempt-failed,,,not-at-home,\n")
        before = office.last_position()
        with pytest.raises(errors.InvalidResultsFile) as refused:
            office.record_results(OPERATOR, manifest, rows, at="2017-11-14 07:59")
        assert "line 3: the time it happened (2017-11-14 07:59 +07:00) is not valid: it is before" in (
            " ".join(refused.value.details))
        assert office.last_position() == before  # nothing half-written
        with pytest.raises(errors.InvalidText, match="--at"):
            office.record_results(OPERATOR, manifest, rows, at="2017-11-14")
        office.record_results(OPERATOR, manifest, rows, at="2017-11-14 16:00")
        handed, failed = (list(office.store.events(uuid.UUID(c)))[-1] for c in cards)
        assert handed.happened_at == dt.datetime(2017, 11, 14, 10, 30, tzinfo=WIB)
        assert failed.happened_at == dt.datetime(2017, 11, 14, 16, 0, tzinfo=WIB)
        assert handed.timestamp == failed.timestamp == clock.current
        reports = [e for e in office.store.events(uuid.UUID(manifest))
                   if isinstance(e, manifest_ev.AttemptRecorded)]
        assert [r.happened_at.hour for r in reports] == [10, 16]
        # Recording the same file again records nothing new.
        again = office.record_results(OPERATOR, manifest, rows, at="2017-11-14 16:00")
        assert (again.recorded, again.already_recorded) == (0, 2)
        figures = office.delivery_report("2017-11-14", "2017-11-14").total
        assert (figures.handed_over_owner, figures.failed_attempts) == (1, 1)
