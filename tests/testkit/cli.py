"""Running ``ektp`` as a real subprocess, and peeking at its SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
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


def run(*args: str, db: Path | None = None, actor: str | None = "op.test",
        role: str | None = "operator", env: dict[str, str] | None = None,
        cwd: Path | None = None, stdin: str | None = None,
        audit_key: str | None = TEST_AUDIT_KEY_HEX, wrapper: tuple[str, ...] = ()) -> Result:
    """Run ``ektp ARGS`` (with --db, the actor and the test audit key set unless None;
    through `wrapper`, a command that runs the one after it, when given); return its result."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("EKTP_") or k in KEPT}
    if audit_key:
        full_env["EKTP_AUDIT_KEY"] = audit_key
    if actor:
        full_env["EKTP_ACTOR"] = actor
    if role:
        full_env["EKTP_ROLE"] = role
    full_env.update(env or {})
    prefix = ["--db", f"sqlite:///{db}"] if db else []
    done = subprocess.run([*wrapper, EKTP, *prefix, *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, input=stdin, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def new_database(db: Path) -> Path:
    """Create the office database `db` with ``ektp db init`` (as an office does first)."""
    done = run("db", "init", db=db, actor=None, role=None)
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
    with sqlite3.connect(db) as connection:
        try:
            return int(connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])
        except sqlite3.OperationalError:
            return 0
