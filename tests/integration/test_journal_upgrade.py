"""A database written before the journal existed: reads work, writes are refused until
`ektp db upgrade` has built the journal once, which says from which leaf on the tree is
built at write time; on SQLite and PostgreSQL, in process and through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.audit import HEAD, KEY
from testkit.cli import run
from testkit.people import OPERATOR, STAFF, kk_for, make_nik
from testkit.staff import SignedIn, enrol, me

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.store import open_event_store
from ektp.application.config import OfficeConfig
from ektp.application.errors import JournalAlreadyBuilt, JournalMissing
from ektp.application.office import Office
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import lokal_regions, open_office
from ektp.adapters.clocks import SystemClock


def old_database(url: str, cards: int = 3) -> int:
    """Write some history the way ektp did before the journal: no journal tables at all,
    and schema version 1 (the version before the journal's step). The staff register
    has the test staff, and the OS user running the tests as its head (for the CLI).
    Returns how many events it wrote."""
    store = open_event_store(DatabaseUrl.parse(url), journal=False)
    head = Actor(me(), Role.HEAD)
    office = Office(store, SystemClock(), OfficeConfig(), regions=lokal_regions,
                    identity=SignedIn([*(a.id for a, _ in STAFF), head.id]))
    enrol(office, [(head, "Penguji"), *STAFF], head=head)
    for n in range(cards):
        nik = make_nik(serial=500 + n)
        card = office.request_card(OPERATOR, nik=nik, name="Warga Lama", kk=kk_for(nik),
                                   village="35.17.09.2018")
        office.confirm_print_readiness(OPERATOR, card.id)
    written = office.last_position()
    office.close()
    _sql(url, "DELETE FROM ektp_schema WHERE version >= 2")
    return written


def _sql(url: str, statement: str) -> None:
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url[len("sqlite:///"):]) as connection:
            connection.execute(statement)
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(statement)


def test_upgrade_builds_the_journal_once(shared_store_url: str) -> None:
    old = old_database(shared_store_url)
    # Commands refuse the outdated schema at open (test_operations.py); past that check the
    # journal itself still refuses every write until it is built.
    with open_office(shared_store_url, audit_key=KEY, check_schema=False,
                     identity=SignedIn()) as office:
        before = office.last_position()
        assert len(list(office.events_since(0))) == old  # reads work
        nik = make_nik(serial=600)
        with pytest.raises(JournalMissing):
            office.request_card(OPERATOR, nik=nik, name="Warga Baru", kk=kk_for(nik),
                                village="35.17.09.2018")
        assert office.last_position() == before  # nothing half-written
        with pytest.raises(JournalMissing):
            office.audit.verify_store(audit_key=KEY)
        head = office.audit.build_journal(audit_key=KEY)
        assert head.size == head.built_from == old
        with pytest.raises(JournalAlreadyBuilt):
            office.audit.build_journal(audit_key=KEY)
        office.request_card(OPERATOR, nik=nik, name="Warga Baru", kk=kk_for(nik), village="35.17.09.2018")
        report = office.audit.verify_store(audit_key=KEY)
        assert report.events == old + 2 and report.built_from == old
        signed, _ = office.audit.checkpoint(HEAD, _signer())
        assert signed.checkpoint.size == old + 2


def _signer() -> object:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ektp.adapters.audit.ed25519 import Ed25519Signer

    return Ed25519Signer(Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32))


def test_the_cli_upgrade(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    old = old_database(f"sqlite:///{db}", cards=2)
    refused = run("card", "request", "--nik", make_nik(serial=700), "--name", "X", "--kk",
                  kk_for(make_nik(serial=700)), "--village", "35.17.09.2018", db=db)
    assert refused.code == 5 and "ektp db upgrade" in refused.err  # an outdated schema
    assert run("db", "upgrade", db=db, audit_key=None).code == 2  # the key is needed
    done = run("db", "upgrade", db=db)
    assert done.code == 0, done.err
    assert "from schema version 1 to 6: 2 journal, 3 signed-rows, 4 keyed-nik-registers, 5 subject-keys, 6 proxy-index" in done.out
    assert f"leaves 0..{old - 1}" in done.out and f"from leaf {old} on" in done.out
    again = run("db", "upgrade", db=db)  # safe to run again: the journal is built once
    assert again.code == 0 and "nothing to do" in again.out
    verified = run("db", "verify", db=db)
    assert verified.code == 7 and "built by 'ektp db upgrade'" in verified.out  # no checkpoint yet
