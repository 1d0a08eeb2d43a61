"""docs/operations.md runs as written. The staff setup ("Setting up the staff"), block by
block, each block as the person its first line names: on SQLite with real OS accounts (root
creates them; each staff member's block runs as that account), on PostgreSQL against the test
server. Every other shell block, in order, in one shell, on a fresh home folder, with the
office's PostgreSQL server (db.kantor, its administrator `postgres`) replaced by the test's
throwaway one and nothing else changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from testkit.accounts import Accounts
from testkit.keys import TEST_AUDIT_KEY_HEX

ROOT = Path(__file__).resolve().parents[2]
GUIDE_PATH = ROOT / "docs" / "operations.md"
GUIDE = GUIDE_PATH.read_text()
BIN = str(Path(sys.executable).parent)


def test_the_administrators_guide_runs_as_written(tmp_path: Path, postgres_server: str) -> None:
    # The staff setup's blocks (each saying who runs it) run in the tests below.
    every = re.findall(r"```sh\n(.*?)```", GUIDE, flags=re.S)
    blocks = [b for b in every if not b.startswith("# as ")]
    assert len(blocks) >= 10 and len(every) - len(blocks) >= 10
    script = "\n".join(blocks)
    for command in ("ektp db init", "ektp db backup", "db restore", "db upgrade", "db check"):
        assert command in script
    host_port = postgres_server.split("@", 1)[1].rsplit("/", 1)[0]
    host, port = host_port.split(":")
    script = (script.replace("-h db.kantor -p 5432 -U postgres", f"-h {host} -p {port} -U ektp")
              .replace("db.kantor:5432", host_port)
              .replace("source .venv/bin/activate", ":"))
    assert "db.kantor" not in script
    home = tmp_path / "home"
    home.mkdir()
    (home / "ektp").symlink_to(ROOT)  # the clone the guide starts in
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EKTP_", "XDG_", "PG"))}
    # The test's server runs with fsync=off: allowed explicitly, as the guide says a
    # throwaway database may be (test_operations.py shows the refusal without it).
    env.update(HOME=str(home), EKTP_ALLOW_UNSAFE_DURABILITY="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}")
    try:
        done = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=home, env=env,
                              capture_output=True, text=True, timeout=600)
    finally:
        # The staff setup below makes a database of the same name, its own way.
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            for name in ("ektp", "ektp_drill"):
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
    assert "Traceback" not in done.stderr
    office = home / "kantor"
    assert (home / ".config" / "ektp" / "config.toml").exists()
    assert (home / ".config" / "ektp" / "kantor-pg.toml").exists()
    backups = sorted(p.name for p in (office / "backups").iterdir())
    assert len(backups) == 3 and "before-upgrade.db" in backups  # SQLite, PostgreSQL, pre-upgrade
    assert "refused: that backup exists already" in done.stdout
    assert "{'from': 'EKTP_LOCK_TIMEOUT', 'value': 30}" in done.stdout
    assert not (office / "drill.db").exists()


def blocks(section: str) -> list[tuple[str, str]]:
    """(who, script) of each shell block of `section` ("### ..." heading)."""
    text = GUIDE.split(f"### {section}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        first = block.splitlines()[0]
        match = re.match(r"# as ([a-z_.]+)", first)
        assert match, f"a block of {section!r} does not say who runs it: {first!r}"
        found.append((match.group(1), block))
    return found


def shell(script: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EKTP_", "XDG_", "PG"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    # What the guide says each workstation has configured: the office's audit key, and
    # for the test's fsync=off server, unsafe durability allowed.
    env.update(EKTP_AUDIT_KEY=TEST_AUDIT_KEY_HEX, EKTP_ALLOW_UNSAFE_DURABILITY="1")
    command = ["bash", "-c", "set -euo pipefail\n" + script]
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    # A home of its own: the machine's ~/.config/ektp (whatever an earlier session left in
    # /root) is no part of what the guide says.
    with tempfile.TemporaryDirectory(prefix="ektp-guide-home-") as home:
        os.chmod(home, 0o755)
        env["HOME"] = home
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300,
                              cwd="/")


@pytest.fixture
def guide_accounts(accounts: Accounts) -> Iterator[Path]:
    """The guide's own accounts and group are created by its first block; removed here.
    (`accounts` makes this interpreter reachable for other accounts.)"""
    import pwd

    for login in ("sri", "wulan", "anto"):
        try:
            pwd.getpwnam(login)
        except KeyError:
            continue
        pytest.skip(f"an OS account {login} exists already on this machine: not ours to use")
    folder = Path(tempfile.mkdtemp(prefix="ektp-guide-"))
    os.chmod(folder, 0o711)
    try:
        yield folder
    finally:
        for login in ("sri", "wulan", "anto"):
            subprocess.run(["userdel", "-r", login], capture_output=True)
        subprocess.run(["groupdel", "kantor"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_sqlite_staff_setup_runs_as_written(guide_accounts: Path) -> None:
    home = guide_accounts / "srv-ektp"
    steps = blocks("One workstation, SQLite")
    assert [who for who, _ in steps] == ["root", "sri", "wulan", "anto", "sri"]
    for who, script in steps:
        done = shell(script.replace("/srv/ektp", str(home)), None if who == "root" else who)
        assert done.returncode == 0, (who, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        if who == "anto":
            assert "anto acting as courier may not receive blanks" in done.stderr
    db = home / "ektp.db"
    assert oct(db.stat().st_mode & 0o777) == "0o660"
    # and an account outside the group cannot open the office's file
    outsider = shell(f"ektp --db sqlite:///{db} card list", "kurir.lain")
    assert outsider.returncode == 5 and "permission denied" in outsider.stderr


def test_the_postgresql_staff_setup_runs_as_written(postgres_server: str) -> None:
    host, port = postgres_server.split("@", 1)[1].rsplit("/", 1)[0].split(":")
    steps = blocks("An office on PostgreSQL")
    assert [who for who, _ in steps] == ["the", "ektp_owner", "sri", "the", "wulan"]
    try:
        for who, script in steps:
            script = (script.replace("@db.kantor/", f"@{host}:{port}/")
                      .replace("-h db.kantor", f"-h {host} -p {port}")
                      .replace("-U postgres", "-U ektp"))
            done = shell(script)
            assert done.returncode == 0, (who, done.stdout, done.stderr)
            if who == "sri":
                assert 'CREATE ROLE "wulan" LOGIN; GRANT "ektp_staff" TO "wulan";' in done.stdout
        with psycopg.connect(postgres_server.rsplit("/", 1)[0] + "/ektp") as c:
            signers = {r[0] for r in c.execute("SELECT DISTINCT inserted_by FROM ektp_events")}
        assert signers == {"ektp_owner", "sri", "wulan"}
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS ektp WITH (FORCE)")
            for role in ("wulan", "sri", "ektp_owner"):
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')
