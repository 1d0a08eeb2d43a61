"""A courier's whole day as clerks and couriers type it: real subprocesses on a SQLite file."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from testkit.cli import assert_one_line_error, event_count, new_database, run
from testkit.keys import TEST_AUDIT_KEY_HEX

JABON, NGUDIREJO = "35.17.09.2018", "35.17.08.2014"
COURIER = {"actor": "kurir.anto", "role": "courier"}
PROXY_NIK = "3517081006930004"


def printed_card(db: Path, nik: str, village: str, rt: str, serial: str) -> str:
    result = run("card", "request", "--nik", nik, "--name", "Warga Uji", "--kk", nik[:6] + "0101100001",
                 "--village", village, "--rt", rt, "--rw", "1", db=db)
    assert result.code == 0, result.err
    card = result.out.strip()
    for args in (["ready", card], ["allocate", card, "--serial", serial], ["print", card]):
        assert run("card", *args, db=db).code == 0
    return card


@pytest.fixture
def day(shared_db: Path) -> tuple[Path, str, list[str]]:
    """Four printed cards, a manifest through Jabon and Ngudirejo, assigned and dispatched
    (in an office the courier and another officer can open with their own OS accounts)."""
    db = shared_db
    received = run("blanks", "receive", "--bast", "BAST/1", "--source", "ministry",
                   "--range", "3517170001-3517170100", db=db)
    assert received.code == 0, received.err
    cards = [printed_card(db, "3517091203850001", JABON, "3", "3517170001"),
             printed_card(db, "3517094506900002", JABON, "1", "3517170002"),
             printed_card(db, "3517081409820003", NGUDIREJO, "4", "3517170003"),
             printed_card(db, "3517084804010004", NGUDIREJO, "2", "3517170004")]
    opened = run("manifest", "open", "--courier", "kurir.anto", "--date", "2017-11-14",
                 "--village", JABON, "--village", NGUDIREJO, db=db)
    assert opened.code == 0, opened.err
    manifest = opened.out.strip()
    assigned = run("--json", "manifest", "assign", manifest, "--all-ready", db=db)
    assert assigned.code == 0 and len(assigned.json()["cards"]) == 4
    dispatched = run("manifest", "dispatch", manifest, "--seal", "SEGEL-0042", db=db)
    assert dispatched.code == 0 and "DISPATCHED with 4 cards" in dispatched.out
    return db, manifest, cards


def results_file(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = ["card", "outcome", "recipient", "relationship", "verified-by", "evidence", "reason",
               "proxy-nik", "proxy-name", "proxy-kk"]
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_whole_courier_day(day: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    db, manifest, cards = day
    sheet = run("manifest", "sheet", manifest, db=db)
    assert sheet.code == 0
    assert "35.17.08.2014 Ngudirejo, Kec. Diwek" in sheet.out and "3517********0003" in sheet.out
    assert "3517081409820003" not in sheet.out
    lines = sheet.out.splitlines()
    order = [ln.split()[1] for ln in lines if ln[:1].isdigit()]
    assert order == ["3517********0004", "3517********0003", "3517********0002", "3517********0001"]

    # The courier fills in the CSV sheet itself and brings it back.
    sheet_csv = list(csv.DictReader(io.StringIO(run("manifest", "sheet", manifest, "--format", "csv", db=db).out)))
    assert [r["nik"] for r in sheet_csv][0] == "3517********0004" and sheet_csv[0]["outcome"] == ""
    by_card = {r["card"]: r for r in sheet_csv}
    # The NIK and KK headers carry a hint, "proxy-nik (4 groups: 3517 0812 0385 1234)".
    nik_column, kk_column = (next(h for h in sheet_csv[0] if h.startswith(name + " ("))
                             for name in ("proxy-nik", "proxy-kk"))
    by_card[cards[0]].update({"outcome": "handed-over", "recipient": "owner", "verified-by": "ktp",
                              "evidence": "TTD-1"})
    by_card[cards[1]].update({"outcome": "attempt-failed", "reason": "not-at-home", "evidence": "FOTO-2"})
    by_card[cards[3]].update({"outcome": "handed-over", "recipient": "proxy", "relationship": "spouse",
                              "verified-by": "kk", nik_column: PROXY_NIK, "proxy-name": "Hendra Gunawan",
                              kk_column: "3517 0801 0110 0001"})
    filled = db.parent / "filled.csv"  # where the courier's own account can read it
    with filled.open("w", newline="") as file:
        writer = csv.DictWriter(file, list(sheet_csv[0]))
        writer.writeheader()
        writer.writerows(sheet_csv)
    recorded = run("manifest", "record", manifest, "--file", str(filled), db=db, **COURIER)
    assert recorded.code == 0, recorded.err
    assert "recorded 3 rows, 0 already recorded, 1 without an outcome" in recorded.out
    before = event_count(db)
    again = run("manifest", "record", manifest, "--file", str(filled), db=db, **COURIER)
    assert "recorded 0 rows, 3 already recorded" in again.out and event_count(db) == before

    # The courier is an officer too: still not the one who checks their own round in.
    assert run("staff", "grant", "kurir.anto", "--role", "operator", db=db, role="head").code == 0
    own = run("manifest", "return", manifest, "--seal-intact", db=db, actor="kurir.anto",
              role="operator")
    assert_one_line_error(own, 1)
    assert "kurir.anto is the courier of manifest" in own.err
    assert_one_line_error(run("manifest", "close", manifest, "--record", "BAST/1", db=db), 1)
    checked = run("manifest", "return", manifest, "--seal-intact", db=db, actor="op.hadi")
    assert checked.code == 0 and "2 cards returned" in checked.out
    closed = run("--json", "manifest", "close", manifest, "--record", "BAST/001/XI/2017", db=db)
    assert closed.code == 0 and closed.json()["status"] == "CLOSED"

    shown = run("manifest", "show", manifest, db=db).out
    assert "seal intact" in shown and "BAST/001/XI/2017" in shown and "35.17.09.2018 Jabon, Kec. Jombang" in shown
    statuses = [run("--json", "card", "show", c, db=db).json()["status"] for c in cards]
    assert statuses == ["HANDED_OVER", "RETURNED", "RETURNED", "HANDED_OVER"]

    report = run("--json", "report", "delivery", db=db).json()
    assert report["total"]["dispatched"] == 4
    assert report["total"]["handed_over"] == {"owner": 1, "proxy": 1}
    assert report["total"]["failed_attempts"] == {"not-at-home": 1}
    assert report["couriers"][0]["courier"] == "kurir.anto"
    assert [v["name"] for v in report["villages"]] == ["Ngudirejo", "Jabon"]
    table = run("report", "delivery", "--csv", db=db).out.splitlines()
    assert table[0].startswith("section,code,name,dispatched") and len(table) == 1 + 2 + 2 + 1 + 1


def test_a_results_file_with_bad_rows_writes_nothing(day: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    db, manifest, cards = day
    bad = results_file(db.parent / "results.csv", [
        {"card": cards[0], "outcome": "handed-over", "recipient": "owner", "verified-by": "ktp"},
        {"card": "3.51709E+15", "outcome": "handed-over", "recipient": "owner", "verified-by": "ktp"},
        {"card": "351709450690000", "outcome": "attempt-failed", "reason": "not-at-home"},
        {"card": "3517081409820003.0", "outcome": "attempt-failed", "reason": "not-at-home"},
        {"card": cards[3], "outcome": "attempt-failed", "reason": "on holiday"},
    ])
    before = event_count(db)
    result = run("manifest", "record", manifest, "--file", str(bad), db=db, **COURIER)
    assert result.code == 2 and result.out == "" and "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert [ln.split(":")[2].strip() for ln in lines[:-1]] == ["line 3", "line 4", "line 5", "line 6"]
    assert all(ln.startswith("ektp: invalid: ") for ln in lines)
    assert "4 of 5 rows" in lines[-1] and "nothing was recorded" in lines[-1]
    assert "3517081409820003" not in result.err
    assert event_count(db) == before

    as_json = run("--json", "manifest", "record", manifest, "--file", str(bad), db=db, **COURIER)
    assert len(as_json.err.strip().splitlines()) == 1 and '"details": ["line 3' in as_json.err

    partial = run("manifest", "record", manifest, "--file", str(bad), "--partial", db=db, **COURIER)
    assert partial.code == 0 and "recorded 1 row," in partial.out and "line 6" in partial.out
    assert event_count(db) == before + 3  # manifest report, hand-over, NIK register released


def test_off_manifest_steps_are_refused(day: tuple[Path, str, list[str]]) -> None:
    db, manifest, cards = day
    before = event_count(db)
    result = run("card", "hand-over", cards[0], "--recipient", "owner", "--verified-by", "ktp",
                 db=db, **COURIER)
    assert_one_line_error(result, 1)
    assert "manifest record" in result.err
    assert_one_line_error(run("card", "return", cards[0], "--reason", "x", db=db), 1)
    assert_one_line_error(run("manifest", "assign", manifest, cards[0], db=db), 1)
    assert_one_line_error(run("manifest", "record", manifest, "--file", "/nonexistent.csv", db=db, **COURIER), 2)
    assert_one_line_error(run("manifest", "show", "not-a-manifest", db=db), 2)
    assert_one_line_error(run("manifest", "show", "8d6a8f5e-1a0e-4c1e-9f4e-2d8f3c1b5a77", db=db), 3)
    assert event_count(db) == before


def test_requests_and_manifests_check_the_villages(office_db: Path) -> None:
    db = office_db
    before = event_count(db)
    result = run("card", "request", "--nik", "3517091203850001", "--name", "X", "--kk", "3517090101100001",
                 "--village", "35.17.09.2999", db=db)
    assert_one_line_error(result, 2)
    assert "does not exist" in result.err
    assert_one_line_error(run("manifest", "open", "--courier", "k", "--date", "2017-11-14",
                              "--village", "35.17.99.2001", db=db), 2)
    assert event_count(db) == before
    warned = run("card", "request", "--nik", "3517991203850001", "--name", "X", "--kk", "3517090101100001",
                 "--village", JABON, db=db)
    assert warned.code == 0 and len(warned.out.split()) == 1
    assert warned.err.startswith("ektp: warning: NIK 3517********0001") and "35.17.99" in warned.err


def test_regions_commands() -> None:
    kecamatan = run("--json", "regions", "kecamatan", role=None).json()
    assert len(kecamatan) == 21 and sum(k["desa"] + k["kelurahan"] for k in kecamatan) == 306
    villages = run("regions", "villages", "35.17.19", role=None).out
    assert "35.17.19.2003  Alang-alang Caruban" in villages
    assert "Ngudirejo" in run("regions", "villages", "DIWEK", role=None).out
    found = run("--json", "regions", "find", "alang alang caruban", role=None).json()
    assert found[0]["code"] == "35.17.19.2003" and found[0]["within"].startswith("Jogoroto")
    assert_one_line_error(run("regions", "villages", "Atlantis", role=None), 3)


def test_help_for_every_new_command() -> None:
    for command in ("manifest", "manifest open", "manifest assign", "manifest remove", "manifest dispatch",
                    "manifest record", "manifest return", "manifest close", "manifest show",
                    "manifest list", "manifest sheet", "regions", "regions kecamatan",
                    "regions villages", "regions find", "report", "report delivery"):
        result = run(*command.split(), "--help", role=None)
        assert result.code == 0 and "Usage:" in result.out, command


def test_card_ready_never_loads_region_data(office_db: Path) -> None:
    db = office_db
    probe = (
        "import sys\n"
        "from ektp.entrypoints.cli.main import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print('REGIONS', [m for m in sys.modules if 'lokal' in m or 'region' in m])\n"
        "print('LAZY', [m for m in ('pathlib', 'ektp.domain.open_requests', 'ektp.application.card.history')"
        " if m in sys.modules])\n"
    )
    ready = run("card", "request", "--nik", "3517091203850002", "--name", "X", "--kk", "3517090101100001",
                "--village", JABON, db=db).out.strip()
    done = subprocess.run([sys.executable, "-c", probe, "--db", f"sqlite:///{db}", "--as", "operator",
                           "card", "ready", ready], capture_output=True, text=True,
                          # the test run's own (empty) office configuration, never the
                          # machine's ~/.config/ektp (tests/conftest.py); English
                          env={"EKTP_AUDIT_KEY": TEST_AUDIT_KEY_HEX,
                               "EKTP_CONFIG": os.environ["EKTP_CONFIG"], "LANGUAGE": "en"})
    assert "now READY_TO_PRINT" in done.stdout
    loaded = done.stdout.split("REGIONS ")[1].split("\nLAZY ")[0]
    assert "lokal" not in loaded and "lokal_regions" not in loaded
    # Nor what only other commands use, imported where it is used (a write's start-up time:
    # bench_cli_startup): the NIK register, the card history, pathlib.
    assert done.stdout.split("LAZY ")[1].strip() == "[]"


def test_card_ready_compiles_no_attrs_class_and_collects_after_its_start(office_db: Path) -> None:
    """What keeps a write's start-up short (benchmarks/bench_cli_startup.py): every attrs
    class `card ready` builds comes from the install's cache (ektp.adapters.attrs_cache),
    and the cyclic collector, paused for the imports, runs again by the time it ends
    (ektp.entrypoints.cli.startup)."""
    db = office_db
    probe = (
        "import gc, sys\n"
        "sys.argv[0] = 'ektp'\n"  # as the ektp command starts (ektp.entrypoints)
        "import ektp.entrypoints\n"
        "from ektp.adapters import attrs_cache\n"
        "from ektp.entrypoints.cli.main import main\n"
        "compiled = []\n"
        "import attr._make\n"
        "cache = attr._make._compile_and_eval\n"
        "original = cache.original\n"
        "def compiling(script, globs, locs=None, filename=''):\n"
        "    compiled.append(filename)\n"
        "    original(script, globs, locs, filename)\n"
        "cache.original = compiling\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print('HITS', cache.hits)\n"
        "print('COMPILED', [f for f in compiled if ' ektp.' in f])\n"
        "print('COLLECTING', gc.isenabled())\n"
    )
    ready = run("card", "request", "--nik", "3517091203850003", "--name", "X", "--kk", "3517090101100001",
                "--village", JABON, db=db).out.strip()
    done = subprocess.run([sys.executable, "-c", probe, "--db", f"sqlite:///{db}", "--as", "operator",
                           "card", "ready", ready], capture_output=True, text=True,
                          env={"EKTP_AUDIT_KEY": TEST_AUDIT_KEY_HEX,
                               "EKTP_CONFIG": os.environ["EKTP_CONFIG"], "LANGUAGE": "en"})
    assert "now READY_TO_PRINT" in done.stdout, done.stderr
    assert int(done.stdout.split("HITS ")[1].split()[0]) > 50
    compiled = done.stdout.split("COMPILED ")[1].split("\n")[0]
    assert compiled == "[]", f"compiled, not from the cache (run scripts/setup after editing them): {compiled}"
    assert "COLLECTING True" in done.stdout
