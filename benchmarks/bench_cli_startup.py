"""Issue 2: one CLI write command as a whole process (``ektp card ready``), and
``ektp --help``, against ``python -c "import eventsourcing.sqlite"``."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from harness import VENV_BIN, interleaved, median, report, wall_time

from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office


def run(rounds: int = 15) -> dict[str, float]:
    """Measure; print and return the figures."""
    workdir = Path(tempfile.mkdtemp(prefix="ektp-cli-bench-"))
    db = workdir / "office.db"
    operator = Actor("op.bench", Role.OPERATOR)
    with open_office(f"sqlite:///{db}") as office:
        cards = [str(office.request_card(operator, nik=f"351709120385{n:04d}", name="Warga",
                                         kk="3517090101100001", village="35.17.09.2018").id)
                 for n in range(1, rounds + 2)]
    env = {**os.environ, "EKTP_ACTOR": "op.bench", "EKTP_ROLE": "operator",
           "EKTP_DATABASE_URL": f"sqlite:///{db}"}
    ektp = str(VENV_BIN / "ektp")
    pending = iter(cards)
    seconds = interleaved({
        "import eventsourcing.sqlite": lambda: wall_time([sys.executable, "-c", "import eventsourcing.sqlite"]),
        "ektp card ready": lambda: wall_time([ektp, "card", "ready", next(pending)], env=env),
        "ektp --help": lambda: wall_time([ektp, "--help"], env=env),
    }, rounds)
    base = median(seconds["import eventsourcing.sqlite"])
    ready = median(seconds["ektp card ready"])
    helped = median(seconds["ektp --help"])
    report(f"CLI process wall time, median of {rounds}", [
        ('python -c "import eventsourcing.sqlite"', f"{base * 1000:.0f} ms"),
        ("ektp card ready CARD (a write)", f"{ready * 1000:.0f} ms  = {ready / base:.2f}x  (target <= 2x)"),
        ("ektp --help", f"{helped * 1000:.0f} ms  = {helped / base:.2f}x"),
    ])
    return {"ready_ratio": ready / base, "help_ratio": helped / base}


if __name__ == "__main__":
    run()
