"""Running ``ektp`` as a real subprocess (as this OS user, or as another OS account),
and peeking at its SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import attrs
from testkit.keys import TEST_AUDIT_KEY_HEX

EKTP = str(Path(sys.executable).with_name("ektp"))
# The test run's own configuration (tests/conftest.py) passes through to the commands.
KEPT = ("EKTP_CONFIG", "EKTP_ALLOW_UNSAFE_DURABILITY")


@attrs.frozen
class Result:
    """What one ``ektp`` run did."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Standard output parsed as JSON."""
        return json.loads(self.out)


def run(*args: str, db: Path | None = None, actor: str | None = None,
        role: str | None = "operator", env: dict[str, str] | None = None,
        cwd: Path | None = None, stdin: str | None = None,
        audit_key: str | None = TEST_AUDIT_KEY_HEX, wrapper: tuple[str, ...] = ()) -> Result:
    """Run ``ektp ARGS`` with --db set (unless None) and the test audit key (unless
    None); return its result.

    ektp acts as the OS user running it: this one, or with `actor` the OS account
    of that login (``runuser``: see `testkit.accounts`). `role` is ``--as ROLE``,
    the role chosen among those the register grants (None: no --as). `wrapper` is a
    command that runs the one after it (e.g. ``setpriv`` dropping capabilities).
    """
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("EKTP_") or k in KEPT}
    if audit_key:
        full_env["EKTP_AUDIT_KEY"] = audit_key
    full_env.update(env or {})
    prefix = ["--db", f"sqlite:///{db}"] if db else []
    if role:
        prefix += ["--as", role]
    command = [*wrapper, EKTP, *prefix, *args]
    if actor is not None:
        full_env["HOME"] = "/nonexistent"
        command = ["runuser", "-u", actor, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, env=full_env,
                          cwd=cwd, input=stdin, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def init_office(*args: str, pre: tuple[str, ...] = (), **options: Any) -> Result:
    """``ektp [PRE] db init --head ME ARGS`` (`options` as for `run`): the OS user running
    the tests founds the register as its head, and is granted the operator's role too
    when that worked, as an office's first administrator would. Returns db init's result."""
    options.pop("role", None)
    named = [*pre, (options.get("env") or {}).get("EKTP_DATABASE_URL", "")]
    url = next((a for a in named if a.startswith("postgresql://")), None)
    if url is not None:  # the database login (whoami needs the tables db init makes)
        login = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[0]
    else:  # the OS user running the tests, as whoami says (asked here: one process less)
        from ektp.adapters.identity import os_login

        login = os_login() or ""
    done = run(*pre, "db", "init", "--head", login, *args, role=None, **options)
    if done.code != 0:
        return done
    db = options.get("db")
    if db is not None and not pre and not options.get("env") and not options.get("cwd"):
        # The grant in process (as the same OS user, with the test run's audit key and
        # configuration): the same command's effect, a process less per test database.
        from ektp.domain.actor import Actor, Role
        from ektp.entrypoints.composition import open_office

        with open_office(f"sqlite:///{db}") as office:
            office.staff.grant(Actor(login, Role.HEAD), login, Role.OPERATOR)
        return done
    granted = run(*pre, "staff", "grant", login, "--role", "operator", role="head", **options)
    assert granted.code == 0, granted.err
    return done


def new_database(db: Path) -> Path:
    """Create the office database `db` with ``ektp db init --head`` (as an office does
    first): the OS user running the tests is its head of office, and an operator too."""
    done = init_office(db=db)
    assert done.code == 0, done.err
    return db


def assert_one_line_error(result: Result, code: int) -> None:
    """A failure: the expected exit code, one line on stderr, no traceback, nothing on stdout."""
    assert result.code == code, (result.code, result.err)
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert result.out == ""


def event_count(db: Path) -> int:
    """How many events the SQLite file holds (0 if it has no table yet)."""
    if not db.exists():
        return 0
    # Closed at once (sqlite3's own `with` only commits): a connection left open would
    # keep every ektp process from checkpointing the write-ahead log when it ends.
    with closing(sqlite3.connect(db)) as connection:
        try:
            return int(connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])
        except sqlite3.OperationalError:
            return 0
