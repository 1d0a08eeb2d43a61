"""The kernel's one write primitive (`Store.transact`), its transaction, its retry
policy, the permission door and `parse_day`, against eventsourcing's in-memory store."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from testkit.people import COURIER, OPERATOR
from testkit.staff import staffed_office, written

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.store import open_event_store
from ektp.application.kernel.dates import parse_day
from ektp.application.kernel.store import Store
from ektp.application.kernel.transaction import Transaction
from ektp.domain import errors
from ektp.domain.event import DomainEvent

T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.timezone.utc)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class Ticked(DomainEvent):
    """A test event: one tick of a counter stream."""


@attrs.frozen
class Counter:
    """A test aggregate: how many ticks a stream has had."""

    id: uuid.UUID
    version: int


def project(state: Counter | None, events: Iterable[Any]) -> Counter | None:
    """Fold ticks."""
    for event in events:
        state = Counter(event.originator_id, event.originator_version)
    return state


def tick(state: Counter | None, stream: uuid.UUID) -> tuple[Ticked, Counter]:
    """The next tick of `stream` and the state after it."""
    version = state.version if state else 0
    event = Ticked(originator_id=stream, originator_version=version + 1, timestamp=T0,
                   actor=OPERATOR, office="35.17")
    return event, Counter(stream, version + 1)


def new_store() -> Store:
    # Test events of no audit aggregate: the kernel is tested on a store without the
    # journal (tests/unit/test_journal.py tests the journal).
    return Store(open_event_store(DatabaseUrl.parse("memory://"), journal=False))


def write_behind(store: Store, stream: uuid.UUID) -> None:
    """Another clerk's write to `stream`, past `store`'s cache."""
    current = project(None, store.events(stream))
    event, _ = tick(current, stream)
    store.app.events.put([event])


# --- the transaction: savepoints ------------------------------------------------
class TransactionModel(RuleBasedStateMachine):
    """Records, savepoints and rollbacks against a plain list of what was recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.tx = Transaction(new_store(), fresh=False)
        self.model: list[tuple[uuid.UUID, Counter, Ticked]] = []
        self.points: list[tuple[Any, int]] = []
        self.streams = [uuid.UUID(int=n) for n in range(1, 4)]

    @rule(which=st.integers(0, 2))
    def record(self, which: int) -> None:
        stream = self.streams[which]
        event, after = tick(self.tx.state(stream, None), stream)  # type: ignore[arg-type]
        self.tx.record([event], after)
        self.model.append((stream, after, event))

    @rule()
    def savepoint(self) -> None:
        self.points.append((self.tx.savepoint(), len(self.model)))

    @precondition(lambda self: bool(self.points))
    @rule()
    def rollback(self) -> None:
        point, length = self.points.pop()
        self.tx.rollback(point)
        del self.model[length:]

    @invariant()
    def recorded_is_the_model(self) -> None:
        assert self.tx.events == [e for _, _, e in self.model]
        for stream in self.streams:
            latest = [state for s, state, _ in self.model if s == stream]
            assert self.tx.state(stream, None) == (latest[-1] if latest else None)


TestTransactionModel = TransactionModel.TestCase
TestTransactionModel.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)


# --- transact: what is saved, and when it decides again --------------------------
def test_transact_saves_every_recorded_event_in_one_write_and_caches_the_states() -> None:
    store = new_store()
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    writes: list[int] = []
    put = store.app.events.put

    def counting_put(events: Any, **options: Any) -> Any:
        writes.append(len(list(events)))
        return put(events, **options)

    store.app.events.put = counting_put  # type: ignore[method-assign]

    def attempt(tx: Transaction) -> str:
        for stream in (a, b):
            event, after = tick(tx.load(stream, project), stream)
            tx.record([event], after)
        return "done"

    assert store.transact(attempt) == "done"
    assert writes == [2]
    assert store.cached(a) == Counter(a, 1) and store.cached(b) == Counter(b, 1)


def test_a_refusal_writes_nothing_and_is_not_decided_again_without_a_cache_hit() -> None:
    store = new_store()
    calls = []

    def attempt(tx: Transaction) -> None:
        calls.append(tx.fresh)
        event, after = tick(tx.load(uuid.UUID(int=1), project), uuid.UUID(int=1))
        tx.record([event], after)
        raise errors.InvalidText(field="x", reason="no")

    with pytest.raises(errors.InvalidText):
        store.transact(attempt)
    assert calls == [False] and store.last_position() == 0


def test_a_refusal_after_a_cache_hit_is_decided_once_more_on_fresh_state() -> None:
    store, stream = new_store(), uuid.UUID(int=1)
    store.transact(lambda tx: tx.record(*_one(tick(tx.load(stream, project), stream))))
    write_behind(store, stream)  # the cache now says version 1; the store holds 2
    seen: list[tuple[bool, int]] = []

    def attempt(tx: Transaction) -> None:
        state = tx.load(stream, project)
        assert state is not None
        seen.append((tx.fresh, state.version))
        if state.version < 2:
            raise errors.InvalidText(field="x", reason="stale")  # a rule seeing old state
        tx.record(*_one(tick(state, stream)))

    store.transact(attempt)
    assert seen == [(False, 1), (True, 2)]
    assert store.version_of(stream) == 3


def test_a_stale_cache_that_still_conflicts_is_reported_after_one_more_try() -> None:
    store, stream = new_store(), uuid.UUID(int=1)
    store.transact(lambda tx: tx.record(*_one(tick(tx.load(stream, project), stream))))
    tries = []

    def attempt(tx: Transaction) -> None:
        tries.append(tx.fresh)
        state = tx.load(stream, project)
        write_behind(store, stream)  # someone always writes in between
        tx.record(*_one(tick(state, stream)))

    with pytest.raises(errors.ConcurrentChange) as conflict:
        store.transact(attempt, ref="card X")
    assert tries == [False, True] and not isinstance(conflict.value, errors.LedgerBusy)
    assert "card X" in conflict.value.message


def test_a_blind_first_write_that_meets_an_existing_stream_reads_it_and_decides_again() -> None:
    store, stream = new_store(), uuid.UUID(int=7)
    write_behind(store, stream)  # exists, but not in this store's cache
    seen = []

    def attempt(tx: Transaction) -> None:
        state = tx.load_new(stream, project)
        seen.append(None if state is None else state.version)
        tx.record(*_one(tick(state, stream)))

    store.transact(attempt)
    assert seen == [None, 1] and store.version_of(stream) == 2


def test_conflicts_on_a_shared_stream_alone_are_decided_again_then_reported_as_busy() -> None:
    store, shared, own = new_store(), uuid.UUID(int=1), uuid.UUID(int=2)
    tries = []

    def attempt(tx: Transaction) -> None:
        tries.append(tx.fresh)
        ledger = tx.load_shared(shared, project)
        tx.load(own, project)
        write_behind(store, shared)  # another clerk moved a blank meanwhile
        tx.record(*_one(tick(ledger, shared)))

    before = store.version_of(own)
    with pytest.raises(errors.LedgerBusy) as busy:
        store.transact(attempt, retries=3)
    assert tries == [False, True, True, True] and busy.value.kind is errors.ErrorKind.CONFLICT
    assert store.version_of(own) == before == 0  # nothing of this command was written


def test_a_conflict_on_the_clerks_own_record_is_not_retried_as_a_shared_one() -> None:
    store, shared, own = new_store(), uuid.UUID(int=1), uuid.UUID(int=2)
    tries = []

    def attempt(tx: Transaction) -> None:
        tries.append(tx.fresh)
        ledger = tx.load_shared(shared, project)
        card = tx.load(own, project)
        write_behind(store, own)  # someone changed the very card
        tx.record(*_one(tick(ledger, shared)))
        tx.record(*_one(tick(card, own)))

    with pytest.raises(errors.ConcurrentChange) as conflict:
        store.transact(attempt, retries=7)
    assert tries == [False] and not isinstance(conflict.value, errors.LedgerBusy)


def test_hooks_run_only_after_the_write_succeeded() -> None:
    store, stream = new_store(), uuid.UUID(int=1)
    ran: list[int] = []

    def attempt(tx: Transaction) -> None:
        tx.record(*_one(tick(tx.load(stream, project), stream)))
        tx.after_commit(lambda: ran.append(store.version_of(stream)))

    store.transact(attempt)
    assert ran == [1]

    def refused(tx: Transaction) -> None:
        tx.after_commit(lambda: ran.append(-1))
        raise errors.InvalidText(field="x", reason="no")

    with pytest.raises(errors.InvalidText):
        store.transact(refused)
    assert ran == [1]


def _one(step: tuple[Ticked, Counter]) -> tuple[list[Ticked], Counter]:
    event, state = step
    return [event], state


# --- the door: permissions in the application -------------------------------------
def test_a_card_read_without_an_actor_shows_no_full_nik_or_kk(office: Any) -> None:
    from testkit.card_steps import OWNER_KK, OWNER_NIK

    card = office.request_card(OPERATOR, nik=OWNER_NIK, name="Ahmad Fauzi", kk=OWNER_KK,
                               village="35.17.09.2018").id
    anonymous = office.card(card)
    assert OWNER_NIK not in (anonymous.nik, anonymous.masked_nik) and OWNER_KK != anonymous.kk
    assert anonymous.masked_nik == f"{OWNER_NIK[:4]}********{OWNER_NIK[12:]}"
    assert office.card(card, OPERATOR, full=True).nik == OWNER_NIK
    with pytest.raises(errors.RoleNotPermitted, match="see a full NIK"):
        office.card(card, COURIER, full=True)
    with pytest.raises(errors.ActorRequired):
        office.card(card, full=True)


def test_a_write_refused_at_the_door_reads_nothing(office: Any) -> None:
    loads: list[object] = []
    store = office.store
    original = store.load

    def spying_load(*args: Any, **kwargs: Any) -> Any:
        loads.append(args)
        return original(*args, **kwargs)

    store.load = spying_load
    with pytest.raises(errors.RoleNotPermitted, match="lend blanks"):
        office.lend_blanks(OPERATOR, to="Disdukcapil Kediri", record="PINJAM/1",
                           ranges=["3517170001-3517170010"])
    assert loads == [] and written(office) == 0


@pytest.fixture
def office() -> Any:
    from testkit.fake_regions import FakeRegions
    from testkit.fakes import FakeClock

    
    with staffed_office("memory://", clock=FakeClock(), regions=FakeRegions()) as opened:
        yield opened


# --- parse_day --------------------------------------------------------------------
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_day_written_yyyy_mm_dd_reads_back(day: dt.date) -> None:
    assert parse_day(day.isoformat()) == day
    assert parse_day(day) == day


@given(st.text(max_size=12))
def test_anything_else_is_refused_with_the_one_message(text: str) -> None:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        day = None
    if day is not None and len(text.strip()) == 10 and 2000 <= day.year <= 2100:
        return  # a real YYYY-MM-DD day
    with pytest.raises(errors.InvalidText) as refused:
        parse_day(text)
    assert "2017-11-14" in refused.value.message or "year from 2000" in refused.value.message


def test_days_are_bounded_and_may_be_refused_after_a_latest_day() -> None:
    for text in ("1999-12-31", "2101-01-01", "2017-W46-2", "20171114", "14/11/2017"):
        with pytest.raises(errors.InvalidText):
            parse_day(text, "from")
    with pytest.raises(errors.InvalidText, match="in the future"):
        parse_day("2017-11-15", latest=dt.date(2017, 11, 14))
    assert parse_day("2017-11-14", latest=dt.date(2017, 11, 14)) == dt.date(2017, 11, 14)
