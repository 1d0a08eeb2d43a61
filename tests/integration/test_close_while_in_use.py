"""Issue 17: `Office.close()` while other threads use the office never crashes the
host, on SQLite and PostgreSQL.

The programs run in a child process (tests/testkit/close_race.py): before the
gate, closing eventsourcing's SQLite connection under a reader was a
segmentation fault, which would have killed pytest itself rather than fail a
test. A child killed by a signal has a negative return code.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TESTS = str(Path(__file__).resolve().parents[1])


def run(*args: str, timeout: float = 300) -> list[dict[str, Any]]:
    """Run a close_race program; its JSON lines (it must end by itself, with 0)."""
    done = subprocess.run([sys.executable, "-m", "testkit.close_race", *args],
                          env={**os.environ, "PYTHONPATH": TESTS}, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode < 0:
        raise AssertionError(f"the host process was killed by {signal.Signals(-done.returncode).name}"
                             f":\n{done.stderr[-3000:]}")
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_closing_under_three_feed_readers_never_crashes(shared_store_url: str) -> None:
    """The issue's reproduction, 30 times: three threads read `events_since(0)` in a
    loop and the main thread closes the office. On the code before the gate this
    died with a segmentation fault in most runs on SQLite, and on PostgreSQL the
    readers ended with StoreUnavailable ("pool ... closed")."""
    rounds = run("readers", shared_store_url, "3", "30")
    assert len(rounds) == 30
    for outcome in rounds:
        assert outcome == {"outcomes": {"OfficeClosed": 3}, "alive": 0}


@pytest.mark.slow
def test_closing_in_the_middle_of_writes_reads_and_following(shared_store_url: str) -> None:
    """200 rounds of two writers, a feed reader, a read-model reader and a follower,
    closed at a random moment: no crash, no thread left running, every thread
    ends with a result or `OfficeClosed` (a follower's iteration simply ends), and
    every write the office acknowledged is in the store afterwards, and none that
    failed with `OfficeClosed` is."""
    (summary,) = run("stress", shared_store_url, "200")
    print(summary)  # the figures for the record (pytest -s)
    assert summary["stuck_threads"] == 0
    endings = summary["endings"]
    assert set(endings) == {"writer", "feed", "reports", "follower"}
    for role, counts in endings.items():
        assert sum(counts.values()) == 200 * (2 if role == "writer" else 1), role
        assert set(counts) <= {"OfficeClosed", "refused", "ended"}, (role, counts)
    # Readers and writers run until a call fails: only closing stops them.
    assert set(endings["feed"]) == set(endings["reports"]) == {"OfficeClosed"}
    assert summary["acknowledged_writes"] > 0
    assert summary["lost_writes"] == 0
    assert summary["writes_ended_by_close"] > 0  # closes did land in the middle of writes
    assert summary["of_which_written"] == 0
