"""``ektp db``, ``ektp projections`` and ``ektp report`` as subprocesses, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.cli import Result, assert_one_line_error, init_office, run
from testkit.people import kk_for, make_nik


def ektp(url: str, *args: str, role: str | None = "operator") -> Result:
    """``ektp`` on `url`, given as EKTP_DATABASE_URL (a password never goes on a command line)."""
    return run(*args, env={"EKTP_DATABASE_URL": url}, role=role)


def seed(url: str, cards: int = 3) -> list[str]:
    asked = ektp(url, "--json", "whoami", role=None)
    if asked.code != 0 or not asked.json()["register_founded"]:
        # Found the register as ``db init --head`` does, with the store's own identity
        # (the OS user on SQLite, the database login on PostgreSQL) as head, an operator too.
        done = init_office(env={"EKTP_DATABASE_URL": url})
        assert done.code == 0, done.err
    ids = []
    for n in range(1, cards + 1):
        nik = make_nik(serial=n)
        result = ektp(url, "card", "request", "--nik", nik, "--name", "Warga", "--kk", kk_for(nik),
                      "--village", "35.17.09.2018")
        assert result.code == 0, result.err
        ids.append(result.out.strip())
    assert ektp(url, "card", "ready", ids[0]).code == 0
    return ids


def test_init_is_safe_twice_and_check_reports_current(shared_store_url: str) -> None:
    url = shared_store_url
    first = ektp(url, "db", "init")
    assert first.code == 0, first.err
    assert ektp(url, "db", "init").code == 0
    seed(url)
    check = ektp(url, "--json", "db", "check")
    assert check.code == 0, check.err
    data = check.json()
    assert data["current"] is True and data["event_tables"] is True
    assert data["engine"] in ("sqlite", "postgresql")
    assert "right-password" not in check.out


def test_check_on_an_empty_database_says_not_current_and_creates_nothing(postgres_url: str) -> None:
    check = ektp(postgres_url, "db", "check")
    assert check.code == 1
    assert "NOT current" in check.out and "MISSING" in check.out
    again = ektp(postgres_url, "--json", "db", "check").json()
    assert again["event_tables"] is False


def test_check_on_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    assert_one_line_error(ektp(f"sqlite:///{tmp_path / 'none.db'}", "db", "check"), 5)
    assert not (tmp_path / "none.db").exists()


def test_bad_urls_unreachable_servers_and_bad_credentials_exit_5(postgres_server: str) -> None:
    host_port = postgres_server.split("@", 1)[1].rsplit("/", 1)[0]
    cases = {
        "ftp://example.org/x": "must start with",
        "postgresql://ektp@127.0.0.1:1/ektp": "cannot connect",
        f"postgresql://guarded:wrong-password@{host_port}/postgres": "password authentication failed",
        f"postgresql://ektp@{host_port}/no_such_database": "does not exist",
        "postgresql://ektp@127.0.0.1:notaport/x": "port",
    }
    for url, words in cases.items():
        for command in (["db", "check"], ["card", "list"], ["card", "ready", "x"]):
            result = ektp(url, *command)
            assert_one_line_error(result, 5)
            assert words in result.err, (url, result.err)
            assert "wrong-password" not in result.err


@pytest.mark.slow
def test_projection_status_rebuild_and_reports(shared_store_url: str) -> None:
    url = shared_store_url
    ids = seed(url)
    status = ektp(url, "--json", "projections", "status").json()
    assert {p["name"] for p in status} == {"card_status", "daily_counts", "manifests", "blank_stock",
                                           "delivery_facts"}
    before = ektp(url, "--json", "card", "list").json()
    assert [c["id"] for c in before] == ids
    assert ektp(url, "projections", "rebuild").code == 0
    assert ektp(url, "projections", "rebuild", "card_status").code == 0
    assert ektp(url, "--json", "card", "list").json() == before
    assert_one_line_error(ektp(url, "projections", "rebuild", "no_such"), 2)
    status = ektp(url, "--json", "projections", "status").json()
    assert all(p["lag"] == 0 for p in status)
    daily = ektp(url, "--json", "report", "daily").json()
    assert daily["requests"] == 3
    backlog = ektp(url, "report", "backlog", "--csv").out.splitlines()
    assert backlog[0] == "kecamatan,status,age band,cards,oldest request"
    assert {line.split(",")[1] for line in backlog[1:]} == {"REQUESTED", "READY_TO_PRINT"}
    villages = ektp(url, "--json", "report", "villages").json()
    assert villages == [{"village": "35.17.09.2018", "name": "Jabon", "requested": 3, "handed_over": 0, "open": 3,
                         "cancelled": 0, "coverage": "0.000"}]
    assert_one_line_error(ektp(url, "report", "daily", "--date", "14/11/2017"), 2)


@pytest.mark.parametrize("command", ["db", "projections", "report"])
def test_help(command: str) -> None:
    result = run(command, "--help", role=None)
    assert result.code == 0 and "Usage:" in result.out


def test_check_names_an_audit_key_that_is_not_the_journals(tmp_path: Path) -> None:
    # With another office's key every write is refused and no NIK is found (the register
    # ids are keyed by it): db check must say so, not "all checks passed".
    url = f"sqlite:///{tmp_path / 'office.db'}"
    seed(url, cards=1)
    mine = ektp(url, "--json", "db", "check").json()
    audit = {c["name"]: c for c in mine["checks"]}["audit key"]
    assert audit["status"] == "ok"
    other = run("--json", "db", "check", env={"EKTP_DATABASE_URL": url}, audit_key="cd" * 32)
    assert other.code == 1, other.out
    checks = {c["name"]: c for c in other.json()["checks"]}
    assert checks["audit key"]["status"] == "fail"
    assert mine["checks"] and audit["detail"].split()[1] in checks["audit key"]["detail"]
    none = run("--lang", "en", "db", "check", env={"EKTP_DATABASE_URL": url}, audit_key=None)
    assert "no audit key is configured" in none.out
