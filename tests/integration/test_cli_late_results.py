"""A November round whose results are typed in weeks later (issue 15): ``manifest record
--at`` and an ``at`` column keep the courier's time, refusals are clear and leave
nothing written, and the reports count by the day it happened."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from testkit.cli import assert_one_line_error, event_count, new_database, run
from testkit.fakes import FakeClock
from testkit.keys import TEST_AUDIT_KEY
from testkit.people import COURIER, kk_for, make_nik
from testkit.staff import me

from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office

# The OS user running the tests: the office's head and an operator (testkit.cli.new_database).
OPERATOR = Actor(me(), Role.OPERATOR)

JABON = "35.17.09.2018"


@pytest.fixture
def november_round(tmp_path: Path) -> tuple[Path, str, list[str]]:
    """Two printed cards on a manifest dispatched on 2017-11-14 at 08:00 WIB (the
    office's own clock then), their results not yet typed in."""
    db = new_database(tmp_path / "office.db")
    clock = FakeClock(dt.datetime(2017, 11, 13, 1, 0, tzinfo=dt.timezone.utc))
    with open_office(f"sqlite:///{db}", clock=clock, audit_key=TEST_AUDIT_KEY) as office:
        office.receive_blanks(OPERATOR, bast="BAST/TEST/1", source="ministry",
                              ranges=["3517170001-3517170500"])
        cards = []
        for n in (1, 2):
            nik = make_nik(serial=n, year=1985)
            card = str(office.request_card(OPERATOR, nik=nik, name="Warga Uji", kk=kk_for(nik),
                                           village=JABON, rt=str(n), rw="1").id)
            office.confirm_print_readiness(OPERATOR, card)
            office.allocate_blank(OPERATOR, card, f"351717000{n}")
            office.record_printed(OPERATOR, card)
            cards.append(card)
        manifest = str(office.open_manifest(OPERATOR, courier=COURIER.id, date="2017-11-14",
                                            villages=[JABON]).id)
        office.assign_cards(OPERATOR, manifest, cards)
        clock.advance(days=1)
        office.dispatch_manifest(OPERATOR, manifest, "SEGEL-1")
    return db, manifest, cards


def results(path: Path, *lines: str) -> Path:
    path.write_text("card,outcome,recipient,verified-by,reason,at\n" + "\n".join(lines) + "\n")
    return path


def test_a_november_round_typed_in_later_counts_in_november(
        november_round: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    db, manifest, (first, second) = november_round
    sheet = results(tmp_path / "hasil.csv", f"{first},handed-over,owner,ktp,,2017-11-14 10:30",
                    f"{second},attempt-failed,,,not-at-home,")
    done = run("manifest", "record", manifest, "--file", str(sheet), "--at", "2017-11-14 15:00",
               db=db)
    assert done.code == 0, done.err
    november = run("--json", "report", "delivery", "--from", "2017-11-01", "--to", "2017-11-30",
                   db=db)
    assert november.code == 0, november.err
    total = november.json()["total"]
    assert (total["dispatched"], total["handed_over"], total["failed_attempts"]) == (
        2, {"owner": 1, "proxy": 0}, {"not-at-home": 1})
    today = dt.date.today().isoformat()
    now = run("--json", "report", "delivery", "--from", today, "--to", today, db=db).json()["total"]
    assert (now["handed_over"], now["failed_attempts"]) == ({"owner": 0, "proxy": 0}, {})
    daily = run("--json", "report", "daily", "--date", "2017-11-14", db=db).json()
    assert (daily["handed_over"], daily["failed_attempts"]) == (1, 1)
    history = run("card", "history", first, db=db)
    assert "happened 2017-11-14 10:30+07:00" in history.out


@pytest.mark.parametrize(("at", "says"), [
    ("2017-11-14", "--at is not valid: give the time too, e.g. 2017-11-14 10:30."),
    ("14-11-2017 10:00", "--at is not valid: write it as YYYY-MM-DD HH:MM"),
])
def test_a_badly_written_time_is_refused_in_one_line(
        november_round: tuple[Path, str, list[str]], tmp_path: Path, at: str, says: str) -> None:
    db, manifest, (first, _second) = november_round
    sheet = results(tmp_path / "hasil.csv", f"{first},handed-over,owner,ktp,,")
    before = event_count(db)
    refused = run("manifest", "record", manifest, "--file", str(sheet), "--at", at, db=db)
    assert_one_line_error(refused, 2)
    assert says in refused.err
    assert event_count(db) == before


@pytest.mark.parametrize(("at", "says"), [
    ("2017-11-14 07:59", "line 2: the time it happened (2017-11-14 07:59 +07:00) is not valid: "
                         "it is before manifest"),
    ("2099-01-01 10:00", "line 2: the time it happened (2099-01-01 10:00 +07:00) is not valid: "
                         "it is in the future (it is now "),
])
def test_a_time_before_the_dispatch_or_in_the_future_is_refused_and_nothing_is_recorded(
        november_round: tuple[Path, str, list[str]], tmp_path: Path, at: str, says: str) -> None:
    db, manifest, (first, _second) = november_round
    sheet = results(tmp_path / "hasil.csv", f"{first},handed-over,owner,ktp,,")
    before = event_count(db)
    refused = run("manifest", "record", manifest, "--file", str(sheet), "--at", at, db=db)
    assert refused.code == 2 and refused.out == "" and "Traceback" not in refused.err
    assert says in refused.err and "nothing was recorded" in refused.err
    assert event_count(db) == before


def test_a_wrong_time_in_one_row_lists_that_row(
        november_round: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    db, manifest, (first, second) = november_round
    sheet = results(tmp_path / "hasil.csv", f"{first},handed-over,owner,ktp,,2017-11-14 10:30",
                    f"{second},handed-over,owner,ktp,,2017-11-13 23:00")
    before = event_count(db)
    refused = run("manifest", "record", manifest, "--file", str(sheet), db=db)
    assert refused.code == 2 and "Traceback" not in refused.err
    assert "line 3: the time it happened (2017-11-13 23:00 +07:00) is not valid" in refused.err
    assert "line 2" not in refused.err
    assert event_count(db) == before


def test_the_help_says_what_at_takes() -> None:
    shown = run("manifest", "record", "--help")
    assert "--at" in shown.out and "courier's time" in shown.out and "not before the" in shown.out


def test_manifest_show_names_each_card_masked_with_its_village(
        november_round: tuple[Path, str, list[str]]) -> None:
    db, manifest, cards = november_round
    shown = run("manifest", "show", manifest, db=db)
    assert shown.code == 0, shown.err
    for n, card in enumerate(cards, start=1):
        nik = make_nik(serial=n, year=1985)
        line = next(row for row in shown.out.splitlines() if row.startswith(card))
        assert f"{nik[:4]}********{nik[-4:]}" in line and "W.U." in line and "Jabon" in line
        assert nik not in shown.out
    as_json = run("--json", "manifest", "show", manifest, db=db).json()
    assert {c["nik"] for c in as_json["cards"]} == {
        f"{make_nik(serial=n, year=1985)[:4]}********{make_nik(serial=n, year=1985)[-4:]}"
        for n in (1, 2)}


def test_counts_read_as_english_and_the_daily_report_has_words_for_headers(
        november_round: tuple[Path, str, list[str]], tmp_path: Path) -> None:
    db, manifest, (first, second) = november_round
    sheet = results(tmp_path / "hasil.csv", f"{first},handed-over,owner,ktp,,2017-11-14 10:30",
                    f"{second},attempt-failed,,,not-at-home,2017-11-14 11:00")
    recorded = run("manifest", "record", manifest, "--file", str(sheet), db=db)
    assert "recorded 2 rows, 0 already recorded" in recorded.out
    again = run("manifest", "record", manifest, "--file", str(results(
        tmp_path / "one.csv", f"{first},handed-over,owner,ktp,,2017-11-14 10:30")), db=db)
    assert "recorded 0 rows, 1 already recorded" in again.out
    back = run("manifest", "return", manifest, "--seal-intact", db=db)
    assert back.code == 0, back.err
    assert "checked in, 1 card returned" in back.out and "1 cards" not in back.out
    daily = run("report", "daily", "--date", "2017-11-14", db=db).out
    header = daily.splitlines()[0]
    assert "handed over" in header and "failed attempts" in header and "_" not in header
    assert "in stock" in daily and "in_stock" not in daily
    assert "handed_over" in run("report", "daily", "--date", "2017-11-14", "--csv", db=db).out
