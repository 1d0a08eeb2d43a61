"""Safe files (issue 14): every file ektp writes is private (0600, folders 0700, or a
configured group's 0640/0750), `--output` never overwrites by accident, never the
office database and never through a symbolic link, an audit export goes only into a
new empty folder, a runaway results file is refused before it is read whole, and a
PostgreSQL password is never needed on a command line.

Each test plants what an attacker or an accident would (a symbolic link, a hard link,
the database under another name, a huge file) and checks both the refusal and that
nothing was written: the target untouched, no file created, no partial left."""

from __future__ import annotations

import grp
import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from testkit.cli import EKTP, Result, assert_one_line_error, init_office, new_database, run
from testkit.staff import me

NIK = "3517091203850001"  # the demo's first resident


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".partial" in p.name]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("safe-files") / "office.db"
    assert run("demo", "--file", str(db), actor=None, role=None).code == 0
    # The demo makes the OS user running it its head; the commands below run as an operator.
    assert run("staff", "grant", me(), "--role", "operator", db=db, role="head").code == 0
    return db


def _manifest_id(db: Path, status: str | None = None) -> str:
    found = run("--json", "manifest", "list", db=db).json()
    return str(next(m["id"] for m in found if status is None or m["status"] == status))


# --- modes -------------------------------------------------------------------------
def test_a_new_database_its_log_and_the_configuration_are_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CONFIG_HOME": "", "EKTP_CONFIG": ""}
    db = tmp_path / "office.db"
    done = init_office(db=db, env=env)
    assert done.code == 0, done.err
    assert _mode(db) == 0o600
    config = home / ".config" / "ektp" / "config.toml"
    assert _mode(config) == 0o600 and _mode(config.parent) == 0o700
    # A reader holding the database open keeps its -wal and -shm files in place while
    # ektp writes: SQLite gives them the database file's mode.
    holder = sqlite3.connect(db)
    holder.execute("SELECT COUNT(*) FROM stored_events").fetchone()
    try:
        wrote = run("card", "request", "--nik", NIK, "--name", "Siti Aminah", "--kk",
                    "3517090101100001", "--village", "35.17.09.2018", db=db, env=env)
        assert wrote.code == 0, wrote.err
        for suffix in ("-wal", "-shm"):
            log = Path(f"{db}{suffix}")
            assert log.exists() and _mode(log) == 0o600, (suffix, oct(_mode(log)))
    finally:
        holder.close()


def test_the_demo_database_is_private(demo: Path) -> None:
    assert _mode(demo) == 0o600


def test_sheets_exports_keys_checkpoints_and_backups_are_private(demo: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    assert run("manifest", "sheet", _manifest_id(demo), "--format", "csv", "--output", str(sheet),
               db=demo).code == 0
    export = tmp_path / "export"
    done = run("audit", "export", "--out", str(export), db=demo, role="head")
    assert done.code == 0, done.err
    assert _mode(export) == 0o700
    assert sorted(p.name for p in export.iterdir()) == ["events.jsonl", "manifest.json"]
    keys = (tmp_path / "office.pem", tmp_path / "office.pub")
    assert run("audit", "keygen", "--private", str(keys[0]), "--public", str(keys[1])).code == 0
    checkpoint = tmp_path / "checkpoint.txt"
    done = run("audit", "checkpoint", "--sign-key", str(keys[0]), "--out", str(checkpoint),
               db=demo, role="head")
    assert done.code == 0, done.err
    backup = tmp_path / "copy.db"
    done = run("db", "backup", str(backup), db=demo, actor=None, role=None)
    assert done.code == 0, done.err
    for path in (sheet, *export.iterdir(), *keys, checkpoint, backup):
        assert _mode(path) == 0o600, (path.name, oct(_mode(path)))
    assert not _leftovers(tmp_path) and not _leftovers(export)


def _other_group() -> grp.struct_group:
    """A group this process may hand files to (root: any; else one of its own)."""
    mine = os.getgroups() if os.geteuid() != 0 else [g.gr_gid for g in grp.getgrall()]
    candidates = [g for g in grp.getgrall() if g.gr_gid in mine and g.gr_gid != os.getegid()]
    if not candidates:
        pytest.fail("no group on this machine to hand files to (root can use any)")
    return candidates[0]


def test_a_configured_group_reads_the_files(demo: Path, tmp_path: Path) -> None:
    group = _other_group()
    config = tmp_path / "config.toml"
    config.write_text(f'[files]\ngroup = "{group.gr_name}"\n')
    env = {"EKTP_CONFIG": str(config)}
    sheet = tmp_path / "sheet.txt"
    assert run("manifest", "sheet", _manifest_id(demo), "--output", str(sheet), db=demo,
               env=env).code == 0
    export = tmp_path / "export"
    assert run("audit", "export", "--out", str(export), db=demo, role="head",
               env=env).code == 0
    for path in (sheet, export / "events.jsonl", export / "manifest.json"):
        assert _mode(path) == 0o640 and os.stat(path).st_gid == group.gr_gid, path.name
    assert _mode(export) == 0o750 and os.stat(export).st_gid == group.gr_gid
    # The environment variable names it too, and a group that does not exist is refused.
    bad = run("manifest", "sheet", _manifest_id(demo), "--output", str(tmp_path / "x.txt"),
              db=demo, env={"EKTP_FILES_GROUP": "no-such-group-ektp"})
    assert_one_line_error(bad, 2)
    assert "no-such-group-ektp" in bad.err and not (tmp_path / "x.txt").exists()


# --- --output ----------------------------------------------------------------------
def _sheet(db: Path, output: str, *extra: str, cwd: Path | None = None) -> Result:
    return run("manifest", "sheet", _manifest_id(db), "--format", "csv", "--output", output,
               *extra, db=db, cwd=cwd)


def test_an_existing_file_is_replaced_only_with_force(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "sheet.csv"
    target.write_text("the courier's notes\n")
    refused = _sheet(demo, str(target))
    assert_one_line_error(refused, 2)
    assert "already exists" in refused.err and "--force" in refused.err
    assert target.read_text() == "the courier's notes\n"
    assert _sheet(demo, str(target), "--force").code == 0
    assert target.read_text().startswith("no,") or "kecamatan" in target.read_text()
    assert _mode(target) == 0o600 and not _leftovers(tmp_path)


@pytest.mark.parametrize("how", ["itself", "relative", "symlink", "hardlink", "wal"])
def test_the_office_database_is_never_an_output(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    db = folder / "office.db"
    assert run("demo", "--file", str(db), actor=None, role=None).code == 0
    before = _digest(db)
    cwd = None
    if how == "itself":
        output = str(db)
    elif how == "relative":
        (tmp_path / "elsewhere").mkdir()
        output, cwd = "../office/./office.db", tmp_path / "elsewhere"
    elif how == "symlink":
        (tmp_path / "innocent.csv").symlink_to(db)
        output = str(tmp_path / "innocent.csv")
    elif how == "hardlink":
        os.link(db, tmp_path / "innocent.csv")
        output = str(tmp_path / "innocent.csv")
    else:
        output = f"{db}-wal"
        Path(output).write_bytes(b"")  # as if the database were in use
    for extra in ((), ("--force",)):
        refused = _sheet(db, output, *extra, cwd=cwd)
        assert_one_line_error(refused, 2)
        assert "office database" in refused.err or "symbolic link" in refused.err, refused.err
    assert _digest(db) == before
    assert run("card", "list", db=db).code == 0
    assert not _leftovers(folder) and not _leftovers(tmp_path)


def test_another_sqlite_database_is_never_overwritten(demo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    before = _digest(other)
    refused = _sheet(demo, str(other), "--force")
    assert_one_line_error(refused, 2)
    assert "SQLite database" in refused.err and _digest(other) == before


def test_a_planted_symlink_is_never_followed(demo: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    planted = tmp_path / "sheet.csv"
    planted.symlink_to(victim)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "created-through-the-link.txt")
    for output in (planted, dangling):
        for extra in ((), ("--force",)):
            refused = _sheet(demo, str(output), *extra)
            assert_one_line_error(refused, 2)
            assert "symbolic link" in refused.err
    assert victim.read_text() == "precious\n" and planted.is_symlink()
    assert not (tmp_path / "created-through-the-link.txt").exists()
    assert not _leftovers(tmp_path)


def test_other_writers_refuse_links_and_existing_files(demo: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    keys = tmp_path / "k.pem", tmp_path / "k.pub"
    assert run("audit", "keygen", "--private", str(keys[0]), "--public", str(keys[1])).code == 0
    link = tmp_path / "link"
    link.symlink_to(victim)
    attempts = [
        run("audit", "keygen", "--private", str(tmp_path / "new.pem"), "--public", str(link)),
        run("audit", "checkpoint", "--sign-key", str(keys[0]), "--out", str(link), db=demo,
            role="head"),
        run("audit", "checkpoint", "--sign-key", str(keys[0]), "--out", str(demo), db=demo,
            role="head"),
        run("db", "backup", str(link), "--force", db=demo, actor=None, role=None),
        run("db", "backup", str(demo), "--force", db=demo, actor=None, role=None),
    ]
    # The audit commands' file errors exit 5 (as they always have), db backup's 2.
    for attempt, code in zip(attempts, (5, 5, 5, 2, 2), strict=True):
        assert_one_line_error(attempt, code)
    assert "symbolic link" in attempts[0].err and "symbolic link" in attempts[1].err
    assert "office database" in attempts[2].err and "office database" in attempts[4].err
    assert victim.read_text() == "precious\n" and not (tmp_path / "new.pem").exists()
    assert run("card", "list", db=demo).code == 0
    assert not _leftovers(tmp_path) and not _leftovers(demo.parent)


# --- audit export --out ------------------------------------------------------------
def _export(db: Path, out: Path) -> Result:
    return run("audit", "export", "--out", str(out), db=db, role="head")


def test_an_export_goes_only_into_a_new_or_empty_folder(demo: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o700)
    assert _export(demo, empty).code == 0
    busy = tmp_path / "busy"
    busy.mkdir(mode=0o700)
    (busy / "notes.txt").write_text("mine\n")
    refused = _export(demo, busy)
    assert_one_line_error(refused, 2)
    assert "not empty" in refused.err
    assert sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    again = _export(demo, empty)  # an export is never overwritten
    assert_one_line_error(again, 2)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    refused = _export(demo, shared)
    assert_one_line_error(refused, 2)
    assert "others can write" in refused.err and not list(shared.iterdir())


@pytest.mark.parametrize("planted", ["events.jsonl", "events.jsonl.partial", "manifest.json.partial",
                                     "manifest.json"])
def test_a_symlink_planted_in_an_export_folder_is_never_followed(demo: Path, tmp_path: Path,
                                                                  planted: str) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    folder = tmp_path / "export"
    folder.mkdir(mode=0o700)
    (folder / planted).symlink_to(victim)
    refused = _export(demo, folder)
    assert_one_line_error(refused, 2)
    assert victim.read_text() == "precious\n"
    assert [p.name for p in folder.iterdir()] == [planted]


def test_an_export_folder_that_is_a_symlink_is_refused(demo: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    refused = _export(demo, tmp_path / "link")
    assert_one_line_error(refused, 2)
    assert "symbolic link" in refused.err and not list(real.iterdir())


# --- results files -----------------------------------------------------------------
_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
print(__import__("json").dumps({"code": done.returncode, "err": done.stderr, "out": done.stdout,
                                "peak_mib": peak / 1024}))
"""


def _measured(db: Path, *args: str, cwd: Path | None = None) -> dict[str, object]:
    """Run ``ektp ARGS`` under a small Python parent that reports the child's peak memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EKTP_") or k in (
        "EKTP_CONFIG", "EKTP_ALLOW_UNSAFE_DURABILITY", "EKTP_AUDIT_KEY")}
    env.update(EKTP_AS="operator")
    done = subprocess.run([sys.executable, "-c", _MEASURE, EKTP, "--db", f"sqlite:///{db}", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def _write_rows(path: Path, rows: int, line: str) -> None:
    """A results file of `rows` copies of `line`, written as a stream (never whole in memory)."""
    with path.open("w", encoding="utf-8") as file:
        file.write("card,outcome,recipient\n")
        block = line * 10_000
        for _ in range(rows // 10_000):
            file.write(block)
        file.write(line * (rows % 10_000))


def test_a_huge_results_file_is_refused_before_it_is_read(demo: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    _write_rows(huge, 2_500_000, f"{NIK},attempt-failed,\n")  # ~ 76 MB
    assert huge.stat().st_size > 50 * 1024 * 1024
    result = _measured(demo, "manifest", "record", _manifest_id(demo), "--file", str(huge))
    assert result["code"] == 2 and "50 MB" in str(result["err"]), result
    assert len(str(result["err"]).strip().splitlines()) == 1
    assert float(str(result["peak_mib"])) < 100, result["peak_mib"]  # the file is never read


def test_too_many_rows_are_refused_without_holding_them(demo: Path, tmp_path: Path) -> None:
    many = tmp_path / "many.csv"
    _write_rows(many, 300_000, f"{NIK},attempt-failed,\n")  # ~ 9 MB, under the byte limit
    result = _measured(demo, "manifest", "record", _manifest_id(demo), "--file", str(many))
    assert result["code"] == 2 and "100000 rows" in str(result["err"]), result
    assert float(str(result["peak_mib"])) < 250, result["peak_mib"]


def test_a_huge_results_file_on_standard_input_is_refused(demo: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.csv"
    _write_rows(huge, 2_000_000, f"{NIK},attempt-failed,\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EKTP_") or k in (
        "EKTP_CONFIG", "EKTP_ALLOW_UNSAFE_DURABILITY", "EKTP_AUDIT_KEY")}
    env.update(EKTP_AS="operator")
    with huge.open("rb") as stdin:
        done = subprocess.run([EKTP, "--db", f"sqlite:///{demo}", "manifest", "record",
                               _manifest_id(demo), "--file", "-"], stdin=stdin, capture_output=True,
                              text=True, env=env, timeout=120)
    assert done.returncode == 2 and "standard input" in done.stderr and "50 MB" in done.stderr


def test_bad_rows_show_the_first_50_and_all_go_to_an_error_file(demo: Path, tmp_path: Path) -> None:
    manifest = _manifest_id(demo)
    bad = tmp_path / "bad.csv"
    _write_rows(bad, 3000, f"{NIK},no-such-outcome,\n")
    before = run("--json", "manifest", "show", manifest, db=demo).out
    result = _measured(demo, "manifest", "record", manifest, "--file", str(bad))
    err = str(result["err"]).strip().splitlines()
    assert result["code"] == 2
    assert len(err) == 52, len(err)  # 50 rows, where the rest are, the refusal
    assert "and 2950 more bad rows" in err[50] and "bad.csv.errors.txt" in err[50]
    assert "3000 of 3000 rows" in err[51]
    listed = (tmp_path / "bad.csv.errors.txt").read_text().splitlines()
    assert len(listed) == 3000 and listed[0].startswith("line 2:") and listed[-1].startswith("line 3001:")
    assert NIK not in (tmp_path / "bad.csv.errors.txt").read_text()
    assert _mode(tmp_path / "bad.csv.errors.txt") == 0o600
    # A second run keeps the first list and writes a new one; --errors names the file.
    assert _measured(demo, "manifest", "record", manifest, "--file", str(bad))["code"] == 2
    assert (tmp_path / "bad.csv.errors-2.txt").exists()
    named = tmp_path / "all-errors.txt"
    assert _measured(demo, "manifest", "record", manifest, "--file", str(bad), "--errors",
                     str(named))["code"] == 2
    assert len(named.read_text().splitlines()) == 3000
    assert run("--json", "manifest", "show", manifest, db=demo).out == before  # nothing recorded


def test_partial_lists_50_skipped_rows_and_writes_them_all(demo: Path, tmp_path: Path) -> None:
    manifest = _manifest_id(demo)
    bad = tmp_path / "partial.csv"
    _write_rows(bad, 120, f"{NIK},no-such-outcome,\n")
    done = run("manifest", "record", manifest, "--file", str(bad), "--partial", db=demo)
    assert done.code == 0, done.err
    assert "skipped 120 bad rows" in done.out
    assert done.out.count("\n  line ") == 50
    assert "and 70 more bad rows" in done.out
    assert len((tmp_path / "partial.csv.errors.txt").read_text().splitlines()) == 120
    as_json = run("--json", "manifest", "record", manifest, "--file", str(bad), "--partial", db=demo)
    data = as_json.json()
    assert data["skipped_count"] == 120 and len(data["skipped"]) == 50


def test_a_few_bad_rows_are_all_listed_and_no_file_is_written(demo: Path, tmp_path: Path) -> None:
    manifest = _manifest_id(demo)
    bad = tmp_path / "few.csv"
    _write_rows(bad, 3, f"{NIK},no-such-outcome,\n")
    done = run("manifest", "record", manifest, "--file", str(bad), db=demo)
    assert done.code == 2 and len(done.err.strip().splitlines()) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["few.csv"]


# --- PostgreSQL passwords ----------------------------------------------------------
@pytest.mark.postgres
def test_a_postgres_password_never_needs_the_command_line(postgres_server: str, tmp_path: Path) -> None:
    host_port = postgres_server.split("@", 1)[1].rsplit("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    url = f"postgresql://guarded@{host_port}/postgres"

    def check(*args: str, env: dict[str, str] | None = None) -> Result:
        return run("--json", "--db", url, *args, "db", "check", actor=None, role=None, env=env)

    def password_check(result: Result) -> dict[str, object]:
        assert result.code in (0, 1), result.err  # connected (a database not initialised is 1)
        return next(c for c in json.loads(result.out)["checks"] if c["name"] == "password")

    without = check(env={"PGPASSFILE": str(tmp_path / "none")})
    assert without.code == 5 and "password" in without.err
    # libpq's password file
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"{host}:{port}:*:guarded:right-password\n")
    passfile.chmod(0o600)
    assert password_check(check(env={"PGPASSFILE": str(passfile)}))["source"] == "libpq"
    # a service file naming the password
    services = tmp_path / "pg_service.conf"
    services.write_text("[ektp]\npassword=right-password\n")
    assert password_check(check(env={"PGSERVICEFILE": str(services), "PGSERVICE": "ektp",
                                     "PGPASSFILE": str(tmp_path / "none")}))["source"] == "libpq"
    # --db-password-file, and its variable
    secret = tmp_path / "db-password"
    secret.write_text("right-password\n")
    secret.chmod(0o600)
    quiet = {"PGPASSFILE": str(tmp_path / "none")}
    assert password_check(check("--db-password-file", str(secret), env=quiet))["source"] == "password-file"
    assert password_check(check(env={**quiet, "EKTP_DB_PASSWORD_FILE": str(secret)}))[
        "source"] == "password-file"
    secret.chmod(0o644)
    loose = check("--db-password-file", str(secret), env=quiet)
    assert_one_line_error(loose, 2)
    assert "chmod 600" in loose.err and "right-password" not in loose.err
    # a URL carrying the password (never on the command line: --db refuses one) still
    # works from the environment, with a warning that never shows it
    in_env = {**quiet, "EKTP_DATABASE_URL": f"postgresql://guarded:right-password@{host_port}/postgres"}
    carried = run("--json", "db", "check", actor=None, role=None, env=in_env)
    found = password_check(carried)
    assert found["status"] == "warn" and "carries a password" in str(found["detail"])
    assert "right-password" not in carried.out + carried.err
    text = run("db", "check", actor=None, role=None, env=in_env)
    assert any(line.startswith("password") and "WARN" in line for line in text.out.splitlines())
    assert "right-password" not in text.out + text.err


def test_a_password_file_is_refused_for_sqlite_and_beside_a_url_password(tmp_path: Path) -> None:
    secret = tmp_path / "db-password"
    secret.write_text("x\n")
    secret.chmod(0o600)
    db = new_database(tmp_path / "office.db")
    refused = run("--db-password-file", str(secret), "card", "list", db=db)
    assert_one_line_error(refused, 2)
    assert "PostgreSQL" in refused.err
