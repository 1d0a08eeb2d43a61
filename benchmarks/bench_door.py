"""Issue 12: what the door's identity check costs a write command, in process.

The same card lifecycle (request, ready, allocate, print, dispatch, hand-over: six
commands a card) through `Office`, side by side on the same store module, with
the real door (the identity provider asked, the staff member's record read
from the cache and checked, and the door's grant carried into the write, whose
recorder checks it in the same statement: `kernel.authority`) and without it
(`Services.door` replaced by a door that admits everyone: only the role's
permission is checked, as before the staff register). Target: the door costs
at most 5% of a write command.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_card_writes import SteadyClock, lifecycle_steps
from harness import median, report
from staff import BENCH_HOST, OPERATOR, enrol

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.store import EktpStore, store_settings
from ektp.application.config import OfficeConfig
from ektp.application.office import Office
from ektp.domain.actor import Actor


def _admit_everyone(actor: Actor, action: str) -> None:
    """The door of the first release: no identity, no register (the role is still checked)."""


def _office(url: str, door: bool, cards: int) -> Office:
    from ektp.entrypoints.composition import lokal_regions

    office = enrol(Office(EktpStore(env=store_settings(DatabaseUrl.parse(url))), SteadyClock(),
                          OfficeConfig(), regions=lokal_regions, identity=BENCH_HOST))
    if not door:
        office.services.door = _admit_everyone
    office.regions.get("35.17.09.2018")
    office.receive_blanks(OPERATOR, bast="BAST/BENCH", source="ministry",
                          ranges=[f"3517000000-{3517000000 + cards - 1}"])
    return office


def measure(backend: str, new_url: Callable[[], str], cards: int, rounds: int) -> dict[str, float]:
    """Each round runs both offices command by command, alternating, on fresh stores."""
    with_door, without, cpu_with, cpu_without = [], [], [], []
    commands = cards * 6
    for r in range(rounds + 1):  # the first round warms up and is not counted
        guarded, open_door = _office(new_url(), True, cards), _office(new_url(), False, cards)
        steps = {True: lifecycle_steps(guarded, cards), False: lifecycle_steps(open_door, cards)}
        spent = {True: 0.0, False: 0.0}
        cpu = {True: 0.0, False: 0.0}
        order = (True, False) if r % 2 else (False, True)
        for _ in range(commands):
            for which in order:
                started, started_cpu = time.perf_counter(), time.process_time()
                next(steps[which])
                spent[which] += time.perf_counter() - started
                cpu[which] += time.process_time() - started_cpu
        guarded.close()
        open_door.close()
        if r:
            with_door.append(spent[True] / commands)
            without.append(spent[False] / commands)
            cpu_with.append(cpu[True] / commands)
            cpu_without.append(cpu[False] / commands)
    a, b = median(with_door), median(without)
    ca, cb = median(cpu_with), median(cpu_without)
    # Each round's own ratio (both offices met the same disk and the same neighbours).
    per_round = median([w / o for w, o in zip(with_door, without)])
    door_alone = _door_alone(new_url(), cards)
    report(f"the door's identity check on a write command, {backend}, median of {rounds}", [
        ("commands per round", f"{commands} ({cards} cards x 6 commands)"),
        ("without the door (role check only)", f"{b * 1e6:,.0f} us per command "
                                               f"({cb * 1e6:,.0f} us of CPU)"),
        ("with the door (identity, register, guarded write)", f"{a * 1e6:,.0f} us per command "
                                                              f"({ca * 1e6:,.0f} us of CPU)"),
        ("cost of the door, wall time", f"{(a - b) * 1e6:+,.1f} us = {(a / b - 1):+.1%}; "
                                        f"median of the rounds' ratios {per_round - 1:+.1%}  "
                                        "(target <= +5%)"),
        ("cost of the door, CPU time", f"{(ca - cb) * 1e6:+,.1f} us = {(ca / cb - 1):+.1%}  "
                                       "(the process's own work: no disk or server wait)"),
        ("the door alone, called in a loop", f"{door_alone:.1f} us per call"),
    ])
    return {"with_us": a * 1e6, "without_us": b * 1e6, "ratio": a / b, "cpu_ratio": ca / cb,
            "round_ratio": per_round, "door_us": door_alone}


def _door_alone(url: str, cards: int, calls: int = 20_000) -> float:
    """Microseconds one admission takes (identity, cached record, grant), warm."""
    office = _office(url, True, cards)
    door = office.services.door
    door(OPERATOR, "record printing")
    started = time.perf_counter()
    for _ in range(calls):
        door(OPERATOR, "record printing")
    spent = time.perf_counter() - started
    office.close()
    return spent / calls * 1e6


def _child(door: str, store: str, cards: str) -> None:
    """One lifecycle run, for `instructions` (a child process under callgrind)."""
    url = "memory://" if store == "memory" else f"sqlite:///{tempfile.mkdtemp()}/door.db"
    office = _office(url, door == "door", int(cards))
    for _ in lifecycle_steps(office, int(cards)):
        pass
    office.close()


def instructions() -> dict[str, float]:
    """The door's cost in CPU instructions per command, counted by callgrind: repeatable
    whatever else the machine does (wall times here drift with the neighbours' load).
    Runs of 20 and 80 cards are subtracted, so start-up and set-up cancel out."""
    if shutil.which("valgrind") is None:
        return {}
    counts: dict[tuple[str, str, int], int] = {}
    for store in ("memory", "sqlite"):
        for door in ("none", "door"):
            for cards in (20, 80):
                done = subprocess.run(
                    ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                     __file__, "child", door, store, str(cards)], capture_output=True, text=True)
                found = re.search(r"Collected : (\d+)", done.stderr)
                assert done.returncode == 0 and found, done.stderr[-2000:]
                counts[(store, door, cards)] = int(found.group(1))
    figures: dict[str, float] = {}
    rows = []
    for store in ("memory", "sqlite"):
        per = {door: (counts[(store, door, 80)] - counts[(store, door, 20)]) / (60 * 6)
               for door in ("none", "door")}
        figures[f"{store}_instructions_ratio"] = per["door"] / per["none"]
        rows.append((f"{store}: instructions per command, without / with the door",
                     f"{per['none']:,.0f} / {per['door']:,.0f} = {per['door'] / per['none'] - 1:+.1%}"))
    report("the door's identity check in CPU instructions (callgrind, 360 commands), "
           "user space only (no disk wait)", rows)
    return figures


def run(cards: int = 150, rounds: int = 11) -> dict[str, float]:
    """SQLite (WAL, synchronous=FULL), the in-memory store, and PostgreSQL (durable server)."""
    from pg_server import postgres_databases

    workdir = Path(tempfile.mkdtemp(prefix="ektp-bench-door-"))
    counter = iter(range(10**6))
    figures = {f"sqlite_{k}": v for k, v in measure(
        "SQLite (WAL, synchronous=FULL)",
        lambda: f"sqlite:///{workdir / f'db-{next(counter)}.db'}", cards, rounds).items()}
    figures.update({f"memory_{k}": v for k, v in measure(
        "the in-memory store (no disk: the door's own CPU cost shows most)",
        lambda: "memory://", cards, rounds).items()})
    with postgres_databases() as new_database:
        figures.update({f"postgres_{k}": v for k, v in measure(
            "PostgreSQL (fsync on)", new_database, cards, rounds).items()})
    figures.update(instructions())
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        sys.path.insert(0, str(Path(__file__).parent))
        _child(*sys.argv[2:5])
    else:
        run()
