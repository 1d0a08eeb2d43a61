"""An administrator's ektp (docs/operations.md), as real subprocesses: the office
configuration, the refusals of a missing, empty, in-memory, outdated or newer
database, upgrades of a database made by ektp 0.1, lock and statement timeouts,
durability checks, read-only copies, backups and restores."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from testkit.cli import Result, assert_one_line_error, event_count, init_office, new_database, run
from testkit.people import kk_for, make_nik

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ektp-0.1-demo.db"
JABON = "35.17.09.2018"


def own_config(tmp_path: Path) -> dict[str, str]:
    """Commands with a configuration home of their own (not the test run's empty file)."""
    return {"EKTP_CONFIG": "", "XDG_CONFIG_HOME": str(tmp_path / "config-home")}


def request_args(n: int) -> list[str]:
    nik = make_nik(serial=n)
    return ["card", "request", "--nik", nik, "--name", "Warga", "--kk", kk_for(nik), "--village", JABON]


def request(n: int, *, db: Path | None = None, url: str | None = None,
            env: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
    prefix = ("--db", url) if url else ()
    return run(*prefix, *request_args(n), db=db, env=env, cwd=cwd)


def events_in(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM ektp_events").fetchone()[0])


# --- the office configuration ------------------------------------------------------
def test_db_init_writes_the_configuration_and_commands_find_the_database_from_anywhere(
        tmp_path: Path) -> None:
    office, elsewhere = tmp_path / "office", tmp_path / "elsewhere"
    office.mkdir()
    elsewhere.mkdir()
    env = own_config(tmp_path)
    init = init_office(env=env, cwd=office)
    assert init.code == 0, init.err
    config = tmp_path / "config-home" / "ektp" / "config.toml"
    assert "configuration written: " + str(config) in init.out
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    import tomllib

    written = tomllib.loads(config.read_text())
    assert written["database"]["url"] == f"sqlite:///{office / 'ektp.db'}"
    assert written["database"]["lock_timeout"] == 10 and written["office"]["code"] == "35.17"
    before = event_count(office / "ektp.db")  # the staff register's own events
    made = request(1, env=env, cwd=elsewhere)
    assert made.code == 0, made.err
    assert not (elsewhere / "ektp.db").exists()  # the record went to the office database
    assert event_count(office / "ektp.db") == before + 2  # the request and its NIK claim
    listed = run("--json", "card", "list", env=env, cwd=elsewhere)
    assert [c["id"] for c in listed.json()] == [made.out.strip()]
    again = run("db", "init", env=env, cwd=elsewhere, actor=None)
    assert again.code == 0 and f"configuration: {config} (unchanged)" in again.out
    assert not (elsewhere / "ektp.db").exists()
    refused = run("db", "init", "--office", "35.06", env=env, actor=None)
    assert_one_line_error(refused, 2)
    assert "[office] code" in refused.err


def test_precedence_is_flags_then_environment_then_file(tmp_path: Path) -> None:
    env = own_config(tmp_path)
    assert run("db", "init", db=tmp_path / "a.db", env=env, actor=None).code == 0
    config = tmp_path / "config-home" / "ektp" / "config.toml"
    config.write_text(config.read_text().replace("lock_timeout = 10", "lock_timeout = 7"))
    new_database(tmp_path / "b.db")

    def settings(**extra: str) -> dict[str, dict[str, object]]:
        done = run("--json", *extra.pop("args", "").split(), "db", "check",
                   env={**env, **extra}, actor=None)
        assert done.code == 0, done.err
        return done.json()["configuration"]["settings"]  # type: ignore[no-any-return]

    from_file = settings()
    assert from_file["database.lock_timeout"] == {"value": 7, "from": str(config)}
    assert from_file["database.url"]["from"] == str(config)
    assert from_file["database.statement_timeout"]["from"] == str(config)
    assert settings(EKTP_LOCK_TIMEOUT="8")["database.lock_timeout"] == {
        "value": 8, "from": "EKTP_LOCK_TIMEOUT"}
    by_env = settings(EKTP_DATABASE_URL=f"sqlite:///{tmp_path / 'b.db'}")["database.url"]
    assert by_env == {"value": f"sqlite:///{tmp_path / 'b.db'}", "from": "EKTP_DATABASE_URL"}
    by_flag = settings(EKTP_DATABASE_URL=f"sqlite:///{tmp_path / 'b.db'}",
                       args=f"--db sqlite:///{tmp_path / 'a.db'}")["database.url"]
    assert by_flag == {"value": f"sqlite:///{tmp_path / 'a.db'}", "from": "--db"}
    text = run("db", "check", env=env, actor=None).out
    assert f"database.lock_timeout             7" in text and str(config) in text


@pytest.mark.parametrize("text, named", [
    ("[database]\nlock_timout = 5\n", "'lock_timout'"),
    ("[databse]\nurl = \"sqlite:////x.db\"\n", "[databse]"),
    ("[database]\nlock_timeout = \"ten\"\n", "[database] lock_timeout"),
    ("[database]\nlock_timeout = 0\n", "[database] lock_timeout must be from 1"),
    ("[database]\nurl = \"postgresql://ektp:secret@db:5432/ektp\"\n", "password"),
    ("[office]\nlanguage = \"fr\"\n", "[office] language"),
    ("[office\n", "not valid TOML"),
])
def test_a_bad_configuration_is_refused_naming_what_is_wrong(tmp_path: Path, text: str,
                                                             named: str) -> None:
    db = new_database(tmp_path / "office.db")
    config = tmp_path / "config.toml"
    config.write_text(text)
    for args in (["card", "list"], ["db", "check"], ["card", "ready", "x"]):
        result = run("--config", str(config), *args, db=db)
        assert_one_line_error(result, 2)
        assert named in result.err and str(config) in result.err
        assert "secret" not in result.err


def test_a_configuration_for_a_group(tmp_path: Path) -> None:
    import grp

    group = grp.getgrgid(os.getgid()).gr_name
    config = tmp_path / "shared" / "config.toml"
    done = run("--config", str(config), "db", "init", "--config-group", group,
               "--office-name", "Dispendukcapil Uji", db=tmp_path / "office.db", actor=None)
    assert done.code == 0, done.err
    assert stat.S_IMODE(config.stat().st_mode) == 0o640 and config.stat().st_gid == os.getgid()
    assert 'name = "Dispendukcapil Uji"' in config.read_text()


def test_without_a_configuration_nothing_is_guessed(tmp_path: Path) -> None:
    for args in (["card", "list"], ["card", "ready", "x"], ["db", "check"]):
        result = run(*args, env=own_config(tmp_path), cwd=tmp_path)
        assert_one_line_error(result, 5)
        assert "ektp db init" in result.err
    assert list(tmp_path.iterdir()) == []


def test_no_command_but_db_init_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    nik = make_nik(serial=1)
    for args in (["card", "request", "--nik", nik, "--name", "W", "--kk", kk_for(nik), "--village", JABON],
                 ["blanks", "receive", "--bast", "B/1", "--source", "ministry", "--range", "3517170001-3517170010"],
                 ["blanks", "borrow", "--from", "Kediri", "--record", "P/1", "--range", "3506000001-3506000002"],
                 ["manifest", "open", "--courier", "kurir.a", "--date", "2017-11-14", "--village", JABON]):
        result = run(*args, db=missing)
        assert_one_line_error(result, 5)
        assert "ektp db init" in result.err
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = request(2, db=empty)
    assert_one_line_error(result, 5)
    assert "no ektp tables" in result.err and "ektp db init" in result.err
    assert empty.read_bytes() == b""
    for url in ("sqlite:///:memory:", "memory://"):
        scratch = request(3, url=url)
        assert_one_line_error(scratch, 2)
        assert "keeps nothing" in scratch.err


# --- schema versions and upgrades ------------------------------------------------
@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    copy = tmp_path / "office.db"
    shutil.copyfile(FIXTURE, copy)
    return copy


@pytest.mark.slow
def test_a_database_made_by_ektp_0_1_is_upgraded_and_then_works(old_database: Path,
                                                                 tmp_path: Path) -> None:
    db = old_database
    before = event_count(db)
    for args in (["card", "list"], ["card", "show", "3517191706880002"], ["report", "daily"]):
        refused = run(*args, db=db)
        assert_one_line_error(refused, 5)
        assert "schema version 0" in refused.err and "ektp db upgrade" in refused.err
    assert_one_line_error(request(1, db=db), 5)
    check = run("--json", "db", "check", db=db)
    assert check.code == 1
    assert {c["name"]: c["status"] for c in check.json()["checks"]}["schema"] == "fail"
    upgraded = run("db", "upgrade", "--backup", str(tmp_path / "before.db"), db=db)
    assert upgraded.code == 0, upgraded.err
    assert "from schema version 0 to 6: 1 schema-version, 2 journal, 3 signed-rows, 4 keyed-nik-registers, 5 subject-keys, 6 proxy-index" in upgraded.out
    assert "journal built for the" in upgraded.out  # ektp 0.1 had no journal
    assert (tmp_path / "before.db").exists() and event_count(tmp_path / "before.db") == before
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT version, name FROM ektp_schema").fetchall() == [
            (1, "schema-version"), (2, "journal"), (3, "signed-rows"), (4, "keyed-nik-registers"), (5, "subject-keys"),
            (6, "proxy-index")]
        # Step 4 altered the read model: no plaintext name left in card_status (issue 14);
        # step 6 gave it the proxies' blind index.
        columns = {row[1] for row in connection.execute("PRAGMA table_info(card_status)")}
        assert "name" not in columns and {"initials", "nik_index", "name_index", "proxy_index"} <= columns
        rows = connection.execute("SELECT initials, nik_index FROM card_status").fetchall()
        assert all(initials for initials, _ in rows)  # rebuilt, or empty until the next list
    # ektp 0.1 had no staff register: its first head founds it, as on a new database.
    assert init_office(db=db).code == 0
    founded = event_count(db)
    cards = run("--json", "card", "list", db=db).json()
    assert len(cards) == 9
    # The old cards are found by name too (rebuilt with the blind index), and by NIK
    # through their legacy uuid5 register.
    assert run("--json", "card", "find", cards[0]["initials"][0], db=db).code == 0
    assert len(run("--json", "card", "list", "--nik", "3517191706880002", db=db).json()) == 2
    shown = run("--json", "card", "show", "3517191706880002", db=db)
    assert shown.code == 0 and shown.json()["status"] == "REQUESTED"
    assert request(1, db=db).code == 0
    assert run("blanks", "reconcile", db=db).code == 0
    assert run("db", "check", db=db).code == 0
    again = run("db", "upgrade", db=db)
    assert again.code == 0 and "nothing to do" in again.out
    assert event_count(db) == founded + 2


def test_a_newer_database_is_refused_by_commands_and_by_the_upgrade(tmp_path: Path) -> None:
    db = new_database(tmp_path / "office.db")
    before = event_count(db)  # the staff register's own events
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO ektp_schema VALUES (99, 'from-the-future', 'x', 'ektp 9')")
    for args in (["card", "list"], ["db", "upgrade"]):
        refused = run(*args, db=db)
        assert_one_line_error(refused, 5)
        assert "schema version 99, newer than this ektp" in refused.err
    assert_one_line_error(request(1, db=db), 5)
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT MAX(version) FROM ektp_schema").fetchone()[0] == 99
    assert event_count(db) == before


def test_an_upgrade_on_postgresql(postgres_url: str) -> None:
    import psycopg

    assert init_office(pre=("--db", postgres_url)).code == 0
    assert request(1, url=postgres_url).code == 0
    assert run("--db", postgres_url, "card", "list").code == 0  # the read models made
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP TABLE ektp_schema")  # as ektp 0.1 left a database
        # ... made before per-resident data keys (no cipher key here: the table is empty).
        connection.execute("DROP TABLE IF EXISTS ektp_subject_keys")
        # ... with its card_status holding names in plain (before issue 14).
        connection.execute("ALTER TABLE card_status DROP COLUMN initials, DROP COLUMN nik_index, "
                           "DROP COLUMN kk_index, DROP COLUMN name_index, "
                           "DROP COLUMN proxy_index, "
                           "ADD COLUMN name varchar(100) NOT NULL DEFAULT 'Warga'")
    refused = request(2, url=postgres_url)
    assert_one_line_error(refused, 5)
    assert "ektp db upgrade" in refused.err
    upgraded = run("--db", postgres_url, "db", "upgrade")
    assert upgraded.code == 0 and "from schema version 0 to 6" in upgraded.out
    assert request(2, url=postgres_url).code == 0
    # An upgraded database also looks under legacy ids; the keyed register still holds.
    assert request(1, url=postgres_url).code == 1
    assert len(run("--json", "--db", postgres_url, "card", "list").json()) == 2
    with psycopg.connect(postgres_url) as connection:
        columns = {r[0] for r in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'card_status'")}
    assert "name" not in columns and {"initials", "nik_index", "kk_index", "name_index",
                                      "proxy_index"} <= columns  # steps 4 and 6
    # Step 5 made the table of per-resident keys, which a staff login may not create.
    with psycopg.connect(postgres_url) as connection:
        assert connection.execute("SELECT to_regclass('ektp_subject_keys') IS NOT NULL").fetchone()[0]


# --- timeouts ----------------------------------------------------------------------
def test_a_sqlite_write_lock_held_by_another_process_ends_in_exit_5(tmp_path: Path) -> None:
    db = new_database(tmp_path / "office.db")
    card = request(1, db=db).out.strip()
    before = event_count(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held until the test says
    try:
        blocked = request(2, db=db, env={"EKTP_LOCK_TIMEOUT": "1"})
        assert_one_line_error(blocked, 5)
        assert f"waited 1 s for the write lock that another process holds on {db}" in blocked.err
        assert "nothing was written" in blocked.err
        ready = run("card", "ready", card, db=db, env={"EKTP_LOCK_TIMEOUT": "1"})
        assert_one_line_error(ready, 5)
        assert run("card", "show", card, db=db).code == 0  # readers never wait (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert event_count(db) == before
    assert run("card", "ready", card, db=db).code == 0


@contextmanager
def table_locked(url: str) -> Iterator[None]:
    """Another session holds ACCESS EXCLUSIVE on the events table until the block ends."""
    import psycopg

    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE ektp_events IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


def test_a_postgresql_lock_held_by_another_session_ends_in_exit_5(postgres_url: str) -> None:
    url = postgres_url
    assert init_office(pre=("--db", url)).code == 0
    card = request(1, url=url).out.strip()
    before = events_in(url)
    quick = {"EKTP_LOCK_TIMEOUT": "1"}
    with table_locked(url):
        for args in (["card", "request", "--nik", make_nik(serial=2), "--name", "W",
                      "--kk", kk_for(make_nik(serial=2)), "--village", JABON],
                     ["card", "ready", card], ["card", "show", card]):
            blocked = run("--db", url, *args, env=quick)
            assert_one_line_error(blocked, 5)
            assert "waited 1 s for a lock that another session holds" in blocked.err
            assert "lock_timeout" in blocked.err
        # A statement is cancelled after statement_timeout, even while it waits for a lock.
        slow = run("--db", url, "card", "show", card,
                   env={"EKTP_LOCK_TIMEOUT": "60", "EKTP_STATEMENT_TIMEOUT": "1"})
        assert_one_line_error(slow, 5)
        assert "statement_timeout (1 s)" in slow.err
    assert events_in(url) == before
    assert run("--db", url, "card", "ready", card).code == 0


# --- durability ------------------------------------------------------------------
def test_writes_to_an_unsafe_postgresql_server_are_refused_unless_allowed(postgres_url: str) -> None:
    url = postgres_url  # the test cluster runs with fsync=off and full_page_writes=off
    assert init_office(pre=("--db", url)).code == 0
    card = request(1, url=url).out.strip()  # allowed: the test run's configuration says so
    before = events_in(url)
    strict = {"EKTP_ALLOW_UNSAFE_DURABILITY": ""}
    refused = request(2, url=url, env=strict)
    assert_one_line_error(refused, 5)
    assert "fsync=off" in refused.err and "full_page_writes=off" in refused.err
    assert "allow_unsafe_durability" in refused.err
    assert_one_line_error(run("--db", url, "card", "ready", card, env=strict), 5)
    assert events_in(url) == before
    assert run("--db", url, "card", "show", card, env=strict).code == 0  # reads are fine
    check = run("--json", "--db", url, "db", "check", env=strict)
    assert check.code == 1
    found = {c["name"]: c for c in check.json()["checks"]}["durability"]
    assert found["status"] == "fail" and found["problems"] == ["fsync=off", "full_page_writes=off"]
    assert found["settings"]["synchronous_commit"] == "on for ektp (server default off)"
    allowed = run("--json", "--db", url, "db", "check")
    assert allowed.code == 0
    assert {c["name"]: c["status"] for c in allowed.json()["checks"]}["durability"] == "warn"


def test_ektp_connections_commit_synchronously_whatever_the_server_default(postgres_url: str) -> None:
    from ektp.entrypoints.composition import open_office

    with open_office(postgres_url) as office:
        with office.store.app.factory.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            cursor.execute("SELECT current_setting('synchronous_commit') AS s, "
                           "current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS t")
            assert cursor.fetchone() == {"s": "on", "l": "10s", "t": "5min"}
        engine = office.read_models.engine  # type: ignore[attr-defined]
        with engine.connect() as connection:
            from sqlalchemy import text

            assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"


def test_every_sqlite_connection_is_set_full_synchronous(tmp_path: Path) -> None:
    from sqlalchemy import text

    from ektp.entrypoints.composition import open_office

    with open_office(f"sqlite:///{tmp_path / 'office.db'}") as office:
        engine = office.read_models.engine  # type: ignore[attr-defined]
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert office.store.app.durability.problems == ()  # type: ignore[attr-defined]


# --- read-only copies --------------------------------------------------------------
Runner = Callable[..., Result]


@contextmanager
def read_only_medium(copies: Path) -> Iterator[tuple[Path, Runner]]:
    """`copies` as an auditor finds them on a read-only medium, and how to run ektp as that
    auditor. As root: a read-only bind mount when this machine allows mounting, else the
    files made read only and ektp run without the capabilities that let root write
    through any file mode (setpriv); as any other user: the files made read only."""
    if os.geteuid() == 0 and not os.environ.get("EKTP_TEST_NO_MOUNT"):
        view = copies.with_name(copies.name + "-ro")
        view.mkdir()
        mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(copies), str(view)],
                                 capture_output=True)
        if mounted.returncode == 0:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
            try:
                yield view, run
            finally:
                subprocess.run(["umount", str(view)], check=True)
            return
    for path in copies.iterdir():
        path.chmod(0o444)
    copies.chmod(0o555)
    wrapper = (("setpriv", "--bounding-set=-dac_override,-dac_read_search")
               if os.geteuid() == 0 else ())

    def auditor(*args: str, **kwargs: object) -> Result:
        return run(*args, wrapper=wrapper, **kwargs)  # type: ignore[arg-type]

    try:
        yield copies, auditor
    finally:
        copies.chmod(0o755)


@pytest.mark.slow
def test_an_auditor_reads_a_copy_on_a_read_only_medium(tmp_path: Path) -> None:
    db = new_database(tmp_path / "office.db")
    base = event_count(db)  # the staff register's own events
    cards = [request(n, db=db).out.strip() for n in (1, 2)]
    assert run("card", "list", db=db).code == 0  # the read models are caught up here...
    later = request(3, db=db).out.strip()  # ...and miss this one
    copies = tmp_path / "copies"
    copies.mkdir()
    shutil.copyfile(db, copies / "raw.db")  # a plain copy: the lists lag behind
    assert run("db", "backup", str(copies / "backup.db"), db=db).code == 0  # lists complete
    with read_only_medium(copies) as (medium, auditor):
        for name, listed in (("backup.db", 3), ("raw.db", 2)):
            copy = medium / name
            for card in [*cards, later]:
                assert auditor("card", "show", card, db=copy).code == 0
            assert auditor("card", "history", later, db=copy).code == 0
            shown = auditor("--json", "card", "list", db=copy)
            assert shown.code == 0, shown.err
            assert len(shown.json()) == listed
            if listed == 2:
                assert "read only, so its lists cannot catch up" in shown.err
                assert f"up to position {base + 4} of {base + 6} (2 events missing)" in shown.err
            else:
                assert shown.err == ""
            assert auditor("report", "daily", db=copy).code == 0
            exported = auditor("audit", "export", "--out", str(tmp_path / f"export-{name}"),
                               db=copy, role="head")
            assert exported.code == 0, exported.err
            # With the office's audit key (each event is checked against its journal
            # leaf); the NIK registers are exported too, pseudonymised (issue 13).
            assert f"exported {base + 6} events (seq 1..{base + 6})" in exported.out
            checked = auditor("--json", "db", "check", db=copy)
            assert checked.code == 0, checked.out
            file = {c["name"]: c for c in checked.json()["checks"]}["file"]
            assert file["read_only"] is True
            readable_by_all = stat.S_IMODE(copy.stat().st_mode) & stat.S_IROTH
            assert file["status"] == ("warn" if readable_by_all else "ok")
            refused = auditor(*request_args(9), db=copy)
            assert_one_line_error(refused, 5)
            assert "open read only" in refused.err
        assert sorted(p.name for p in medium.iterdir()) == ["backup.db", "raw.db"]  # no -wal, -shm


# --- backups and restores -----------------------------------------------------------
def test_sqlite_backup_and_restore_are_verified(tmp_path: Path) -> None:
    db = new_database(tmp_path / "office.db")
    base = event_count(db)  # the staff register's own events
    for n in range(1, 4):
        assert request(n, db=db).code == 0
    backup = tmp_path / "backup.db"
    made = run("--json", "db", "backup", str(backup), db=db)
    assert made.code == 0, made.err
    figures = made.json()
    assert figures["verified"] is True and figures["events"] == figures["position"] == base + 6
    assert figures["digest"].startswith("sha256:")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    first = backup.read_bytes()
    assert request(4, db=db).code == 0
    assert_one_line_error(run("db", "backup", str(backup), db=db), 2)  # never overwritten...
    assert backup.read_bytes() == first
    assert run("db", "backup", str(backup), "--force", db=db).code == 0  # ...unless asked
    assert event_count(backup) == base + 8
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]

    restored = tmp_path / "restored.db"
    done = run("--json", "db", "restore", str(backup), db=restored)
    assert done.code == 0, done.err
    assert done.json()["events"] == base + 8 and done.json()["digest"] != figures["digest"]
    assert run("--json", "card", "list", db=restored).json() == run("--json", "card", "list", db=db).json()
    assert run("blanks", "reconcile", db=restored).code == 0
    assert request(5, db=restored).code == 0  # a restored database is an office database

    occupied = run("db", "restore", str(backup), db=restored)
    assert_one_line_error(occupied, 1)
    assert f"already holds {base + 10} events" in occupied.err
    assert event_count(restored) == base + 10
    assert run("db", "restore", str(backup), "--force", db=restored).code == 0
    assert event_count(restored) == base + 8

    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(backup.read_bytes()[:4096])
    broken = run("db", "restore", str(damaged), db=tmp_path / "never.db")
    assert_one_line_error(broken, 5)
    assert not (tmp_path / "never.db").exists()


WRITER = """
import sys
from testkit.people import kk_for, make_nik
from testkit.staff import me
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office
OPERATOR = Actor(me(), Role.OPERATOR)  # the OS user, the office's head and an operator
with open_office(sys.argv[1]) as office:
    for n in range(100, 100000):
        nik = make_nik(serial=n)
        office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village="35.17.09.2018")
"""


@pytest.mark.slow
def test_a_sqlite_backup_taken_while_the_office_writes_verifies(tmp_path: Path) -> None:
    db = new_database(tmp_path / "office.db")
    tests = str(Path(__file__).resolve().parents[1])
    writer = subprocess.Popen([sys.executable, "-c", WRITER, f"sqlite:///{db}"],
                              env={**os.environ, "PYTHONPATH": tests})
    try:
        copies = []
        for n in range(3):
            done = run("--json", "db", "backup", str(tmp_path / f"b{n}.db"), db=db)
            assert done.code == 0, done.err
            copies.append(done.json())
    finally:
        writer.kill()
        writer.wait()
    for n, figures in enumerate(copies):
        assert event_count(tmp_path / f"b{n}.db") == figures["events"] == figures["position"]
        restored = run("--json", "db", "restore", str(tmp_path / f"b{n}.db"),
                       db=tmp_path / f"r{n}.db")
        assert restored.code == 0 and restored.json()["digest"] == figures["digest"]


def test_postgresql_backup_and_restore_are_verified(postgres_server: str, postgres_url: str,
                                                    tmp_path: Path) -> None:
    from testkit.postgres import create_database

    url = postgres_url
    assert init_office(pre=("--db", url)).code == 0
    base = events_in(url)  # the staff register's own events
    for n in range(1, 4):
        assert request(n, url=url).code == 0
    dump = tmp_path / "office.dump"
    made = run("--json", "--db", url, "db", "backup", str(dump))
    assert made.code == 0, made.err
    assert made.json()["events"] == base + 6 and stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert_one_line_error(run("--db", url, "db", "backup", str(dump)), 2)

    drill = create_database(postgres_server, "restore_drill")
    done = run("--json", "--db", drill, "db", "restore", str(dump))
    assert done.code == 0, done.err
    assert done.json()["digest"] == made.json()["digest"]
    assert run("--json", "--db", drill, "card", "list").json() == \
        run("--json", "--db", url, "card", "list").json()
    assert request(4, url=drill).code == 0

    occupied = run("--db", drill, "db", "restore", str(dump))
    assert_one_line_error(occupied, 1)
    assert events_in(drill) == base + 8
    assert run("--db", drill, "db", "restore", str(dump), "--force").code == 0
    assert events_in(drill) == base + 6

    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[:2000])
    empty = create_database(postgres_server, "restore_damaged")
    broken = run("--db", empty, "db", "restore", str(damaged))
    assert broken.code in (5, 6) and "Traceback" not in broken.err
    assert len(broken.err.strip().splitlines()) == 1
    import psycopg

    with psycopg.connect(empty) as connection:  # all or nothing: nothing
        assert connection.execute("SELECT to_regclass('ektp_events')").fetchone()[0] is None


def test_db_check_json_for_a_monitoring_job(tmp_path: Path) -> None:
    db = new_database(tmp_path / "office.db")
    os.chmod(db, 0o600)
    key = tmp_path / "cipher.key"
    assert run("keys", "init", "--cipher-key-file", str(key)).code == 0
    encrypted = {"EKTP_CIPHER_KEY_FILE": str(key)}
    done = run("--json", "db", "check", db=db, env=encrypted)
    assert done.code == 0
    data = json.loads(done.out)
    assert data["ok"] is True and data["current"] is True
    assert [c["name"] for c in data["checks"]] == ["schema", "tables", "read models", "durability",
                                                   "file", "cipher", "audit key", "records", "timeouts"]
    assert all(c["status"] == "ok" for c in data["checks"])
    os.chmod(db, 0o644)
    warned = run("--json", "db", "check", db=db)
    assert warned.code == 0
    statuses = {c["name"]: c["status"] for c in warned.json()["checks"]}
    assert statuses["file"] == "warn" and statuses["cipher"] == "warn"  # no key: stored plain
