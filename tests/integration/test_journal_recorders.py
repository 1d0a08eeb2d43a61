"""eventsourcing's own recorder test cases run against ektp's journalled recorders
(SQLite, PostgreSQL, in memory): the library's contract is ours too. After each test
the journal must be exactly the tree of the notification log, leaf for leaf and in
order, however many threads wrote at once."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)
from eventsourcing.utils import Environment
from testkit.journal import RawLeaves, assert_journal_is_the_log

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.durable_sqlite import DurableSQLiteFactory
from ektp.adapters.event_store.journal_popo import JournalledPOPOApplicationRecorder
from ektp.adapters.event_store.store import store_settings

_names = itertools.count()


class _Journalled:
    """Each test's recorders are checked against their notification log afterwards."""

    made: list[Any]

    def setUp(self) -> None:
        self.made = []

    def tearDown(self) -> None:
        for recorder in self.made:
            assert_journal_is_the_log(recorder)

    def keep(self, recorder: Any) -> Any:
        recorder.journal = RawLeaves()
        self.made.append(recorder)
        return recorder


class _SQLite(_Journalled):
    def create_recorder(self) -> ApplicationRecorder:
        folder = Path(tempfile.mkdtemp(prefix="ektp-journal-"))
        settings = store_settings(DatabaseUrl.parse(f"sqlite:///{folder / 'store.db'}"))
        factory = DurableSQLiteFactory(Environment("ektp", settings))
        return self.keep(factory.application_recorder())  # type: ignore[no-any-return]


class TestSQLiteJournalledRecorder(_SQLite, ApplicationRecorderTestCase[Any]):
    """eventsourcing's ApplicationRecorderTestCase on the journalled SQLite recorder."""


class TestSQLiteJournalledNonInterleaving(_SQLite, NonInterleavingNotificationIDsBaseCase):
    """Two threads inserting 1,000 events each: ids (and leaves) never interleave."""


class TestPOPOJournalledRecorder(_Journalled, ApplicationRecorderTestCase[Any]):
    """The in-memory journalled recorder."""

    def create_recorder(self) -> ApplicationRecorder:
        return self.keep(JournalledPOPOApplicationRecorder())  # type: ignore[no-any-return]


@pytest.fixture
def _pg(request: pytest.FixtureRequest, postgres_server: str) -> None:
    from testkit.postgres import create_database

    request.instance.server = postgres_server
    request.instance.new_database = lambda: create_database(postgres_server, f"ektp_rec_{next(_names)}")


class _Postgres(_Journalled):
    new_database: Any

    def create_recorder(self) -> ApplicationRecorder:
        from eventsourcing.postgres import PostgresFactory

        settings = store_settings(DatabaseUrl.parse(self.new_database()))
        factory = PostgresFactory(Environment("ektp", settings))
        self.factories = getattr(self, "factories", []) + [factory]
        return self.keep(factory.application_recorder())  # type: ignore[no-any-return]

    def tearDown(self) -> None:
        super().tearDown()
        for factory in getattr(self, "factories", []):
            factory.close()


@pytest.mark.postgres
@pytest.mark.usefixtures("_pg")
class TestPostgresJournalledRecorder(_Postgres, ApplicationRecorderTestCase[Any]):
    """eventsourcing's ApplicationRecorderTestCase on the journalled PostgreSQL recorder."""

    EXPECT_CONTIGUOUS_NOTIFICATION_IDS = False


@pytest.mark.postgres
@pytest.mark.usefixtures("_pg")
class TestPostgresJournalledNonInterleaving(_Postgres, NonInterleavingNotificationIDsBaseCase):
    """Two threads inserting 1,000 events each on PostgreSQL: the table lock serialises them."""
