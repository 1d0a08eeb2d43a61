"""The staff register at the command line, with real OS accounts on an SQLite file:
``db init --head``, ``staff ...``, ``whoami``, and every way of acting as someone one is
not, refused with one line and nothing written."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from testkit.accounts import Accounts
from testkit.cli import EKTP, assert_one_line_error, event_count, run
from testkit.people import kk_for, make_nik
from testkit.staff import me

NIK = make_nik()
WITNESSES = ["--witness", "Budi Santoso:inspektorat", "--witness", "Sri Rahayu:kasi pelayanan"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def request(db: Path, nik: str = NIK, **who: str) -> str:
    done = run("card", "request", "--nik", nik, "--name", "Warga Uji", "--kk", kk_for(nik),
               "--village", "35.17.09.2018", db=db, **who)  # type: ignore[arg-type]
    assert done.code == 0, done.err
    return done.out.strip()


def test_db_init_founds_the_register_with_a_private_file(tmp_path: Path) -> None:
    db = tmp_path / "office.db"
    assert_one_line_error(run("card", "request", "--nik", NIK, db=db), 2)  # usage first: no file made
    assert not db.exists()
    who = run("whoami", db=db, role=None)
    assert who.code == 0 and f"{me()} (operating-system user)" in who.out and "no database" in who.out
    done = run("db", "init", "--head", me(), "--name", "Sri Rahayu", db=db, role=None)
    assert done.code == 0, done.err
    assert "private to its owner" in done.out and f"{me()} is head of office" in done.out
    assert mode(db) == 0o600
    # While a connection is open, SQLite's -wal and -shm files are as private as the file.
    with sqlite3.connect(db) as connection:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("CREATE TABLE IF NOT EXISTS probe (x)")
        for side in ("-wal", "-shm"):
            assert mode(Path(f"{db}{side}")) == 0o600, side
        connection.rollback()
    shown = run("--json", "whoami", db=db, role=None).json()
    assert shown["login"] == me() and shown["roles"] == ["head"] and shown["name"] == "Sri Rahayu"
    again = run("db", "init", "--head", "kepala.lain", db=db, role=None)
    assert_one_line_error(again, 1)
    assert "already has its head" in again.err
    assert run("db", "init", db=db, role=None).code == 0  # safe twice without --head
    # An older, world-readable file is made private by db init.
    os.chmod(db, 0o644)
    assert run("db", "init", db=db, role=None).code == 0 and mode(db) == 0o600


def test_the_old_options_are_refused_with_one_line_and_write_nothing(office_db: Path) -> None:
    before = event_count(office_db)
    for options, env in ((["--actor", "kepala"], {}), (["--role", "head"], {}),
                         ([], {"EKTP_ACTOR": "kepala"}), ([], {"EKTP_ROLE": "head"}),
                         (["--actor", "kepala", "--role", "head"], {})):
        result = run(*options, "blanks", "receive", "--bast", "B/1", "--source", "ministry",
                     "--range", "3517170001-3517170010", db=office_db, env=env, role=None)
        assert_one_line_error(result, 2)
        assert "staff register" in result.err and "whoami" in result.err
    assert event_count(office_db) == before


def test_a_password_on_the_command_line_is_refused() -> None:
    result = run("--db", "postgresql://wulan:rahasia@db.kantor/ektp", "card", "list", role=None)
    assert_one_line_error(result, 2)
    assert "~/.pgpass" in result.err and "rahasia" not in result.err


def test_the_register_at_the_command_line(office_db: Path) -> None:
    db = office_db
    enrolled = run("--json", "staff", "enrol", "op.wulan", "--name", "Wulan Sari", "--nip",
                   "198503122010012002", "--role", "operator", "--role", "courier", db=db, role="head")
    assert enrolled.code == 0, enrolled.err
    assert enrolled.json()["roles"] == ["operator", "courier"]
    assert "there is no operating-system account op.wulan" in enrolled.json()["notes"][0]
    assert run("staff", "revoke", "op.wulan", "--role", "courier", db=db, role="head").code == 0
    assert run("staff", "grant", "op.wulan", "--role", "auditor", db=db, role="head").code == 0
    shown = run("--json", "staff", "show", "op.wulan", db=db).json()
    assert shown["roles"] == ["operator", "auditor"] and shown["nip"] == "198503122010012002"
    assert run("staff", "suspend", "op.wulan", "--reason", "cuti", db=db, role="head").code == 0
    listed = run("--json", "staff", "list", db=db).json()
    assert [(m["login"], m["status"]) for m in listed] == [(me(), "active"), ("op.wulan", "suspended")]
    assert "op.wulan" in run("staff", "list", db=db).out
    assert run("staff", "reinstate", "op.wulan", "--reason", "kembali", db=db, role="head").code == 0
    before = event_count(db)
    for args, code, words in (
            (["staff", "revoke", me(), "--role", "head"], 1, "last active head"),
            (["staff", "suspend", me(), "--reason", "x"], 1, "last active head"),
            (["staff", "enrol", "op.wulan", "--name", "X", "--role", "operator"], 1, "already"),
            (["staff", "enrol", NIK, "--name", "X", "--role", "operator"], 2, "never a NIK"),
            (["staff", "enrol", "Op.Besar", "--name", "X", "--role", "operator"], 2, "lower case"),
            (["staff", "enrol", "x", "--name", "X", "--role", "janitor"], 2, "janitor"),
            (["staff", "enrol", "x", "--name", "X", "--nip", "123", "--role", "head"], 2, "NIP"),
            (["staff", "grant", "nobody", "--role", "courier"], 3, "no member"),
            (["staff", "show", "nobody"], 3, "no member")):
        result = run(*args, db=db, role="head")
        assert_one_line_error(result, code)
        assert words in result.err, (args, result.err)
        assert NIK not in result.err
    refused = run("staff", "enrol", "x", "--name", "X", "--role", "head", db=db, role="operator")
    assert_one_line_error(refused, 1)  # only a head changes the register
    assert "may not enrol staff" in refused.err
    assert event_count(db) == before
    for command in ("staff", "staff enrol", "staff grant", "staff revoke", "staff suspend",
                    "staff reinstate", "staff list", "staff show", "whoami"):
        helped = run(*command.split(), "--help", role=None)
        assert helped.code == 0 and "Usage:" in helped.out, command


# --- real OS accounts --------------------------------------------------------------------
def test_another_os_account_cannot_open_the_file(accounts: Accounts, tmp_path: Path) -> None:
    """A file private to its owner is closed to every other account of the machine, even
    in a folder they may enter, whatever they run: ektp, or sqlite3 directly."""
    folder = Path(accounts.folder) / "private-office"
    folder.mkdir()
    os.chmod(folder, 0o755)
    db = folder / "office.db"
    assert run("db", "init", "--head", me(), db=db, role=None).code == 0
    request(db, role="head")
    before = db.read_bytes()
    for args in (["card", "list"], ["whoami"], ["card", "show", NIK]):
        result = run(*args, db=db, actor="kurir.lain", role=None)
        assert_one_line_error(result, 5)
        assert "unable to open" in result.err or "denied" in result.err, result.err
    direct = subprocess.run(["runuser", "-u", "kurir.lain", "--", sys.executable, "-c",
                             f"import sqlite3; sqlite3.connect({str(db)!r}).execute("
                             "'SELECT count(*) FROM stored_events').fetchone()"],
                            capture_output=True, text=True)
    assert direct.returncode != 0 and "unable to open database file" in direct.stderr
    assert db.read_bytes() == before


def test_a_shared_file_and_its_folder(accounts: Accounts) -> None:
    folder = accounts.shared_folder()
    db = folder / "office.db"
    done = run("db", "init", "--head", me(), "--group", accounts.group, db=db, role=None)
    assert done.code == 0, done.err
    assert mode(db) == 0o660 and db.stat().st_gid == folder.stat().st_gid
    # A folder that would not pass its group on to SQLite's -wal file is refused.
    loose = Path(accounts.folder) / "loose"
    loose.mkdir()
    refused = run("db", "init", "--group", accounts.group, db=loose / "office.db", role=None)
    assert_one_line_error(refused, 1)
    assert "chmod g+rwxs" in refused.err and not (loose / "office.db").exists()


def test_an_unknown_login_is_refused(shared_db: Path) -> None:
    assert run("staff", "suspend", "auditor.bpk", "--reason", "x", db=shared_db, role="head").code == 0
    outsider = Path(shared_db).with_name("outsider.db")
    assert run("db", "init", "--head", me(), "--group", Path(shared_db).parent.group(),
               db=outsider, role=None).code == 0
    before = event_count(outsider)
    result = run("card", "request", "--nik", NIK, "--name", "Warga", "--kk", kk_for(NIK),
                 "--village", "35.17.09.2018", db=outsider, actor="kurir.anto", role=None)
    assert_one_line_error(result, 1)
    assert "kurir.anto is not in the staff register" in result.err
    assert event_count(outsider) == before
    who = run("whoami", db=outsider, actor="kurir.anto", role=None)
    assert who.code == 0 and "not in the staff register" in who.out


def test_a_courier_cannot_destroy_blanks(shared_db: Path) -> None:
    db = shared_db
    assert run("blanks", "receive", "--bast", "B/1", "--source", "ministry", "--range",
               "3517170001-3517170010", db=db).code == 0
    assert run("blanks", "spoil", "3517170001", "--reason", "physical-damage", db=db).code == 0
    before = event_count(db)
    for as_role in (None, "courier", "head"):
        result = run("blanks", "destroy", "--record", "BA/1", "--method", "burn", *WITNESSES,
                     "--all-spoiled", db=db, actor="kurir.anto", role=as_role)
        assert_one_line_error(result, 1)
        assert "kurir.anto" in result.err
    assert event_count(db) == before
    assert run("--as", "head", "blanks", "destroy", "--record", "BA/1", "--method", "burn",
               *WITNESSES, "--all-spoiled", db=db, role=None).code == 0  # the head may


def test_a_suspended_login_can_do_nothing(shared_db: Path) -> None:
    db = shared_db
    card = request(db)
    assert run("card", "ready", card, db=db, actor="op.hadi").code == 0
    assert run("staff", "suspend", "op.hadi", "--reason", "investigation", db=db, role="head").code == 0
    before = event_count(db)
    for args in (["card", "allocate", card], ["card", "show", card, "--full"], ["staff", "list"],
                 ["blanks", "count", "--counted", "0"], ["card", "cancel", card, "--reason", "x"]):
        result = run(*args, db=db, actor="op.hadi", role=None)
        assert_one_line_error(result, 1)
        assert "op.hadi is suspended (investigation)" in result.err, args
    assert event_count(db) == before
    who = run("--json", "whoami", db=db, actor="op.hadi", role=None).json()
    assert who["status"] == "suspended" and who["suspended_reason"] == "investigation"


def test_a_login_without_a_role_is_refused(shared_db: Path) -> None:
    db = shared_db
    assert run("staff", "revoke", "auditor.bpk", "--role", "auditor", db=db, role="head").code == 0
    before = event_count(db)
    for args in (["staff", "list"], ["card", "show", NIK, "--full"], ["card", "request", "--nik", NIK,
                 "--name", "Warga", "--kk", kk_for(NIK), "--village", "35.17.09.2018"]):
        result = run(*args, db=db, actor="auditor.bpk", role=None)
        assert_one_line_error(result, 1)
        assert "auditor.bpk holds no role" in result.err
    assert_one_line_error(run("staff", "list", db=db, actor="auditor.bpk", role="head"), 1)
    assert event_count(db) == before


def test_a_courier_records_their_own_results_or_an_officer_records_them_for_the_courier(
        shared_db: Path) -> None:
    db = shared_db
    assert run("blanks", "receive", "--bast", "B/1", "--source", "ministry", "--range",
               "3517170001-3517170010", db=db).code == 0
    cards = [request(db, make_nik(serial=n)) for n in (1, 2)]
    for card in cards:
        for args in (["ready", card], ["allocate", card], ["print", card],
                     ["dispatch", card, "--courier", "kurir.anto"]):
            assert run("card", *args, db=db).code == 0, args
    # The courier's own login, and an officer on the courier's behalf: both recorded.
    assert run("card", "attempt-failed", cards[0], "--reason", "not-at-home", db=db,
               actor="kurir.anto", role=None).code == 0
    assert run("card", "attempt-failed", cards[1], "--reason", "not-at-home", db=db).code == 0
    other = run("card", "attempt-failed", cards[1], "--reason", "not-at-home", db=db,
                actor="kurir.lain", role=None)
    assert_one_line_error(other, 1)  # another courier may not record this courier's cards
    own, behalf = (run("--json", "card", "history", c, db=db).json()[-1] for c in cards)
    assert own["actor"] == {"id": "kurir.anto", "role": "courier"}
    assert behalf["actor"] == {"id": me(), "role": "operator"}
    assert "recorded for courier kurir.anto" in behalf["summary"]
    with sqlite3.connect(db) as connection:
        states = [json.loads(bytes(r[0])) for r in connection.execute(
            "SELECT state FROM stored_events WHERE topic LIKE '%DeliveryAttemptFailed'")]
    assert [s["courier"] for s in states] == ["kurir.anto", "kurir.anto"]
    # The officer who checks a card back in is never its courier, whatever login types it.
    assert run("staff", "grant", "kurir.anto", "--role", "operator", db=db, role="head").code == 0
    back = run("card", "return", cards[0], "--reason", "moved", db=db, actor="kurir.anto",
               role="operator")
    assert_one_line_error(back, 1)
    assert "another officer must check it back in" in back.err


def test_the_ektp_command_is_runnable_by_the_accounts(accounts: Accounts) -> None:
    done = subprocess.run(["runuser", "-u", "kurir.anto", "--", EKTP, "--help"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "whoami" in done.stdout
