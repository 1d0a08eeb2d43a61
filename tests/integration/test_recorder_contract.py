"""eventsourcing's own recorder test cases, run against ektp's recorders: the library's
contract is ours too (`eventsourcing.tests.persistence`). ektp's recorders add an
``inserted_by`` column, guarded writes and two quick reads; these tests show that
everything eventsourcing promises of a recorder still holds, and then the additions."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase
from testkit.staff import me

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.durable_sqlite import DurableSQLiteConnectionPool, SignedSQLiteApplicationRecorder
from ektp.adapters.event_store.memory import GuardedPOPOApplicationRecorder
from ektp.adapters.event_store.postgres import SignedPostgresApplicationRecorder
from ektp.application.kernel.authority import GrantChanged


class TestSignedSQLiteRecorder(ApplicationRecorderTestCase[SignedSQLiteApplicationRecorder]):
    """eventsourcing's application-recorder contract on ektp's SQLite recorder (a file)."""

    def setUp(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="ektp-recorder-")
        self.path = str(Path(self.folder) / "events.db")

    def create_recorder(self) -> SignedSQLiteApplicationRecorder:
        datastore = SQLiteDatastore(db_name=self.path, pool_size=100)
        pool = datastore.pool
        datastore.pool = DurableSQLiteConnectionPool(db_name=pool.db_name, lock_timeout=None,
                                                     pool_size=100)
        pool.close()
        recorder = SignedSQLiteApplicationRecorder(datastore)
        recorder.create_table()
        return recorder


class TestGuardedPOPORecorder(ApplicationRecorderTestCase[GuardedPOPOApplicationRecorder]):
    """The same contract on ektp's in-memory recorder."""

    def create_recorder(self) -> GuardedPOPOApplicationRecorder:
        return GuardedPOPOApplicationRecorder()


@pytest.mark.postgres
class TestSignedPostgresRecorder(ApplicationRecorderTestCase[SignedPostgresApplicationRecorder]):
    """The same contract on ektp's PostgreSQL recorder (its lock function, signed rows,
    append-only triggers), on a fresh database of the throwaway server for each test."""

    url: DatabaseUrl

    @pytest.fixture(autouse=True)
    def _database(self, postgres_url: str) -> None:
        self.url = DatabaseUrl.parse(postgres_url)

    def create_recorder(self) -> SignedPostgresApplicationRecorder:
        datastore = PostgresDatastore(self.url.dbname, self.url.host, self.url.port, self.url.user,
                                      "", pool_size=10, max_overflow=10)
        recorder = SignedPostgresApplicationRecorder(datastore, events_table_name="ektp_events")
        recorder.create_table()
        return recorder


# --- what ektp adds ----------------------------------------------------------------
def _recorders(tmp_path: Path, postgres_url: str) -> Iterator[ApplicationRecorder]:
    sqlite = TestSignedSQLiteRecorder()
    sqlite.path = str(tmp_path / "x.db")
    yield sqlite.create_recorder()
    yield GuardedPOPOApplicationRecorder()
    pg = TestSignedPostgresRecorder()
    pg.url = DatabaseUrl.parse(postgres_url)
    yield pg.create_recorder()


def _event(stream: uuid.UUID, version: int) -> StoredEvent:
    return StoredEvent(originator_id=stream, originator_version=version, topic="t", state=b"{}")


def test_a_guarded_write_goes_in_only_while_its_guard_stream_stands(tmp_path: Path,
                                                                     postgres_url: str) -> None:
    for recorder in _recorders(tmp_path, postgres_url):
        guard, other = uuid.uuid4(), uuid.uuid4()
        recorder.insert_events([_event(guard, 1)])
        r: Any = recorder
        assert r.max_version(guard) == 1 and r.max_version(uuid.uuid4()) == 0
        recorder.insert_events([_event(other, 1)], unchanged=((guard, 1),))
        recorder.insert_events([_event(guard, 2)])  # the guarded record moves on
        with pytest.raises(GrantChanged):
            recorder.insert_events([_event(other, 2)], unchanged=((guard, 1),))
        assert [e.originator_version for e in recorder.select_events(other)] == [1], recorder
        # A write to the guard stream itself counts its own events.
        recorder.insert_events([_event(guard, 3)], unchanged=((guard, 2),))
        assert r.max_version(guard) == 3
        # A plain conflict is still eventsourcing's IntegrityError.
        with pytest.raises(IntegrityError):
            recorder.insert_events([_event(other, 1)], unchanged=((guard, 3),))


def test_each_row_records_the_login_that_inserted_it(tmp_path: Path, postgres_url: str) -> None:
    sqlite, _memory, pg = _recorders(tmp_path, postgres_url)
    for recorder, login in ((sqlite, me()), (pg, DatabaseUrl.parse(postgres_url).user)):
        stream = uuid.uuid4()
        ids = recorder.insert_events([_event(stream, 1), _event(stream, 2)])
        assert ids is not None
        assert dict(recorder.select_inserters(0, max(ids))) == {i: login for i in ids}  # type: ignore[attr-defined]
