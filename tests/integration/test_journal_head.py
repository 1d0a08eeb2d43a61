"""The journal's head is derived from its nodes (no head row is updated with each insert),
and each recorder remembers the head it last committed. These tests hold the memory to
what makes it safe, on SQLite and PostgreSQL: it is used only while nobody else has
written (several offices writing in turn, a rolled-back insert's gap in PostgreSQL's
sequence), and the checks made at write time still refuse a damaged journal (the
newest events deleted, a node added beyond the head, the newest node deleted) with
nothing written. A journal of the first version, with its head row, is moved on open.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from testkit.audit import KEY
from testkit.people import OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.adapters.event_store.journal_tables import OLD_HEAD
from ektp.application.audit.merkle import node_count, node_key
from ektp.application.errors import JournalDamaged
from ektp.application.office import Office
from ektp.domain.errors import ConcurrentChange

_serials = iter(range(500, 10**6))


def _fresh(url: str) -> Office:
    """An office on `url` that has written nothing yet itself: the test staff are enrolled
    by another office first (an office remembers the head of its own writes)."""
    staffed_office(url, audit_key=KEY).close()
    return staffed_office(url, audit_key=KEY)


def _request(office: Office) -> Any:
    nik = make_nik(serial=next(_serials))
    return office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village="35.17.09.2018")


@contextmanager
def _sql(url: str) -> Iterator[Any]:
    """A connection of the database's own client, committed on leaving."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        with connection:
            yield connection
        connection.close()
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            yield connection


def _events_table(url: str) -> str:
    return "stored_events" if url.startswith("sqlite") else "ektp_events"


def _position(url: str) -> str:
    return "rowid" if url.startswith("sqlite") else "notification_id"


def _count_reads(office: Office) -> list[int]:
    """Count the times the office's recorder reads the head from the nodes."""
    recorder: Any = office.store.app.recorder
    reads = [0]
    read = recorder._read_head

    def counted(*args: Any) -> Any:
        reads[0] += 1
        return read(*args)

    recorder._read_head = counted
    return reads


def _verified(office: Office) -> int:
    return office.audit.verify_store(audit_key=KEY).events


def test_a_lone_writer_reads_the_head_once(shared_store_url: str) -> None:
    with _fresh(shared_store_url) as office:
        reads = _count_reads(office)
        for _ in range(5):
            card = _request(office)
            office.confirm_print_readiness(OPERATOR, card.id)
        assert reads[0] == 1  # the first write; every later one follows the head it wrote
        assert _verified(office) == len(list(office.events_since(0)))


def test_offices_writing_in_turn_each_read_the_head_the_other_moved(shared_store_url: str) -> None:
    with _fresh(shared_store_url) as first, \
            _fresh(shared_store_url) as second:
        reads = [_count_reads(first), _count_reads(second)]
        for turn in range(6):
            _request((first, second)[turn % 2])
        # Each write after the other office's is a miss: the head is read, never guessed.
        assert reads[0][0] == 3 and reads[1][0] == 3
        card = _request(first)
        first.confirm_print_readiness(OPERATOR, card.id)  # follows its own head: no read
        assert reads[0][0] == 4
        assert _verified(second) == len(list(second.events_since(0)))
        assert first.store.app.recorder.journal_head() == second.store.app.recorder.journal_head()  # type: ignore[attr-defined]


def test_a_refused_write_leaves_a_gap_the_next_write_reads_past(shared_store_url: str) -> None:
    """PostgreSQL's sequence keeps the numbers a rolled-back insert took: the next write's
    position does not follow the remembered head, so the head is read (and the leaf
    gets the position the event really has)."""
    from ektp.domain.card.events import PrintReadinessConfirmed

    with _fresh(shared_store_url) as office:
        card = _request(office)
        office.confirm_print_readiness(OPERATOR, card.id)
        reads = _count_reads(office)
        stale = PrintReadinessConfirmed(originator_id=card.id, originator_version=2,
                                        timestamp=dt.datetime.now(dt.timezone.utc), actor=OPERATOR,
                                        office="35.17", prr_reference=None)
        with pytest.raises(ConcurrentChange):
            office.store.put([stale], ref="card")
        _request(office)
        gap = shared_store_url.startswith("postgresql")  # SQLite hands the rowid out again
        assert reads[0] == (1 if gap else 0)
        assert _verified(office) == len(list(office.events_since(0)))


def test_the_newest_events_deleted_refuse_the_next_write(tmp_path: Any) -> None:
    """SQLite gives a deleted rowid out again: the write after the newest events were
    deleted would take their positions; it is refused, by the office that remembers the
    head and by a fresh one, and nothing is written."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    with _fresh(url) as office:
        for _ in range(3):
            _request(office)
        before = office.last_position()
        with _sql(url) as sql:
            sql.execute("DELETE FROM stored_events WHERE rowid > ?", (before - 2,))
        with pytest.raises(JournalDamaged, match="rows were removed|beyond"):
            _request(office)
        with _fresh(url) as fresh, pytest.raises(JournalDamaged, match="removed"):
            _request(fresh)
        assert office.last_position() == before - 2


def test_the_newest_events_deleted_are_caught_by_db_verify_on_postgres(postgres_url: str) -> None:
    """PostgreSQL never hands a position out twice, so the next write goes on (as it
    always did); `db verify` names the deleted events."""
    from ektp.application.errors import AuditCheckFailed

    with _fresh(postgres_url) as office:
        for _ in range(3):
            _request(office)
        last = office.last_position()
        with _sql(postgres_url) as sql:
            # The append-only triggers refuse every login; the insider is the tables' owner,
            # who can switch them off first (test_postgres_staff.py).
            sql.execute("ALTER TABLE ektp_events DISABLE TRIGGER ektp_append_only")
            sql.execute("DELETE FROM ektp_events WHERE notification_id > %s", (last - 2,))
        _request(office)
        with pytest.raises(AuditCheckFailed, match="deleted"):
            office.audit.verify_store(audit_key=KEY)


def _stray_node(url: str, office: Office) -> None:
    """A row added at the key the next leaf will take (an insider's forgery, or the rest
    of another tree)."""
    size = office.store.app.recorder.journal_head().size  # type: ignore[attr-defined]
    with _sql(url) as sql:
        marker = "?" if url.startswith("sqlite") else "%s"
        sql.execute(f"INSERT INTO ektp_journal VALUES ({marker}, {marker}, NULL)",
                    (node_key(0, size), b"\x00" * 32))


def test_a_node_beyond_the_head_refuses_the_write(shared_store_url: str) -> None:
    with _fresh(shared_store_url) as office:
        _request(office)
        before = office.last_position()
        _stray_node(shared_store_url, office)
        with pytest.raises(JournalDamaged):
            _request(office)  # remembers its head: the new leaf's key is taken
        with _fresh(shared_store_url) as fresh, pytest.raises(JournalDamaged):
            _request(fresh)  # reads the head: the newest node is no leaf of a whole tree
        assert office.last_position() == before
        with _sql(shared_store_url) as sql:
            count = sql.execute(f"SELECT COUNT(*) FROM {_events_table(shared_store_url)}").fetchone()[0]
        assert count == before  # (positions are dense here: no write was refused before)


def test_the_newest_node_deleted_is_damage_to_writers_and_to_db_verify(shared_store_url: str) -> None:
    from ektp.application.errors import AuditCheckFailed

    with _fresh(shared_store_url) as office:
        for _ in range(3):
            _request(office)
        if office.last_position() % 2:  # an even size: the newest key is an interior node
            office.confirm_print_readiness(OPERATOR, _request(office).id)
        size = office.store.app.recorder.journal_head().size  # type: ignore[attr-defined]
        assert size % 2 == 0 and size >= 6
        with _sql(shared_store_url) as sql:
            sql.execute(f"DELETE FROM ektp_journal WHERE node = {node_count(size) - 1}")
        with _fresh(shared_store_url) as fresh:
            with pytest.raises(JournalDamaged, match="newest node"):
                _request(fresh)
            with pytest.raises(AuditCheckFailed, match="newest node"):
                fresh.audit.verify_store(audit_key=KEY)


def _to_first_version(url: str, office: Office) -> None:
    """Give the database the first version's tables: a head row updated with every
    insert, and no facts row."""
    from ektp.application.audit.journal import journal_key_id

    head = office.store.app.recorder.journal_head()  # type: ignore[attr-defined]
    sqlite = url.startswith("sqlite")
    blob, integer, marker = ("BLOB", "INTEGER", "?") if sqlite else ("bytea", "bigint", "%s")
    with _sql(url) as sql:
        sql.execute(f"CREATE TABLE {OLD_HEAD} (one {integer} PRIMARY KEY CHECK (one = 1), "
                    f"size {integer} NOT NULL, frontier {blob} NOT NULL, built_from {integer} NOT NULL, "
                    f"key_id {blob}, last_seq {integer} NOT NULL)")
        sql.execute(f"INSERT INTO {OLD_HEAD} VALUES (1, {', '.join([marker] * 5)})",
                    (head.size, b"".join(head.frontier), head.built_from, journal_key_id(KEY), head.last_seq))
        sql.execute("DROP TABLE ektp_journal_info")


def test_a_journal_of_the_first_version_is_moved_when_its_tables_are_made(shared_store_url: str) -> None:
    """Where the recorder's tables are made (``db init``, ``db upgrade``'s journal step,
    an embedding host's open of a SQLite file: issue 16 creates tables nowhere else)."""
    with _fresh(shared_store_url) as office:
        for _ in range(2):
            _request(office)
        head = office.store.app.recorder.journal_head()  # type: ignore[attr-defined]
    with _fresh(shared_store_url) as office:
        _to_first_version(shared_store_url, office)
    with _fresh(shared_store_url) as office:
        office.store.app.recorder.create_journal_tables()  # type: ignore[attr-defined]
        assert office.store.app.recorder.journal_head() == head  # type: ignore[attr-defined]
        _request(office)
        assert _verified(office) == head.size + 2
    with _sql(shared_store_url) as sql:
        if shared_store_url.startswith("sqlite"):
            gone = sql.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = ?", (OLD_HEAD,)).fetchone()[0]
        else:
            gone = sql.execute(f"SELECT COUNT(*) FROM pg_tables WHERE tablename = '{OLD_HEAD}'").fetchone()[0]
    assert gone == 0


def test_postgres_listeners_are_notified_of_each_insert(postgres_url: str) -> None:
    """The journalled insert sends eventsourcing's NOTIFY with its nodes (one statement):
    a LISTEN on eventsourcing's channel hears every insert, and only once it commits."""
    import psycopg

    with _fresh(postgres_url) as office, \
            psycopg.connect(postgres_url, autocommit=True) as listener:
        channel = office.store.app.recorder.channel_name  # type: ignore[attr-defined]
        listener.execute(f'LISTEN "{channel}"')
        _request(office)
        heard = list(listener.notifies(timeout=30, stop_after=1))
        assert [n.channel for n in heard] == [channel]
        with pytest.raises(JournalDamaged):
            _stray_node(postgres_url, office)
            _request(office)
        assert list(listener.notifies(timeout=0.5)) == []  # the refused insert notified nobody
