"""Inputs a real office produces by accident: the wrong kind of id, a NIK pasted from a
spreadsheet, a file that is not a database, an unwritable output. One line, the right
exit code, no full NIK, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.cli import EKTP, assert_one_line_error, event_count, new_database, run

NIK = "3517091203850001"  # the demo's first resident


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hardening") / "office.db"
    assert run("demo", "--file", str(db), role=None).code == 0
    return db


def _manifest_id(db: Path) -> str:
    return str(run("--json", "manifest", "list", db=db).json()[0]["id"])


def _card_id(db: Path) -> str:
    return str(run("--json", "card", "list", db=db).json()[0]["id"])


def test_an_id_of_the_wrong_kind_is_not_found(demo: Path) -> None:
    manifest, card = _manifest_id(demo), _card_id(demo)
    before = event_count(demo)
    for args in (["card", "show", manifest], ["card", "history", manifest], ["card", "ready", manifest],
                 ["manifest", "show", card], ["manifest", "close", card, "--record", "X/1"]):
        assert_one_line_error(run(*args, db=demo, role="head"), 3)  # the OS user heads the demo
    assert event_count(demo) == before


@pytest.mark.parametrize("typed", [f"'{NIK}", f"{NIK}x", f"NIK {NIK}", f"{NIK}0"])
def test_a_nik_typed_where_it_should_not_be_is_masked_in_the_error(demo: Path, typed: str) -> None:
    for args in (["card", "show", typed], ["card", "list", "--status", typed],
                 ["card", "cancel", typed, "--reason", typed]):
        result = run(*args, db=demo)
        assert result.code != 0 and "Traceback" not in result.err
        assert NIK not in result.err, result.err


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    not_db = tmp_path / "notes.txt"
    not_db.write_text("not a database\n")
    for args in (["card", "list"], ["db", "check"], ["db", "init"], ["report", "daily"]):
        result = run(*args, db=not_db)
        assert_one_line_error(result, 5)
        assert "not a database" in result.err
    assert not_db.read_text() == "not a database\n"


def test_an_unwritable_output_file(demo: Path, tmp_path: Path) -> None:
    result = run("manifest", "sheet", _manifest_id(demo), "--output", str(tmp_path / "no" / "sheet.html"),
                 db=demo)
    assert_one_line_error(result, 2)
    assert "sheet.html" in result.err


def test_names_as_phones_type_them(demo: Path, office_db: Path) -> None:
    db = office_db
    result = run("card", "request", "--nik", "3517091203850009", "--name", "Ma\u2019ruf Amin",
                 "--kk", "3517090101100009", "--village", "35.17.09.2018", db=db)
    assert result.code == 0, result.err
    shown = run("--json", "card", "show", result.out.strip(), "--full", db=db)
    assert shown.json()["name"] == "Ma'ruf Amin", shown.err
    # Without --full the name is shown as its initials, as lists show it (personal data).
    assert run("--json", "card", "show", result.out.strip(), db=db).json()["name"] == "M.A."


def test_staff_ids_and_dates_are_checked(demo: Path) -> None:
    before = event_count(demo)
    for args in (["manifest", "open", "--courier", "kurir anto", "--date", "2017-11-20",
                  "--village", "35.17.09.2018"],
                 ["manifest", "open", "--courier", "kurir.anto", "--date", "2017-W46-2",
                  "--village", "35.17.09.2018"],
                 ["manifest", "open", "--courier", "kurir.anto", "--date", "9999-12-31",
                  "--village", "35.17.09.2018"]):
        assert_one_line_error(run(*args, db=demo), 2)
    assert event_count(demo) == before


def test_an_owner_hand_over_with_proxy_details_is_refused(shared_db: Path) -> None:
    db = shared_db
    assert run("blanks", "receive", "--bast", "B/1", "--source", "ministry", "--range",
               "3517170001-3517170010", db=db).code == 0
    card = run("card", "request", "--nik", NIK, "--name", "Ahmad", "--kk", "3517090101100001",
               "--village", "35.17.09.2018", db=db).out.strip()
    for args in (["ready", card], ["allocate", card], ["print", card], ["dispatch", card, "--courier", "kurir.anto"]):
        assert run("card", *args, db=db).code == 0
    before = event_count(db)
    result = run("card", "hand-over", card, "--recipient", "owner", "--proxy-nik", "3517081006930004",
                 "--verified-by", "ktp", db=db, actor="kurir.anto", role="courier")
    assert_one_line_error(result, 2)
    assert event_count(db) == before


def test_demo_replaces_only_its_own_files(tmp_path: Path) -> None:
    precious = tmp_path / "ektp.db"
    precious.write_text("the office's real records")
    assert_one_line_error(run("demo", "--file", str(precious), "--replace"), 2)
    assert precious.read_text() == "the office's real records"


def test_a_group_alone_shows_its_help() -> None:
    for group in ([], ["card"], ["manifest"]):
        result = run(*group, role=None)
        assert result.code == 0 and "Usage:" in result.out and result.err == ""


def test_the_command_leaves_quickly_without_losing_anything(demo: Path, tmp_path: Path) -> None:
    """`ektp` ends with os._exit once its work is done: everything it printed still
    arrives, a reader that stops early is no failure, and the database is closed
    (SQLite checkpoints and removes its WAL file when the last connection closes)."""
    import subprocess

    whole = run("--json", "card", "list", db=demo)
    assert whole.code == 0 and len(whole.json()) > 5  # all of it, parsed as one JSON document
    fresh = tmp_path / "fresh.db"  # no other connection to it, unlike the shared demo file
    assert run("db", "init", db=fresh).code == 0
    assert fresh.exists() and not Path(f"{fresh}-wal").exists()
    early = subprocess.run(  # the shell's `ektp regions find a | head -c 10`
        f"'{EKTP}' regions find a | head -c 10", shell=True, capture_output=True, text=True)
    assert early.returncode == 0 and len(early.stdout) == 10 and early.stderr == ""
    missing = run("card", "show", "00000000-0000-4000-8000-000000000000", db=demo)
    assert missing.code == 3 and missing.err.count("\n") == 1  # codes and messages come through
