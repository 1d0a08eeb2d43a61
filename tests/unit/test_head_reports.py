"""The head of office's reports (issue 15): daily over a span, the monthly figures,
names in the backlog; figures checked against the events of a small seeded office,
counted by when each result happened, and the refusals as one line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit.cli import new_database
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.keys import TEST_AUDIT_KEY
from testkit.people import COURIER, HEAD, JABON, NGUDIREJO, OPERATOR, kk_for, make_nik
from testkit.staff import me, staffed_office
from testkit.stock import stock

from ektp.application.manifest.results_file import read_results
from ektp.domain.actor import Actor, Role
from ektp.domain.errors import InvalidText
from ektp.entrypoints.cli.main import main
from ektp.entrypoints.cli.report import monthly_figures
from ektp.entrypoints.composition import open_office

START = dt.datetime(2017, 10, 30, 1, 0, tzinfo=dt.timezone.utc)  # 08:00 WIB
BASE = dt.datetime(2017, 10, 20, 1, 0, tzinfo=dt.timezone.utc)


def _printed(office: Any, actor: Actor, n: int, village: str = JABON) -> str:
    nik = make_nik(serial=n, year=1985)
    card = str(office.request_card(actor, nik=nik, name="Warga Uji", kk=kk_for(nik),
                                   village=village).id)
    office.confirm_print_readiness(actor, card)
    office.allocate_blank(actor, card, f"35171700{n:02d}")
    office.record_printed(actor, card)
    return card


def seed(office: Any, clock: FakeClock, actor: Actor) -> list[str]:
    """Three cards printed on 2017-10-30 and 31; dispatched on a manifest on 2017-11-14;
    one handed over, one failed attempt, both typed in on 2017-12-04 with the courier's
    time of 2017-11-14, and the manifest checked in then (the second card returned);
    one print failure on 2017-11-02."""
    office.receive_blanks(actor, bast="BAST/TEST/1", source="ministry",
                          ranges=["3517170001-3517170050"])
    cards = [_printed(office, actor, 1), _printed(office, actor, 2)]
    clock.advance(days=1)
    cards.append(_printed(office, actor, 3, NGUDIREJO))
    clock.advance(days=2)  # 2017-11-02
    nik = make_nik(serial=4, year=1985)
    spoilt = str(office.request_card(actor, nik=nik, name="Warga Lain", kk=kk_for(nik),
                                     village=JABON).id)
    office.confirm_print_readiness(actor, spoilt)
    office.allocate_blank(actor, spoilt, "3517170004")
    office.record_print_failure(actor, spoilt, "print-failed")
    clock.advance(days=11)  # 2017-11-13
    manifest = str(office.open_manifest(actor, courier=COURIER.id, date="2017-11-14",
                                        villages=[JABON]).id)
    office.assign_cards(actor, manifest, cards[:2])
    clock.advance(days=1)
    office.dispatch_manifest(actor, manifest, "SEGEL-1")
    clock.advance(days=20)  # typed in on 2017-12-04
    rows = read_results("card,outcome,recipient,verified-by,reason,at\n"
                        f"{cards[0]},handed-over,owner,ktp,,2017-11-14 10:30\n"
                        f"{cards[1]},attempt-failed,,,not-at-home,2017-11-14 11:00\n")
    office.manifests.record_results(actor, manifest, rows)
    office.check_in_manifest(actor, manifest, seal_intact=True)  # the second card comes back
    return cards


@pytest.fixture(scope="module")
def office() -> Any:
    clock = FakeClock(START)
    with staffed_office("memory://", clock=clock, regions=FakeRegions()) as the_office:
        seed(the_office, clock, OPERATOR)
        yield the_office


def test_a_span_has_one_row_a_day_and_counts_results_on_the_couriers_day(office: Any) -> None:
    days = office.reports.daily_span_report("2017-11-13", "2017-11-15")
    assert [d.day for d in days] == [dt.date(2017, 11, d) for d in (13, 14, 15)]
    fourteenth = days[1].counts
    assert (fourteenth["dispatched"], fourteenth["handed_over"], fourteenth["failed_attempts"]) == (2, 1, 1)
    assert days[0].counts == {} and days[2].counts == {}
    december = office.reports.daily_span_report("2017-12-04", "2017-12-04")[0].counts
    assert "handed_over" not in december and "failed_attempts" not in december
    assert days[2].stock == days[1].stock  # a day without moves keeps the stock


def test_the_monthly_figures_against_the_events(office: Any) -> None:
    october = monthly_figures(office.reports.monthly_report("2017-10"))
    assert (october["requests"], october["printed"], october["blanks_received"],
            october["blanks_used"]) == (3, 3, 50, 3)
    november = monthly_figures(office.reports.monthly_report("2017-11"))
    assert november == {**dict.fromkeys(november, 0), "requests": 1, "failed_prints": 1,
                        "blanks_spoiled": 1, "dispatched": 2, "handed_over": 1,
                        "failed_attempts": 1}
    december = monthly_figures(office.reports.monthly_report("2017-12"))
    assert december == {**dict.fromkeys(december, 0), "returned": 1}
    days = office.reports.monthly_report("2017-02")
    assert (days[0].day, days[-1].day) == (dt.date(2017, 2, 1), dt.date(2017, 2, 28))


def test_the_notice_board_lists_cards_back_at_the_office_masked(office: Any) -> None:
    (row, days), = office.reports.uncollected_report()
    nik = make_nik(serial=2, year=1985)
    assert (row.status, row.village, row.nik_masked, row.initials, days) == (
        "RETURNED", JABON, f"{nik[:4]}********{nik[-4:]}", "W.U.", 0)
    assert office.reports.uncollected_report("Jombang") == ((row, 0),)
    assert office.reports.uncollected_report("Diwek") == ()
    assert office.reports.uncollected_report(min_days=1) == ()
    with pytest.raises(InvalidText, match="--min-days"):
        office.reports.uncollected_report(min_days=-1)


def test_the_bulletin_carries_the_days_figures_and_its_checkpoint(
        office: Any, tmp_path: Path) -> None:
    from testkit.keys import write_key_pair

    from ektp.adapters.audit.ed25519 import Ed25519Signer
    from ektp.entrypoints.cli.report import bulletin_data, bulletin_html

    figures, point = office.reports.blank_stock_bulletin("2017-10-30")
    data = bulletin_data(figures, point, "Jombang")
    assert (data["received"], data["printed"], data["in_stock"], data["allocated"],
            data["checkpoint"]) == (50, 2, 48, 0, None)
    figures, _ = office.reports.blank_stock_bulletin("2017-11-02")
    assert (bulletin_data(figures, None, "J")["spoiled"], figures.stock["SPOILED"]) == (1, 1)
    assert office.reports.blank_stock_bulletin("2017-12-04")[1] is None
    key, _ = write_key_pair(tmp_path, "office", 7)
    signed, _ = office.audit.checkpoint(HEAD, Ed25519Signer.from_pem(str(key)))
    _, today = office.reports.blank_stock_bulletin("2017-12-04")
    assert today is not None and today.whole_day
    data = bulletin_data(*office.reports.blank_stock_bulletin("2017-12-04"), "Jombang")
    assert data["checkpoint"]["tree_size"] == signed.checkpoint.size
    page = bulletin_html(data)
    assert "size: A4" in page and data["checkpoint"]["root_hash"] in page
    assert office.reports.blank_stock_bulletin("2017-11-14")[1] is None  # signed later
    with pytest.raises(InvalidText, match="future"):
        office.reports.blank_stock_bulletin("2017-12-05")


@pytest.mark.parametrize(("call", "field"), [
    (lambda o: o.reports.monthly_report("2017-13"), "--month"),
    (lambda o: o.reports.monthly_report("2017-1"), "--month"),
    (lambda o: o.reports.monthly_report("1999-12"), "--month"),
    (lambda o: o.reports.daily_span_report("2017-11-31", "2017-12-01"), "--from"),
    (lambda o: o.reports.daily_span_report("2017-11-14", "2017-11-13"), "--to"),
    (lambda o: o.reports.daily_span_report("2016-01-01", "2017-12-31"), "--to"),
])
def test_refusals_name_the_flag(office: Any, call: Any, field: str) -> None:
    with pytest.raises(InvalidText) as refused:
        call(office)
    assert field in refused.value.message and "\n" not in refused.value.message


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 2)), min_size=1, max_size=6))
def test_monthly_totals_are_the_sum_of_the_daily_counts(plan: list[tuple[int, int]]) -> None:
    """Requests and prints on random days around a month's end: each month's figures are
    the sum of its days' daily reports."""
    clock = FakeClock(BASE)
    with staffed_office("memory://", clock=clock, regions=FakeRegions()) as office:
        stock(office, 60)
        serial = 0
        for gap, prints in sorted(plan):
            clock.current = BASE + dt.timedelta(days=gap)  # sorted: never backwards
            for _ in range(prints + 1):
                serial += 1
                nik = make_nik(serial=serial)
                card = str(office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                               village=JABON).id)
                if prints:
                    office.confirm_print_readiness(OPERATOR, card)
                    office.allocate_blank(OPERATOR, card, f"{3517170000 + serial}")
                    office.record_printed(OPERATOR, card)
        for month in ("2017-10", "2017-11"):
            days = office.reports.monthly_report(month)
            summed = {"requests": 0, "printed": 0}
            for day in days:
                counts = office.reports.daily_report(day.day).counts
                for metric in summed:
                    summed[metric] += counts.get(metric, 0)
            totals = monthly_figures(days)
            assert (totals["requests"], totals["printed"]) == (summed["requests"], summed["printed"])
            assert totals["blanks_used"] == totals["printed"]
        assert sum(monthly_figures(office.reports.monthly_report(m))["requests"]
                   for m in ("2017-10", "2017-11", "2017-12")) == serial


# --- the commands, in process -------------------------------------------------------

@pytest.fixture(scope="module")
def office_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = new_database(tmp_path_factory.mktemp("reports") / "office.db")
    clock = FakeClock(START)
    with open_office(f"sqlite:///{db}", clock=clock, audit_key=TEST_AUDIT_KEY) as the_office:
        seed(the_office, clock, Actor(me(), Role.OPERATOR))
    return db


def ektp(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """``ektp --db DB ARGS`` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["--db", f"sqlite:///{db}", *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_the_commands_print_words_and_keep_their_json_keys(
        office_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ektp(capsys, office_db, "report", "daily", "--from", "2017-11-13",
                          "--to", "2017-11-15")
    assert code == 0, err
    lines = out.splitlines()
    assert "handed over" in lines[0] and "_" not in lines[0]
    assert [line.split()[0] for line in lines[2:5]] == ["2017-11-13", "2017-11-14", "2017-11-15"]
    code, out, _ = ektp(capsys, office_db, "--json", "report", "daily", "--from", "2017-11-14",
                        "--to", "2017-11-14")
    (day,) = json.loads(out)
    assert (day["date"], day["handed_over"], day["failed_attempts"]) == ("2017-11-14", 1, 1)
    code, out, _ = ektp(capsys, office_db, "--json", "report", "daily", "--date", "2017-11-14")
    assert json.loads(out)["dispatched"] == 2  # one day stays one object
    code, out, _ = ektp(capsys, office_db, "report", "monthly", "--month", "2017-11")
    assert code == 0 and "failed prints" in out and "blanks spoiled" in out
    code, out, _ = ektp(capsys, office_db, "--json", "report", "monthly", "--month", "2017-11")
    figures = json.loads(out)
    assert (figures["handed_over"], figures["failed_prints"], figures["to"]) == (1, 1, "2017-11-30")
    code, out, _ = ektp(capsys, office_db, "report", "uncollected", "--kecamatan", "Jombang")
    nik = make_nik(serial=2, year=1985)
    assert code == 0 and f"{nik[:4]}********{nik[-4:]}" in out and "W.U." in out and "Jabon" in out
    assert nik not in out and "Warga" not in out
    code, out, _ = ektp(capsys, office_db, "--json", "report", "uncollected", "--min-days", "30")
    (waiting,) = json.loads(out)
    assert (waiting["nik"], waiting["initials"], waiting["status"]) == (
        f"{nik[:4]}********{nik[-4:]}", "W.U.", "RETURNED") and waiting["days"] > 30
    code, out, _ = ektp(capsys, office_db, "report", "uncollected", "--help")
    assert "publicly" in out
    code, out, _ = ektp(capsys, office_db, "report", "blank-stock-bulletin", "--date", "2017-10-30")
    assert code == 0 and "in stock" in out and "No checkpoint" in out
    code, out, _ = ektp(capsys, office_db, "report", "blank-stock-bulletin", "--date", "2017-10-30",
                        "--json")
    assert json.loads(out)["in_stock"] == 48
    code, out, _ = ektp(capsys, office_db, "report", "blank-stock-bulletin", "--date", "2017-10-30",
                        "--format", "html")
    assert out.startswith("<!DOCTYPE html>") and "size: A4" in out
    code, out, _ = ektp(capsys, office_db, "report", "backlog")
    assert code == 0 and "35.17.09 Jombang" in out and "35.17.08 Diwek" in out
    code, out, _ = ektp(capsys, office_db, "report", "backlog", "--csv")
    assert out.splitlines()[0] == "kecamatan,status,age band,cards,oldest request"
    assert {line.split(",")[0] for line in out.splitlines()[1:]} == {"35.17.09", "35.17.08"}
    code, out, _ = ektp(capsys, office_db, "--json", "report", "backlog")
    assert {r["kecamatan_name"] for r in json.loads(out)} == {"Jombang", "Diwek"}


@pytest.mark.parametrize("args", [
    ("report", "monthly", "--month", "2017-13"),
    ("report", "monthly", "--month", "November"),
    ("report", "daily", "--date", "2017-11-31"),
    ("report", "daily", "--from", "2017-11-15", "--to", "2017-11-14"),
    ("report", "daily", "--date", "2017-11-14", "--from", "2017-11-14"),
    ("report", "daily", "--to", "2017-11-14"),
    ("report", "uncollected", "--min-days", "-1"),
    ("report", "blank-stock-bulletin", "--date", "2099-01-01"),
    ("report", "blank-stock-bulletin", "--date", "yesterday"),
])
def test_bad_months_and_days_are_refused_in_one_line(
        office_db: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    code, out, err = ektp(capsys, office_db, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
