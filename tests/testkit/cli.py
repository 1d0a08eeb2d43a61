"""Running ``ektp`` as a real subprocess (as this OS user, or as another OS account),
and peeking at its SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs

EKTP = str(Path(sys.executable).with_name("ektp"))


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
        cwd: Path | None = None, stdin: str | None = None) -> Result:
    """Run ``ektp ARGS`` with --db set (unless None); return its result.

    ektp acts as the OS user running it: this one, or with `actor` the OS account
    of that login (``runuser``: see `testkit.accounts`). `role` is ``--as ROLE``,
    the role chosen among those the register grants (None: no --as).
    """
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("EKTP_")}
    full_env.update(env or {})
    prefix = ["--db", f"sqlite:///{db}"] if db else []
    if role:
        prefix += ["--as", role]
    command = [EKTP, *prefix, *args]
    if actor is not None:
        full_env["HOME"] = "/nonexistent"
        command = ["runuser", "-u", actor, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, env=full_env,
                          cwd=cwd, input=stdin, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


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
