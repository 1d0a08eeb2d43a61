"""Encryption at rest (issue 14, its first part): every stored event's payload, snapshots
included, is AES-256-GCM through eventsourcing's own cipher, keyed by the office's cipher
key file, on SQLite and PostgreSQL; a database read without its key, or with another,
is refused by name; `keys init`, `keys list` and `db check` show the key by its id.

The greps read the event and snapshot tables only: the read models (card_status and the
rest) still hold names in plain, and are not yet in scope (issue 14's next part)."""

from __future__ import annotations

import grp
import json
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from testkit.cli import Result, assert_one_line_error, init_office, new_database, run
from testkit.people import kk_for, make_nik
from testkit.staff import me
from testkit.postgres import find_binary

from ektp.adapters.event_store.codec import CIPHER_MARKER
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office

RESIDENTS = [(make_nik(serial=n + 1), f"Warga {chr(65 + n % 26)}{chr(65 + n // 26)}")
             for n in range(50)]


def _keys_init(path: Path) -> Result:
    return run("keys", "init", "--cipher-key-file", str(path), actor=None, role=None)


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "keys" / "cipher.key"
    path.parent.mkdir()
    made = _keys_init(path)
    assert made.code == 0, made.err
    monkeypatch.setenv("EKTP_CIPHER_KEY_FILE", str(path))
    yield path


def _operator(url: str) -> Actor:
    """The office's own identity (`testkit.cli.init_office`: head and operator): the OS
    user on SQLite, the database login on PostgreSQL."""
    login = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[0] if url.startswith(
        "postgresql") else me()
    return Actor(login, Role.OPERATOR)


def _seed(url: str) -> list[str]:
    """50 residents, each card delivered (the blank ledger takes a snapshot on the way),
    the hand-overs recorded by an officer on the courier's behalf; their card ids."""
    cards = []
    OPERATOR = _operator(url)
    with open_office(url) as office:
        office.receive_blanks(OPERATOR, bast="BAST/T/1", source="ministry",
                              ranges=["3517170001-3517170100"])
        for n, (nik, name) in enumerate(RESIDENTS):
            card = str(office.request_card(OPERATOR, nik=nik, name=name, kk=kk_for(nik),
                                           village="35.17.09.2018", rt="2", rw="1").id)
            office.confirm_print_readiness(OPERATOR, card)
            office.allocate_blank(OPERATOR, card, f"35171700{n + 1:02d}")
            office.record_printed(OPERATOR, card)
            office.dispatch(OPERATOR, card, "kurir.test")
            office.hand_over(OPERATOR, card, recipient="owner", verified_by="ktp")
            cards.append(card)
    return cards


def _secrets() -> list[bytes]:
    """What must never be found in a payload: each NIK, KK and name, as text and as hex."""
    found = [s.encode() for nik, name in RESIDENTS for s in (nik, kk_for(nik), name)]
    return found + [s.hex().encode() for s in found]


def _sqlite_payloads(db: Path) -> tuple[list[bytes], list[bytes]]:
    with sqlite3.connect(db) as connection:
        events = [bytes(r[0]) for r in connection.execute("SELECT state FROM stored_events")]
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        snapshot_table = next(t for t in tables if "snapshot" in t)
        snapshots = [bytes(r[0]) for r in connection.execute(f"SELECT state FROM {snapshot_table}")]
    return events, snapshots


def test_sqlite_payloads_hold_no_nik_kk_or_name(tmp_path: Path, key_file: Path) -> None:
    db = tmp_path / "office.db"
    # The register's own events, through the CLI, are encrypted too (the key named by the
    # environment, as on an office's workstation).
    assert init_office(db=db, env={"EKTP_CIPHER_KEY_FILE": str(key_file)}).code == 0
    cards = _seed(f"sqlite:///{db}")
    events, snapshots = _sqlite_payloads(db)
    assert len(events) > 300 and snapshots, (len(events), len(snapshots))
    assert all(p.startswith(CIPHER_MARKER) for p in events + snapshots)
    blob = b"\n".join(events + snapshots)
    assert [s for s in _secrets() if s in blob] == []
    # The records still read: every card is there, delivered, with its NIK and name.
    with open_office(f"sqlite:///{db}") as office:
        found = office.cards.card(cards[7], _operator(f"sqlite:///{db}"), full=True)
        assert found.status == "HANDED_OVER" and found.name == RESIDENTS[7][1]
    verified = run("db", "verify", db=db, actor=None, role=None,
                   env={"EKTP_CIPHER_KEY_FILE": str(key_file)})
    assert verified.code in (0, 7), verified.err


def test_without_a_key_the_same_payloads_are_plain(tmp_path: Path) -> None:
    """The control: the grep above finds what an unencrypted database holds."""
    os.environ.pop("EKTP_CIPHER_KEY_FILE", None)
    db = new_database(tmp_path / "office.db")
    _seed(f"sqlite:///{db}")
    events, snapshots = _sqlite_payloads(db)
    blob = b"\n".join(events + snapshots)
    assert all(nik.encode() in blob and name.encode() in blob for nik, name in RESIDENTS)


@pytest.mark.postgres
def test_a_pg_dump_of_the_event_tables_holds_no_nik_kk_or_name(postgres_url: str, key_file: Path) -> None:
    assert init_office(pre=("--db", postgres_url),
                       env={"EKTP_CIPHER_KEY_FILE": str(key_file)}).code == 0
    cards = _seed(postgres_url)
    import psycopg

    with psycopg.connect(postgres_url) as connection:
        tables = [r[0] for r in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
            "(tablename = 'ektp_events' OR tablename LIKE '%snapshot%')")]
        count = connection.execute("SELECT COUNT(*) FROM ektp_events").fetchone()
    assert len(tables) == 2 and count is not None and count[0] > 300, tables
    dump = subprocess.run([find_binary("pg_dump"), "--data-only",
                           *[f"--table={t}" for t in tables], postgres_url],
                          capture_output=True, timeout=120, check=True).stdout
    assert b"COPY public.ektp_events" in dump and len(dump) > 100_000
    lower = dump.lower()
    assert [s for s in _secrets() if s.lower() in lower] == []
    assert CIPHER_MARKER.hex().encode() in lower  # bytea as hex: the marker of each payload
    with open_office(postgres_url) as office:
        assert office.cards.card(cards[3], _operator(postgres_url), full=True).name == RESIDENTS[3][1]


def test_keys_init_list_and_db_check(tmp_path: Path) -> None:
    key = tmp_path / "cipher.key"
    made = _keys_init(key)
    assert made.code == 0, made.err
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    key_id = made.out.split()[2]
    assert len(key_id) == 16 and key.read_text().split()[1] not in made.out  # never the key
    again = _keys_init(key)
    assert again.code == 2 and "already exists" in again.err
    grouped = tmp_path / "grouped.key"  # a key stays 0600 when the office's files go to a group
    assert run("keys", "init", "--cipher-key-file", str(grouped), actor=None, role=None,
               env={"EKTP_FILES_GROUP": grp.getgrgid(os.getegid()).gr_name}).code == 0
    assert stat.S_IMODE(grouped.stat().st_mode) == 0o600
    env = {"EKTP_CIPHER_KEY_FILE": str(key)}
    listed = run("--json", "keys", "list", actor=None, role=None, env=env).json()
    assert {r["purpose"]: r["id"] for r in listed}["cipher"] == key_id
    assert {r["purpose"] for r in listed} == {"cipher", "audit", "signing"}
    db = tmp_path / "office.db"
    assert init_office(db=db, env=env).code == 0
    wrote = run("card", "request", "--nik", RESIDENTS[0][0], "--name", RESIDENTS[0][1], "--kk",
                kk_for(RESIDENTS[0][0]), "--village", "35.17.09.2018", db=db, env=env)
    assert wrote.code == 0, wrote.err
    check = run("--json", "db", "check", db=db, actor=None, role=None, env=env)
    cipher = next(c for c in check.json()["checks"] if c["name"] == "cipher")
    assert cipher["status"] == "ok" and cipher["key_id"] == key_id == cipher["latest_event_key_id"]
    # Without the key, and with another key: refused by name, exit 5, nothing shown.
    without = run("card", "show", RESIDENTS[0][0], db=db, env={"EKTP_CIPHER_KEY_FILE": ""})
    assert_one_line_error(without, 5)
    assert key_id in without.err and RESIDENTS[0][1] not in without.err
    other = tmp_path / "other.key"
    assert _keys_init(other).code == 0
    wrong = run("card", "show", RESIDENTS[0][0], db=db, env={"EKTP_CIPHER_KEY_FILE": str(other)})
    assert_one_line_error(wrong, 5)
    assert key_id in wrong.err and "not with the configured key" in wrong.err
    no_key_check = run("--json", "db", "check", db=db, actor=None, role=None,
                       env={"EKTP_CIPHER_KEY_FILE": ""})
    assert no_key_check.code == 1
    assert next(c for c in no_key_check.json()["checks"] if c["name"] == "cipher")["status"] == "fail"
    # A key file others may read is refused, as ssh refuses such a private key.
    key.chmod(0o640)
    loose = run("card", "show", RESIDENTS[0][0], db=db, env=env)
    assert_one_line_error(loose, 2)
    assert "chmod 600" in loose.err


def test_the_key_comes_from_the_configuration_and_the_export_verifies(tmp_path: Path) -> None:
    key = tmp_path / "cipher.key"
    assert _keys_init(key).code == 0
    config = tmp_path / "config.toml"
    config.write_text(f'[keys]\ncipher_key_file = "{key}"\n')
    env = {"EKTP_CONFIG": str(config)}
    db = tmp_path / "office.db"
    assert init_office(db=db, env=env).code == 0
    assert run("card", "request", "--nik", RESIDENTS[1][0], "--name", RESIDENTS[1][1], "--kk",
               kk_for(RESIDENTS[1][0]), "--village", "35.17.09.2018", db=db, env=env).code == 0
    events, _ = _sqlite_payloads(db)
    assert events and all(p.startswith(CIPHER_MARKER) for p in events)
    out = tmp_path / "export"
    exported = run("audit", "export", "--out", str(out), db=db, role="head", env=env)
    assert exported.code == 0, exported.err
    verified = run("--json", "audit", "verify", str(out), db=None, actor=None, role=None, env=env)
    assert verified.code in (0, 7), verified.err
    assert json.loads(verified.out)["manifest"]["count"] == len(events)


def test_a_plain_database_keeps_reading_once_a_key_is_configured(tmp_path: Path) -> None:
    """Events written before the office had a key stay readable; new ones are encrypted."""
    db = new_database(tmp_path / "office.db")
    assert run("card", "request", "--nik", RESIDENTS[2][0], "--name", RESIDENTS[2][1], "--kk",
               kk_for(RESIDENTS[2][0]), "--village", "35.17.09.2018", db=db).code == 0
    key = tmp_path / "cipher.key"
    assert _keys_init(key).code == 0
    env = {"EKTP_CIPHER_KEY_FILE": str(key)}
    assert run("card", "request", "--nik", RESIDENTS[3][0], "--name", RESIDENTS[3][1], "--kk",
               kk_for(RESIDENTS[3][0]), "--village", "35.17.09.2018", db=db, env=env).code == 0
    for nik, name in RESIDENTS[2:4]:
        shown = run("--json", "card", "show", nik, "--full", db=db, env=env, role="head")
        assert shown.code == 0 and shown.json()["name"] == name, shown.err
    events, _ = _sqlite_payloads(db)
    assert not events[0].startswith(CIPHER_MARKER) and events[-1].startswith(CIPHER_MARKER)
