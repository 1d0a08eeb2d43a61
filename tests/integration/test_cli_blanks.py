"""The blank ledger as clerks type it: real subprocesses on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.cli import assert_one_line_error, event_count, new_database, run
from testkit.people import kk_for, make_nik

NIK = make_nik()
HEAD = {"actor": "kepala", "role": "head"}
WITNESSES = ["--witness", "Budi Santoso:inspektorat", "--witness", "Sri Rahayu:kasi pelayanan"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return new_database(tmp_path / "office.db")


def ok(*args: str, db: Path, **who: str) -> str:
    result = run(*args, db=db, **who)  # type: ignore[arg-type]
    assert result.code == 0, (args, result.err)
    assert result.err == ""
    return result.out


def receive(db: Path) -> None:
    ok("blanks", "receive", "--bast", "BAST/045/XI/2017/Dukcapil", "--source", "ministry",
       "--range", "3517170001-3517170100", "--range", "3517180001-3517180020", db=db)


def stock(db: Path) -> dict:  # type: ignore[type-arg]
    return run("--json", "blanks", "stock", db=db).json()  # type: ignore[no-any-return]


def test_a_day_at_the_office_with_a_print_failure(db: Path) -> None:
    received = run("--json", "blanks", "receive", "--bast", "BAST/045/XI/2017/Dukcapil",
                   "--source", "ministry", "--range", "3517170001-3517170100",
                   "--range", "3517180001-3517180020", db=db).json()
    assert (received["count"], received["in_stock"], received["conserved"]) == (120, 120, True)
    card = ok("card", "request", "--nik", NIK, "--name", "Dewi Lestari", "--kk", kk_for(NIK),
              "--village", "35.17.08.2014", db=db).strip()
    ok("card", "ready", card, db=db)
    assert "blank 3517170001 allocated" in ok("card", "allocate", card, db=db)
    ok("card", "print-failed", card, "--reason", "chip-not-encoded", db=db)
    assert run("--json", "card", "allocate", card, db=db).json()["blank_serial"] == "3517170002"
    ok("card", "print", card, "--station", "cetak-1", db=db)

    figure = stock(db)
    assert figure["counts"] == {"IN_STOCK": 118, "ALLOCATED": 0, "CONSUMED": 1, "SPOILED": 1,
                                "DESTROYED": 0, "LENT": 0, "MISSING": 0}
    assert figure["received"] == 120 and figure["total"] == 120 and figure["conserved"] is True
    assert figure["movements"]["spoiled"] == 1 and figure["movements"]["allocated"] == 2
    text = ok("blanks", "stock", db=db)
    assert "DAILY BLANK STOCK FIGURE" in text and "HOLDS" in text and "Dispendukcapil" in text

    (spoiled,) = run("--json", "blanks", "spoiled", db=db).json()
    assert (spoiled["serial"], spoiled["age_days"], spoiled["card_id"]) == ("3517170001", 0, card)
    shown = run("--json", "blanks", "show", "3517170001", db=db).json()
    assert shown["state"] == "SPOILED" and shown["card_id"] == card
    assert [h["event"] for h in shown["history"]] == ["ConsignmentReceived", "BlankAllocated", "BlankSpoiled"]
    assert "WIB" in ok("blanks", "show", "3517170002", db=db)

    destroyed = run("--json", "blanks", "destroy", "--record", "BA/PEMUSNAHAN/01", "--method", "burn",
                    *WITNESSES, "--all-spoiled", db=db, **HEAD).json()
    assert (destroyed["event"], destroyed["count"]) == ("SpoiledDestroyed", 1)
    assert "no spoiled blank" in ok("blanks", "spoiled", db=db)

    ok("blanks", "lend", "--to", "Disdukcapil Mojokerto", "--record", "PINJAM/1",
       "--range", "3517180001-3517180010", db=db, **HEAD)
    ok("blanks", "loan-return", "--from", "Disdukcapil Mojokerto", "--record", "KEMBALI/1",
       "--range", "3517180001-3517180004", db=db)
    ok("blanks", "borrow", "--from", "35.15", "--record", "PINJAM/2", "--range", "3515000001-3515000005", db=db)
    ok("blanks", "loan-return", "--to", "35.15", "--record", "KEMBALI/2", "--range", "3515000005", db=db)
    ok("blanks", "spoil", "3517170100", "--reason", "physical-damage", db=db)
    ok("blanks", "missing", "3517170099", "--police-report", "LP/12/XI/2017/Res.Jbg", db=db, **HEAD)
    counted = run("--json", "blanks", "count", "--counted", "114", db=db).json()
    assert (counted["book"], counted["difference"]) == (114, 0)

    figure = stock(db)
    assert figure["counts"] == {"IN_STOCK": 114, "ALLOCATED": 0, "CONSUMED": 1, "SPOILED": 1,
                                "DESTROYED": 1, "LENT": 6, "MISSING": 1}
    assert (figure["received"], figure["borrowed"]) == (120, 4)
    assert figure["total"] == figure["received"] + figure["borrowed"] and figure["conserved"]
    reconciled = run("--json", "blanks", "reconcile", db=db)
    assert reconciled.code == 0 and reconciled.json()["clean"] is True
    assert "Every blank is accounted for" in ok("blanks", "reconcile", db=db)


def test_a_cancelled_card_gives_its_blank_back(db: Path) -> None:
    receive(db)
    card = ok("card", "request", "--nik", NIK, "--name", "Eko Prasetyo", "--kk", kk_for(NIK),
              "--village", "35.17.19.2003", db=db).strip()
    ok("card", "ready", card, db=db)
    ok("card", "allocate", card, "--serial", "3517170050", db=db)
    ok("card", "cancel", card, "--reason", "moved to another regency", db=db)
    shown = run("--json", "blanks", "show", "3517170050", db=db).json()
    assert shown["state"] == "IN_STOCK" and shown["history"][-1]["event"] == "BlankReleased"
    assert stock(db)["counts"]["IN_STOCK"] == 120


def test_a_count_discrepancy_fails_reconcile_until_resolved(db: Path) -> None:
    receive(db)
    assert "DISCREPANCY of -1" in ok("blanks", "count", "--counted", "119", db=db)
    result = run("blanks", "reconcile", db=db)
    assert_one_line_error_with_report(result, 1)
    assert "found 119 blanks against 120" in result.out and "does not reconcile" in result.err
    ok("blanks", "missing", "3517170001", "--police-report", "LP/1", db=db, **HEAD)
    ok("blanks", "count", "--counted", "119", db=db)
    assert run("blanks", "reconcile", db=db).code == 0


def assert_one_line_error_with_report(result: object, code: int) -> None:
    """A reconcile that finds problems: its report on stdout, one line on stderr."""
    assert result.code == code  # type: ignore[attr-defined]
    assert "Traceback" not in result.err  # type: ignore[attr-defined]
    assert len(result.err.strip().splitlines()) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(("args", "code", "words"), [
    (["blanks", "receive", "--bast", "B/2", "--source", "ministry", "--range", "3517190001-3517190010",
      "--range", "3517190005-3517190020"], 2, "overlap"),
    (["blanks", "receive", "--bast", "B/2", "--source", "ministry", "--range", "3517190010-3517190001"], 2,
     "reversed"),
    (["blanks", "receive", "--bast", "B/2", "--source", "ministry", "--range", "3517190001-35171900"], 2,
     "same number of digits"),
    (["blanks", "receive", "--bast", "B/2", "--source", "ministry", "--range", "3517170100-3517170101"], 1,
     "never received twice"),
    (["blanks", "receive", "--bast", "B/2", "--source", "kabupaten", "--range", "3517190001"], 2,
     "ministry, province or office:NAME"),
    (["blanks", "receive", "--bast", "B/2", "--source", "ministry"], 2, "Missing option"),
    (["blanks", "show", "3517990001"], 3, "not on this office's books"),
    (["blanks", "show", "12"], 2, "6 to 16 digits"),
    (["blanks", "spoil", "3517990001", "--reason", "physical-damage"], 3, "not on this office's books"),
    (["blanks", "destroy", "--record", "BA/1", "--method", "burn", "--witness", "Budi:inspektorat",
      "--all-spoiled"], 2, "at least 2 different witnesses"),
    (["blanks", "destroy", "--record", "BA/1", "--method", "burn", "--witness", "Budi",
      "--witness", "Sri:camat", "--all-spoiled"], 2, "NAME:ROLE"),
    (["blanks", "destroy", "--record", "BA/1", "--method", "burn", *WITNESSES], 2, "--all-spoiled"),
    (["blanks", "destroy", "--record", "BA/1", "--method", "burn", *WITNESSES, "--all-spoiled"], 1,
     "may not destroy spoiled blanks"),
    (["blanks", "destroy", "--record", "BA/1", "--method", "burn", *WITNESSES, "3517170001"], 1,
     "may not destroy"),
    (["blanks", "lend", "--to", "35.78", "--record", "P/1", "--range", "3517170001"], 1, "may not lend"),
    (["blanks", "loan-return", "--from", "35.78", "--to", "35.15", "--record", "K/1", "--range",
      "3517170001"], 2, "exactly one of --from"),
    (["blanks", "loan-return", "--from", "35.78", "--record", "K/1", "--range", "3517170001"], 1,
     "not lent to 35.78"),
    (["blanks", "count", "--counted", "-3"], 2, "from 0 to 10,000,000"),
    (["blanks", "count", "--counted", "1" * 40], 2, "from 0 to 10,000,000"),
    (["blanks", "count", "--counted", "lots"], 2, "not a valid integer"),
    (["blanks", "stock", "--date", "8-11-2017"], 2, "YYYY-MM-DD"),
    (["blanks", "missing", "3517170001", "--police-report", "LP/1"], 1, "may not report a blank missing"),
    (["card", "allocate", "6f1c3c4e-2a8b-4d7e-9a31-000000000000", "--serial", "3517990001"], 3, "no card found"),
])
def test_bad_input_is_one_line_and_writes_nothing(db: Path, args: list[str], code: int, words: str) -> None:
    receive(db)
    before = event_count(db)
    result = run(*args, db=db)
    assert_one_line_error(result, code)
    assert words in result.err, result.err
    assert event_count(db) == before


def test_an_unknown_serial_for_a_card_writes_nothing(db: Path) -> None:
    receive(db)
    card = ok("card", "request", "--nik", NIK, "--name", "Agus Salim", "--kk", kk_for(NIK),
              "--village", "35.17.08.2014", db=db).strip()
    ok("card", "ready", card, db=db)
    before = event_count(db)
    result = run("card", "allocate", card, "--serial", "3517990001", db=db)
    assert_one_line_error(result, 3)
    assert event_count(db) == before
    assert run("--json", "card", "show", card, db=db).json()["status"] == "READY_TO_PRINT"


def test_json_errors_and_reading_needs_no_actor(db: Path) -> None:
    receive(db)
    result = run("--json", "blanks", "show", "3517990001", db=db, actor=None, role=None)
    assert_one_line_error(result, 3)
    assert '"error": "UnknownSerial"' in result.err
    assert run("blanks", "stock", db=db, actor=None, role=None).code == 0
    assert_one_line_error(run("blanks", "count", "--counted", "1", db=db, actor=None, role=None), 2)
    assert_one_line_error(run("blanks", "stock", db=db.with_name("missing.db")), 5)


def test_help_for_every_blanks_command() -> None:
    commands = ("receive", "show", "stock", "spoiled", "spoil", "destroy", "lend", "borrow",
                "loan-return", "count", "missing", "reconcile")
    assert "blanks" in run("--help", actor=None).out
    listing = run("blanks", "--help", actor=None).out
    for command in commands:
        assert command in listing
        result = run("blanks", command, "--help", actor=None)
        assert result.code == 0 and "Usage:" in result.out, command
        assert len(result.out.split("\n\n")[1].strip()) > 20, command  # a real description
