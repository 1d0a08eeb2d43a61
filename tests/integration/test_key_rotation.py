"""Envelope keys and ``ektp keys rotate`` (issue 14): the office key wraps the data keys
of the database's key table; a rotation makes a new office key and re-wraps them in
one transaction without rewriting any event; events of before and after the rotation
load, the old key file is needed by nothing, and ``db check`` names the keys by id."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from testkit.cli import assert_one_line_error, init_office, run
from testkit.people import kk_for, make_nik

from ektp.adapters.cipher_key import read_key_file
from ektp.adapters.event_store.codec import encrypted_key_id

RESIDENTS = [(make_nik(serial=n + 1), f"Warga Rotasi {chr(65 + n)}") for n in range(3)]


def _request(db: Path, env: dict[str, str], n: int) -> None:
    nik, name = RESIDENTS[n]
    done = run("card", "request", "--nik", nik, "--name", name, "--kk", kk_for(nik),
               "--village", "35.17.09.2018", db=db, env=env)
    assert done.code == 0, done.err


def _key_ids(db: Path) -> list[str | None]:
    with sqlite3.connect(db) as connection:
        return [encrypted_key_id(bytes(r[0]))
                for r in connection.execute("SELECT state FROM stored_events ORDER BY rowid")]


def _tables(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                                      "'ektp_data_keys'").fetchone()[0])


def test_rotate_rewraps_without_rewriting_and_the_old_key_is_not_needed(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "cipher.key"
    key.parent.mkdir()
    assert run("keys", "init", "--cipher-key-file", str(key), actor=None, role=None).code == 0
    env = {"EKTP_CIPHER_KEY_FILE": str(key)}
    db = tmp_path / "office.db"
    assert init_office(db=db, env=env).code == 0
    _request(db, env, 0)
    old = read_key_file(str(key))
    before = _key_ids(db)
    with sqlite3.connect(db) as connection:
        stored_before = [bytes(r[0]) for r in connection.execute("SELECT state FROM stored_events ORDER BY rowid")]

    # Refused for anyone but the head of office: nothing written, no key made.
    refused = run("keys", "rotate", db=db, env=env, role="operator")
    assert_one_line_error(refused, 1)
    assert sorted(p.name for p in key.parent.iterdir()) == ["cipher.key"]
    assert read_key_file(str(key)).key == old.key and not _tables(db)

    rotated = run("--json", "keys", "rotate", db=db, env=env, role="head")
    assert rotated.code == 0, rotated.err
    report = rotated.json()
    new = read_key_file(str(key))
    assert report["id"] == new.id != old.id and report["previous_id"] == old.id
    assert old.key.hex() not in rotated.out and new.key.hex() not in rotated.out
    # No event was rewritten: the same bytes, under the old key's id.
    with sqlite3.connect(db) as connection:
        assert [bytes(r[0]) for r in connection.execute(
            "SELECT state FROM stored_events ORDER BY rowid")][:len(stored_before)] == stored_before
    # The old key file is not needed any more by anyone: gone, everything still reads.
    Path(report["retired"]).unlink()
    _request(db, env, 1)
    after = _key_ids(db)
    assert after[:len(before)] == before and set(before) == {old.id}
    new_ids = set(after[len(before):])
    assert new_ids == {report["current_data_key"]} and not new_ids & {old.id, new.id}
    for nik, name in RESIDENTS[:2]:
        shown = run("--json", "card", "show", nik, "--full", db=db, env=env, role="head")
        assert shown.code == 0 and shown.json()["name"] == name, shown.err
    check = run("--json", "db", "check", db=db, actor=None, role=None, env=env)
    cipher = next(c for c in check.json()["checks"] if c["name"] == "cipher")
    assert cipher["status"] == "ok", cipher
    assert cipher["key_id"] == new.id and cipher["data_key_id"] == report["current_data_key"]
    assert new.key.hex() not in check.out and key.read_text().split()[1] not in check.out

    # A second rotation re-wraps every data key again; all three requests read.
    again = run("--json", "keys", "rotate", db=db, env=env, role="head")
    assert again.code == 0, again.err
    assert again.json()["data_keys"] == 3
    Path(again.json()["retired"]).unlink()
    _request(db, env, 2)
    for nik, name in RESIDENTS:
        shown = run("--json", "card", "show", nik, "--full", db=db, env=env, role="head")
        assert shown.code == 0 and shown.json()["name"] == name, shown.err

    # The superseded office key opens nothing written since, refused by name (it still
    # opens the events it encrypted itself before the first rotation: no rotation
    # without rewriting them could change that).
    stale = tmp_path / "stale.key"
    stale.write_text(f"ektp-cipher-key/1 {__import__('base64').b64encode(old.key).decode()}\n")
    stale.chmod(0o600)
    wrong = run("card", "show", RESIDENTS[2][0], db=db, env={"EKTP_CIPHER_KEY_FILE": str(stale)})
    assert_one_line_error(wrong, 5)


def test_rotate_without_a_key_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "office.db"
    assert init_office(db=db).code == 0
    refused = run("keys", "rotate", db=db, env={"EKTP_CIPHER_KEY_FILE": ""}, role="head")
    assert_one_line_error(refused, 2)
    assert "keys init" in refused.err and not _tables(db)


@pytest.mark.postgres
def test_rotate_on_postgresql(postgres_url: str, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The key table on PostgreSQL: rotated in process (the CLI's steps), then read by a
    new office opened with the new key alone."""
    from ektp.adapters.cipher_key import new_key_file
    from ektp.adapters.event_store.keyring import read_rows, replace_rows
    from ektp.domain.actor import Actor, Role
    from ektp.entrypoints.composition import open_office

    old = new_key_file(str(tmp_path / "old.key"))
    monkeypatch.setenv("EKTP_CIPHER_KEY_FILE", old.path)
    assert init_office(pre=("--db", postgres_url), env={"EKTP_CIPHER_KEY_FILE": old.path}).code == 0
    operator = Actor(postgres_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[0], Role.OPERATOR)
    nik, name = RESIDENTS[0]
    with open_office(postgres_url) as office:
        first = office.request_card(operator, nik=nik, name=name, kk=kk_for(nik),
                                    village="35.17.09.2018", rt="1", rw="1").id
        new = new_key_file(str(tmp_path / "new.key"))
        rows = replace_rows(office.store.app, old.key, new.key)
        assert read_rows(office.store.app) == rows and len(rows) == 2
    monkeypatch.setenv("EKTP_CIPHER_KEY_FILE", new.path)
    Path(old.path).unlink()
    nik2, name2 = RESIDENTS[1]
    with open_office(postgres_url) as office:
        second = office.request_card(operator, nik=nik2, name=name2, kk=kk_for(nik2),
                                     village="35.17.09.2018", rt="1", rw="1").id
        assert office.cards.card(str(first), operator, full=True).name == name
        assert office.cards.card(str(second), operator, full=True).name == name2
        assert office.cards.card(str(first)).name == "W.R.A."  # shown by default as initials
