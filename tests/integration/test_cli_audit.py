"""``ektp audit`` as an auditor and a head of office type it: real subprocesses."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from testkit.cli import assert_one_line_error, run
from testkit.keys import TEST_AUDIT_KEY_HEX
from testkit.staff import me

KEY_ENV = {"EKTP_AUDIT_KEY": TEST_AUDIT_KEY_HEX}  # the key the office's journal is written with
RESIDENT_NIK = "3517091203850001"  # from the demo scenario
# The demo is a host program: the OS user running it inserted its invented staff's events.
HOST = ["--host-login", me()]


def first_card(export: Path) -> str:
    """The stream of the export's first card event."""
    lines = (export / "events.jsonl").read_bytes().splitlines()
    return str(next(o for o in map(json.loads, lines) if o["aggregate"] == "card")["stream"])


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-audit")
    db = folder / "office.db"
    assert run("demo", "--file", str(db), role=None).code == 0  # the OS user is its head
    assert run("audit", "keygen", "--private", str(folder / "k.pem"), "--public",
               str(folder / "k.pub")).code == 0
    done = run("audit", "export", "--out", str(folder / "export"), "--sign-key", str(folder / "k.pem"),
               db=db, role="head", env=KEY_ENV)
    assert done.code == 0, done.err
    return folder


def test_export_verify_replay_reconcile_cards(office: Path) -> None:
    export = office / "export"
    assert RESIDENT_NIK.encode() not in (export / "events.jsonl").read_bytes()
    verified = run("--json", "audit", "verify", str(export), "--public-key", str(office / "k.pub"), *HOST)
    assert verified.code == 0, verified.err
    assert verified.err == ""  # no progress bar when stderr is not a terminal
    with sqlite3.connect(office / "office.db") as db:  # every stored event, the NIK registers' too
        (expected,) = db.execute("SELECT count(*) FROM stored_events").fetchone()
    assert verified.json()["signature"] == "valid" and verified.json()["manifest"]["count"] == expected

    card = first_card(export)
    now = run("--json", "audit", "replay", str(export), card).json()
    assert now["status"] == "HANDED_OVER" and now["nik"].startswith("3517********0001~")
    then = run("--json", "audit", "replay", str(export), card, "--as-of", "2017-11-08T09:00:00+07:00").json()
    assert then["status"] == "READY_TO_PRINT" and len(then["history"]) == 2

    reconciled = run("--json", "audit", "reconcile", str(export))
    assert reconciled.code == 0 and reconciled.json()["clean"] is True

    table = list(csv.reader(io.StringIO(run("audit", "cards", str(export), "--csv").out)))
    assert table[0][:3] == ["card", "status", "village"] and len(table) == 9
    assert {row[1] for row in table[1:]} == {"HANDED_OVER", "RETURNED"}


def test_tampering_exits_6_naming_the_line(office: Path, tmp_path: Path) -> None:
    lines = (office / "export" / "events.jsonl").read_bytes().splitlines(keepends=True)
    (tmp_path / "events.jsonl").write_bytes(b"".join(lines[:3] + lines[4:]))
    (tmp_path / "manifest.json").write_bytes((office / "export" / "manifest.json").read_bytes())
    result = run("audit", "verify", str(tmp_path))
    assert_one_line_error(result, 6)
    assert "events.jsonl line 4" in result.err
    assert_one_line_error(run("audit", "reconcile", str(tmp_path)), 6)


def test_wrong_public_key_and_unreadable_key(office: Path, tmp_path: Path) -> None:
    assert run("audit", "keygen", "--private", str(tmp_path / "x.pem"), "--public", str(tmp_path / "x.pub")).code == 0
    result = run("audit", "verify", str(office / "export"), "--public-key", str(tmp_path / "x.pub"))
    assert_one_line_error(result, 6)
    assert "manifest.sig" in result.err
    (tmp_path / "junk.pub").write_text("not a key")
    assert_one_line_error(run("audit", "verify", str(office / "export"), "--public-key",
                              str(tmp_path / "junk.pub")), 2)


def test_export_refusals(office: Path, tmp_path: Path) -> None:
    db = office / "office.db"
    missing_key = run("audit", "export", "--out", str(tmp_path / "a"), db=db, role="head",
                      audit_key=None)
    assert_one_line_error(missing_key, 2)
    assert "EKTP_AUDIT_KEY" in missing_key.err and not (tmp_path / "a").exists()
    assert_one_line_error(run("audit", "export", "--out", str(tmp_path / "b"), db=db,
                              env={"EKTP_AUDIT_KEY": "abcd"}, role="head"), 2)
    other_key = run("audit", "export", "--out", str(tmp_path / "b2"), db=db,
                    env={"EKTP_AUDIT_KEY": "ab" * 32}, role="head")
    assert_one_line_error(other_key, 1)  # its pseudonyms would not be the journal's leaves
    assert "not the one this database's journal is written with" in other_key.err
    # The head of a copy of the office is also an operator and a courier there.
    other = tmp_path / "copy.db"
    shutil.copyfile(db, other)
    for role in ("operator", "courier"):
        assert run("staff", "grant", me(), "--role", role, db=other, role="head").code == 0
    not_head = run("audit", "export", "--out", str(tmp_path / "c"), "--reveal-personal-data",
                   "--purpose", "a check", db=other)
    assert_one_line_error(not_head, 1)
    assert "may not export personal data in full" in not_head.err
    assert not (tmp_path / "c").exists()
    courier = run("audit", "export", "--out", str(tmp_path / "d"), db=other, env=KEY_ENV, role="courier")
    assert_one_line_error(courier, 1)
    assert "acting as courier may not export the audit trail" in courier.err
    assert_one_line_error(run("audit", "export", "--out", str(office / "export"), db=db, env=KEY_ENV,
                              role="head"), 2)
    assert_one_line_error(run("audit", "export", "--out", str(tmp_path / "e"), "--continue",
                              str(office / "export"), db=db, env=KEY_ENV, role="head"), 3)
    assert_one_line_error(run("audit", "export", "--out", str(tmp_path / "f"), db=None, env=KEY_ENV,
                              cwd=tmp_path), 5)


def test_revealed_export_by_the_head(office: Path, tmp_path: Path) -> None:
    db = office / "office.db"
    no_purpose = run("audit", "export", "--out", str(tmp_path / "full"), "--reveal-personal-data",
                     db=db, role="head")
    assert_one_line_error(no_purpose, 2)
    assert "--purpose" in no_purpose.err and not (tmp_path / "full").exists()
    result = run("audit", "export", "--out", str(tmp_path / "full"), "--reveal-personal-data",
                 "--purpose", "BPK audit 2026", db=db, role="head")
    assert result.code == 0, result.err
    # The access log holds the export, found by any resident's NIK, and no NIK in full.
    log = run("--json", "access-log", "--subject", RESIDENT_NIK, db=db, role="head")
    assert log.code == 0, log.err
    assert [(e["what"], e["subjects"], e["purpose"]) for e in log.json()][-1] == (
        "audit export --reveal-personal-data", "everyone", "BPK audit 2026")
    assert RESIDENT_NIK not in log.out
    assert_one_line_error(run("access-log", db=db, role="operator"), 1)
    assert RESIDENT_NIK.encode() in (tmp_path / "full" / "events.jsonl").read_bytes()
    assert json.loads((tmp_path / "full" / "manifest.json").read_bytes())["personal_data"] == "revealed"
    replayed = run("audit", "replay", str(tmp_path / "full"), first_card(tmp_path / "full"))
    assert replayed.code == 0 and RESIDENT_NIK not in replayed.out  # masked on screen


def test_replay_and_usage_errors(office: Path) -> None:
    export = str(office / "export")
    assert_one_line_error(run("audit", "replay", export, "00000000-0000-4000-8000-000000000000"), 3)
    assert_one_line_error(run("audit", "replay", export, "not-a-card"), 2)
    by_nik = run("audit", "replay", export, RESIDENT_NIK)
    assert_one_line_error(by_nik, 2)
    assert RESIDENT_NIK not in by_nik.err and "3517********0001" in by_nik.err
    assert_one_line_error(run("audit", "replay", export, "00000000-0000-4000-8000-000000000000",
                              "--as-of", "yesterday"), 2)
    assert_one_line_error(run("audit", "verify", str(office / "nowhere")), 2)
    assert run("audit", "--help").code == 0 and "verify" in run("audit", "--help").out
