"""SIGINT and SIGTERM sent to a real ``ektp card request`` at many moments: never a
traceback; exit code 130 or success; and when the request was recorded, its card id
was printed (the clerk never retries a request that went through).

The moments are counted from when ektp's handlers are installed, which the test sees
in the kernel's record of the signals a process catches (/proc/PID/status, SigCgt:
ektp catches SIGTERM, Python alone does not). Before that instant the interpreter is
still starting up, before any ektp code runs (docs/operations.md, "Signals").
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from testkit.cli import EKTP, KEPT, new_database
from testkit.keys import TEST_AUDIT_KEY_HEX
from testkit.people import OPERATOR, kk_for, make_nik

from ektp.domain.errors import CardNotFound
from ektp.entrypoints.composition import open_office


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EKTP_") or k in KEPT}
    # Writes journal their events under the office's audit key (issue 13).
    env.update(EKTP_ACTOR="op.signal", EKTP_ROLE="operator", EKTP_AUDIT_KEY=TEST_AUDIT_KEY_HEX)
    return env


def start_request(db: Path, nik: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [EKTP, "--db", f"sqlite:///{db}", "card", "request", "--nik", nik, "--name", "Warga",
         "--kk", kk_for(nik), "--village", "35.17.09.2018"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**_environment(), **extra})


def handlers_installed(process: subprocess.Popen[str]) -> bool:
    """Wait until `process` catches SIGTERM (ektp's handler is in place) or has ended."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            return False
        caught = int(next(line for line in status.splitlines()
                          if line.startswith("SigCgt:")).split()[1], 16)
        if caught & (1 << (signal.SIGTERM - 1)):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.0002)
    raise AssertionError("ektp never installed its signal handlers")


def recorded(db: Path, nik: str) -> str | None:
    """The id of the card with an open request for `nik`, if the request was recorded."""
    with open_office(f"sqlite:///{db}") as office:
        try:
            return str(office.card(nik, OPERATOR).id)
        except CardNotFound:
            return None


@pytest.mark.slow
def test_signals_at_any_moment_never_lose_a_reported_request(tmp_path: Path) -> None:
    db = new_database(tmp_path / "office.db")
    rng = random.Random(16)
    outcomes = {"interrupted": 0, "done": 0}
    for trial in range(48):
        nik = make_nik(serial=trial + 1)
        process = start_request(db, nik)
        assert handlers_installed(process)
        time.sleep(rng.uniform(0, 0.3))  # anywhere from the imports to the last line
        sent = signal.SIGINT if trial % 2 == 0 else signal.SIGTERM
        try:
            process.send_signal(sent)
        except ProcessLookupError:
            pass
        out, err = process.communicate(timeout=60)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        card = recorded(db, nik)
        if card is not None:
            assert process.returncode == 0, (process.returncode, err)
            assert out.strip() == card  # what was recorded was reported
            outcomes["done"] += 1
        else:
            assert process.returncode == 130, (process.returncode, err)
            assert out == "" and err.startswith("ektp: interrupted: stopped"), err
            assert len(err.strip().splitlines()) == 1
            outcomes["interrupted"] += 1
    assert sum(outcomes.values()) == 48


def test_a_signal_during_a_blocked_sqlite_write_waits_for_it(tmp_path: Path) -> None:
    """SQLite waits for the lock inside sqlite3 (Python runs no handler meanwhile), so the
    signal is seen once the lock comes free: the write goes on, is reported, and then the
    command says it was interrupted and what it did first."""
    db = new_database(tmp_path / "office.db")
    for attempt in range(1, 30):
        nik = make_nik(serial=attempt)
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        process = start_request(db, nik, EKTP_LOCK_TIMEOUT="60")
        assert handlers_installed(process)
        time.sleep(0.3 * attempt)  # long enough, sooner or later, to reach the write
        process.send_signal(signal.SIGINT)
        time.sleep(0.2)
        stopped_early = process.poll() is not None
        holder.execute("ROLLBACK")
        holder.close()
        out, err = process.communicate(timeout=90)
        assert "Traceback" not in err
        if stopped_early:  # the signal came before the write: nothing was recorded
            assert process.returncode == 130 and out == "" and recorded(db, nik) is None
            continue
        assert process.returncode == 0, err
        assert out.strip() == recorded(db, nik)
        assert "finishing the write in progress first" in err
        return
    raise AssertionError("the request never reached its write")


def _deferred_on_postgres(url: str, nik: str) -> subprocess.Popen[str]:
    """A request waiting for the events table's lock, interrupted once: psycopg waits
    in a way Python's handlers run in, so the signal is held at once (the line says so)."""
    for _ in range(50):
        process = subprocess.Popen(
            [EKTP, "--db", url, "card", "request", "--nik", nik, "--name", "Warga",
             "--kk", kk_for(nik), "--village", "35.17.09.2018"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**_environment(), "EKTP_LOCK_TIMEOUT": "60"})
        assert handlers_installed(process)
        time.sleep(1)
        process.send_signal(signal.SIGINT)
        assert process.stderr is not None
        line = process.stderr.readline()
        if "finishing the write in progress first" in line:
            return process
        # it had not reached the write yet, so it stopped at once, having recorded nothing
        assert line.startswith("ektp: interrupted: stopped") and process.wait(60) == 130
    raise AssertionError("the request never reached its write")


def test_on_postgresql_a_second_signal_abandons_a_waiting_write(postgres_url: str) -> None:
    import psycopg

    from testkit.cli import run

    assert run("--db", postgres_url, "db", "init").code == 0
    with psycopg.connect(postgres_url) as holder:
        holder.execute("LOCK TABLE ektp_events IN ACCESS EXCLUSIVE MODE")
        first = _deferred_on_postgres(postgres_url, make_nik(serial=1))
        first.send_signal(signal.SIGTERM)  # a second signal: leave now
        assert first.wait(60) == 130
        assert first.stderr is not None
        rest = first.stderr.read()
        assert rest.startswith("ektp: interrupted: abandoned during a write") and "Traceback" not in rest
        second = _deferred_on_postgres(postgres_url, make_nik(serial=2))
        holder.rollback()  # the lock comes free: the held write goes on and is reported
        out, err = second.communicate(timeout=60)
    assert second.returncode == 0 and len(out.split()) == 1 and "Traceback" not in err
    with psycopg.connect(postgres_url) as connection:
        # the second request and its NIK claim; nothing of the abandoned first
        assert connection.execute("SELECT COUNT(*) FROM ektp_events").fetchone()[0] == 2
