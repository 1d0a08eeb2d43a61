"""The card commands as a clerk and a courier type them: real subprocesses on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.cli import assert_one_line_error, event_count, run
from testkit.people import kk_for, make_nik

NIK = make_nik()
PROXY_NIK = make_nik(day=10, month=6, year=1993, serial=4)


@pytest.fixture
def db(office_db: Path) -> Path:
    return office_db


def request(db: Path, nik: str = NIK, *extra: str) -> str:
    result = run("card", "request", "--nik", nik, "--name", "Rina Wulandari", "--kk", kk_for(NIK),
                 "--village", "35.17.09.2018", "--rt", "4", "--rw", "2", *extra, db=db)
    assert result.code == 0, result.err
    return result.out.strip()


def test_full_lifecycle_to_a_proxy_hand_over(shared_db: Path) -> None:
    db = shared_db
    received = run("blanks", "receive", "--bast", "BAST/T/1", "--source", "ministry",
                   "--range", "3517170001-3517170010", db=db)
    assert received.code == 0, received.err
    card = request(db)
    for args in (["ready", card], ["allocate", card, "--serial", "3517170001"],
                 ["print-failed", card, "--reason", "chip-not-encoded"],
                 ["allocate", card, "--serial", "3517170002"], ["print", card, "--station", "cetak-1"],
                 ["dispatch", card, "--courier", "kurir.anto"]):
        result = run("card", *args, db=db)
        assert result.code == 0, (args, result.err)
    result = run("card", "attempt-failed", NIK, "--reason", "not-at-home", db=db, actor="kurir.anto", role="courier")
    assert result.code == 0, result.err
    result = run("card", "hand-over", NIK, "--recipient", "proxy", "--proxy-nik", PROXY_NIK,
                 "--proxy-name", "Hendra Gunawan", "--proxy-kk", kk_for(NIK), "--relationship", "spouse",
                 "--verified-by", "kk", "--evidence", "TTD-0004", db=db, actor="kurir.anto", role="courier")
    assert result.code == 0, result.err

    shown = run("--json", "card", "show", card, db=db).json()
    assert shown["status"] == "HANDED_OVER" and shown["version"] == 9
    assert shown["nik"] == "3517********0001" and shown["village"] == "35.17.09.2018"
    assert shown["spoiled_serials"] == ["3517170001"] and shown["recipient"] == "proxy"

    history = run("--json", "card", "history", card, db=db).json()
    assert [h["event"] for h in history] == [
        "Requested", "PrintReadinessConfirmed", "BlankAllocated", "PrintFailed", "BlankAllocated",
        "Printed", "Dispatched", "DeliveryAttemptFailed", "HandedOver"]
    assert history[-1]["actor"] == {"id": "kurir.anto", "role": "courier"}
    text = run("card", "history", card, db=db).out
    assert NIK not in text and PROXY_NIK not in text and "WIB" in text


def test_show_full_only_for_roles_allowed_to_see_it(shared_db: Path) -> None:
    db = shared_db
    card = request(db)
    assert run("--json", "card", "show", card, "--full", db=db).json()["nik"] == NIK
    assert_one_line_error(run("card", "show", card, "--full", db=db, actor="kurir.lain", role="courier"), 1)
    assert NIK not in run("card", "show", card, db=db).out


def test_list_reads_by_status_and_village(db: Path) -> None:
    first = request(db)
    second = request(db, make_nik(region="351708", serial=2))
    assert run("card", "ready", second, db=db).code == 0
    listed = run("--json", "card", "list", "--status", "READY_TO_PRINT", db=db).json()
    assert [c["id"] for c in listed] == [second]
    assert {c["id"] for c in run("--json", "card", "list", db=db).json()} == {first, second}


@pytest.mark.parametrize(("args", "code", "words"), [
    (["card", "request", "--nik", "3517091203850000", "--name", "X", "--kk", "3517090101100001",
      "--village", "35.17.09.2018"], 2, "serial digits"),
    (["card", "request", "--nik", NIK, "--name", "X", "--kk", "3517090101100001",
      "--village", "35.78.01.1001"], 1, "outside this office"),
    (["card", "request", "--nik", NIK, "--name", "X", "--kk", "3517090101100001",
      "--village", "Atlantis"], 2, "35.17.08.2014"),
    (["card", "request", "--nik", NIK], 2, "Missing option"),
    (["card", "ready", "8d6a8f5e-1a0e-4c1e-9f4e-2d8f3c1b5a77"], 3, "no card found"),
    (["card", "ready", "kartu-saya"], 2, "neither a card id"),
    (["card", "teleport", "x"], 2, "No such command"),
])
def test_bad_input_is_one_line_and_writes_nothing(db: Path, args: list[str], code: int, words: str) -> None:
    assert run("db", "init", db=db).code == 0  # an office with no card yet
    before = event_count(db)
    result = run(*args, db=db)
    assert_one_line_error(result, code)
    assert words in result.err
    assert NIK not in result.err
    assert event_count(db) == before


def test_wrong_order_is_refused_and_writes_nothing(db: Path) -> None:
    card = request(db)
    before = event_count(db)
    result = run("card", "allocate", card, "--serial", "3517170001", db=db)
    assert_one_line_error(result, 1)
    assert "print readiness" in result.err
    result = run("card", "request", "--nik", NIK, "--name", "Y", "--kk", kk_for(NIK),
                 "--village", "35.17.09.2018", db=db)
    assert_one_line_error(result, 1)
    assert "already has an open request" in result.err and NIK not in result.err
    assert event_count(db) == before


def test_write_commands_need_a_role_the_register_grants(db: Path) -> None:
    card = request(db)
    before = event_count(db)
    result = run("card", "ready", card, db=db, role=None)  # head and operator: which one?
    assert_one_line_error(result, 2)
    assert "--as ROLE" in result.err
    assert_one_line_error(run("card", "ready", card, db=db, role="janitor"), 2)
    refused = run("card", "ready", card, db=db, role="auditor")  # a role not granted
    assert_one_line_error(refused, 1)
    assert "does not hold the role auditor" in refused.err
    assert event_count(db) == before
    # reading picks no role
    assert run("card", "show", card, db=db, role=None).code == 0


def test_json_errors_are_one_json_line(db: Path) -> None:
    assert run("db", "init", db=db).code == 0  # safe twice
    result = run("--json", "card", "ready", "8d6a8f5e-1a0e-4c1e-9f4e-2d8f3c1b5a77", db=db)
    assert_one_line_error(result, 3)
    assert '"error": "CardNotFound"' in result.err


def test_a_mistyped_db_on_a_command_that_does_not_create_leaves_no_file(tmp_path: Path) -> None:
    for args in (["card", "ready", NIK], ["card", "show", NIK], ["manifest", "list"], ["blanks", "stock"]):
        assert_one_line_error(run(*args, db=tmp_path / "typo.db"), 5)
    assert not (tmp_path / "typo.db").exists()


def test_store_unavailable(tmp_path: Path) -> None:
    assert_one_line_error(run("card", "list", db=tmp_path / "missing.db"), 5)
    assert_one_line_error(run("card", "ready", "x", db=tmp_path / "no" / "such" / "dir.db"), 5)
    assert_one_line_error(run("--db", "mysql://x", "card", "list", actor=None), 5)
    assert not (tmp_path / "missing.db").exists()


def test_help_for_every_command() -> None:
    for command in ("", "card", "card request", "card hand-over", "card list", "demo"):
        result = run(*command.split(), "--help", actor=None)
        assert result.code == 0 and "Usage:" in result.out, command


def test_python_dash_m_entrypoint(db: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "ektp.entrypoints", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "card" in done.stdout


def test_demo_runs_the_launch_scenario(tmp_path: Path) -> None:
    result = run("--json", "demo", actor=None, cwd=tmp_path)
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["cards"] == 8 and summary["blanks_spoiled"] == 1
    assert summary["handed_over_to_proxy"] == 1 and summary["returned"] == 1
    assert summary["blanks_received"] == 500 and summary["blanks_in_stock"] == 491
    assert summary["blank_conservation_holds"] is True
    assert_one_line_error(run("demo", actor=None, cwd=tmp_path), 2)  # it exists: --replace
    assert run("demo", "--replace", actor=None, cwd=tmp_path).code == 0
