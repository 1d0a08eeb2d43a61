"""eventsourcing's own recorder test cases run against the recorders ektp builds.

ektp wraps eventsourcing's persistence (the durable SQLite pool today; later a
journal, a cipher, a login column), so the library's contract is ours too.
The recorders come from ektp's own factory, the way an office opens its store
(`open_event_store` on a URL, with `store_settings`): whatever recorder classes
it builds on a branch are the ones these cases check, with nothing named here.

- `ApplicationRecorderTestCase` against the store's application recorder (the
  events and the notification log).
- `AggregateRecorderTestCase` against its snapshot recorder.

on a SQLite file and on a fresh database of the throwaway PostgreSQL server
(never skipped: the `postgres_url` fixture fails without a server).

The peer cases leave reader threads running after a test method returns
(`test_concurrent_no_conflicts` sets a stop flag and returns); `tearDown` joins
every thread the test started before closing the store, or closing would pull
the connection from under a reader (on SQLite, a segmentation fault).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder
from eventsourcing.tests import persistence as peer  # a module: pytest collects none of its classes

from testkit.journal import RawLeaves

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.store import EktpStore, open_event_store


class _EktpStores:
    """Opens ektp's store on `self.url` (a fresh database per test) and closes it
    after the test, once every thread the test started has ended."""

    url: str

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self._threads_before = set(threading.enumerate())
        self._stores: list[EktpStore] = []

    def open_store(self) -> EktpStore:
        store = open_event_store(DatabaseUrl.parse(self.url))
        self._stores.append(store)
        return store

    def tearDown(self) -> None:
        # Daemon threads are the pools' own workers, which end with the pool.
        for thread in set(threading.enumerate()) - self._threads_before:
            if not thread.daemon:
                thread.join(timeout=120)
        for store in self._stores:
            store.close()
        super().tearDown()  # type: ignore[misc]


class _OnSQLite(_EktpStores):
    @pytest.fixture(autouse=True)
    def _fresh_database(self, tmp_path: Path) -> None:
        self.url = f"sqlite:///{tmp_path / 'office.db'}"


class _OnPostgres(_EktpStores):
    @pytest.fixture(autouse=True)
    def _fresh_database(self, postgres_url: str) -> None:
        self.url = postgres_url


class _ApplicationRecorderCases(_EktpStores, peer.ApplicationRecorderTestCase[Any]):
    __test__ = False  # the concrete classes below, one per database, are the tests

    def create_recorder(self) -> ApplicationRecorder:
        recorder = self.open_store().recorder
        assert isinstance(recorder, ApplicationRecorder)
        if hasattr(recorder, "journal"):
            # The peer cases insert stored events of made-up topics ("topic1"), which
            # no ektp leaf form can read: journal them as raw test leaves
            # (tests/integration/test_journal_recorders.py checks that journal).
            recorder.journal = RawLeaves()
        return recorder


class _SnapshotRecorderCases(_EktpStores, peer.AggregateRecorderTestCase):
    __test__ = False

    def create_recorder(self) -> AggregateRecorder:
        snapshots = self.open_store().snapshots
        assert snapshots is not None  # ektp turns snapshotting on (IS_SNAPSHOTTING_ENABLED)
        return snapshots.recorder


class TestApplicationRecorderOnSQLite(_OnSQLite, _ApplicationRecorderCases):
    """The application recorder of `sqlite:///...` (the durable SQLite pool)."""

    __test__ = True


class TestSnapshotRecorderOnSQLite(_OnSQLite, _SnapshotRecorderCases):
    """The snapshot recorder of `sqlite:///...`."""

    __test__ = True


class TestApplicationRecorderOnPostgres(_OnPostgres, _ApplicationRecorderCases):
    """The application recorder of `postgresql://...` as ektp configures it."""

    __test__ = True


class TestSnapshotRecorderOnPostgres(_OnPostgres, _SnapshotRecorderCases):
    """The snapshot recorder of `postgresql://...`."""

    __test__ = True


def test_the_cases_check_the_recorders_ektp_builds(tmp_path: Path, postgres_url: str) -> None:
    """The recorders under test are the store's own, whatever classes ektp's factory
    picks (eventsourcing's SQLite recorders on ektp's durable pool today)."""
    from ektp.adapters.event_store.durable_sqlite import DurableSQLiteConnectionPool

    sqlite_url = f"sqlite:///{tmp_path / 'x.db'}"
    for case_class, url in ((TestApplicationRecorderOnSQLite, sqlite_url),
                            (TestApplicationRecorderOnPostgres, postgres_url),
                            (TestSnapshotRecorderOnSQLite, sqlite_url)):
        case = case_class("test_performance")
        case.url = url
        case.setUp()
        try:
            recorder = case.create_recorder()
            store = case._stores[0]
            assert recorder is (store.recorder if case_class is not TestSnapshotRecorderOnSQLite
                                else store.snapshots.recorder)  # type: ignore[union-attr]
            if url == sqlite_url:
                assert isinstance(store.factory.datastore.pool,  # type: ignore[attr-defined]
                                  DurableSQLiteConnectionPool)
        finally:
            case.tearDown()
