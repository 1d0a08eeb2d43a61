"""Issue 3: the blank ledger at scale, measured side by side in one run.

1. Receiving a consignment of 40,000 serials in one command, against inserting
   40,000 rows with the raw sqlite3 module in one transaction (same pragmas:
   WAL, synchronous=FULL), and against the per-serial design it avoids (40,000
   events, one per blank aggregate, in one save()).
2. The cost of allocating one blank to a card (card and ledger in one save)
   with 100,000 blanks received versus 1,000, warm (the process's cache holds
   the ledger) and cold (loaded from the file: latest snapshot + later events,
   as every CLI process does). Target: ratio at most 1.5. A third office has
   100,000 received and a long history, to show the snapshot keeps the cold
   load flat; the same history without snapshots shows what they save.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from harness import VENV_BIN, interleaved, median, report, wall_time

from staff import BENCH_HOST, OPERATOR, enrol

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.store import EktpStore, open_event_store, store_settings
from ektp.application.config import OfficeConfig
from ektp.application.office import Office
from ektp.application.ports.clock import Clock
from ektp.domain.actor import Actor, Role
from ektp.domain.blank_stock.events import BlankAllocated

CONSIGNMENT = 40_000


class SteadyClock(Clock):
    """Advances one second per reading, so runs are comparable."""

    def __init__(self) -> None:
        self.current = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)

    def now(self) -> dt.datetime:
        self.current += dt.timedelta(seconds=1)
        return self.current


def _office(path: Path, snapshots: bool = True) -> Office:
    settings = store_settings(DatabaseUrl.parse(f"sqlite:///{path}"))
    if not snapshots:
        settings["IS_SNAPSHOTTING_ENABLED"] = "n"
    from ektp.entrypoints.composition import lokal_regions

    office = Office(EktpStore(env=settings), SteadyClock(), OfficeConfig(), regions=lokal_regions,
                    identity=BENCH_HOST)
    return office if office.staff.founded() else enrol(office)


# --- 1. receiving 40,000 ------------------------------------------------------------------
def _receive_through_office(workdir: Path, n: int) -> float:
    with _office(workdir / f"receive-{n}.db") as office:
        started = time.perf_counter()
        office.receive_blanks(OPERATOR, bast="BAST/045/XI/2017", source="ministry",
                              ranges=[f"3517170001-{3517170000 + CONSIGNMENT}"])
        return time.perf_counter() - started


def _raw_sqlite_rows(workdir: Path, n: int) -> float:
    connection = sqlite3.connect(workdir / f"raw-{n}.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE blanks (serial TEXT PRIMARY KEY, state TEXT, bast TEXT)")
    rows = [(str(3517170001 + i), "IN_STOCK", "BAST/045/XI/2017") for i in range(CONSIGNMENT)]
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO blanks VALUES (?, ?, ?)", rows)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def _per_serial_events(workdir: Path, n: int) -> float:
    store = open_event_store(DatabaseUrl.parse(f"sqlite:///{workdir / f'per-serial-{n}.db'}"))
    at = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)
    card = uuid.uuid4()
    # the shape of the alternative: one small event per blank, each its own stream
    events = [BlankAllocated(originator_id=uuid.uuid4(), originator_version=1, timestamp=at,
                             actor=OPERATOR, office="35.17", serial=str(3517170001 + i),
                             card_id=card) for i in range(CONSIGNMENT)]
    started = time.perf_counter()
    store.save(*events)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


RAW_SCRIPT = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA journal_mode=WAL")
connection.execute("PRAGMA synchronous=FULL")
connection.execute("CREATE TABLE blanks (serial TEXT PRIMARY KEY, state TEXT, bast TEXT)")
connection.execute("BEGIN")
connection.executemany("INSERT INTO blanks VALUES (?, ?, ?)",
                       ((str(3517170001 + i), "IN_STOCK", "BAST/045/XI/2017") for i in range(40000)))
connection.execute("COMMIT")
"""


def _cli_receive(workdir: Path, n: int) -> float:
    url = f"sqlite:///{workdir / f'cli-{n}.db'}"
    _founded_by_me(url)  # as `ektp db init --head`, before the timed command
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("EKTP_")},
           "EKTP_AS": "operator", "EKTP_DATABASE_URL": url}
    return wall_time([str(VENV_BIN / "ektp"), "blanks", "receive", "--bast", "BAST/045/XI/2017",
                      "--source", "ministry", "--range", f"3517170001-{3517170000 + CONSIGNMENT}"],
                     env=env)


def _founded_by_me(url: str) -> None:
    """A new office whose head, and operator, is the OS user running the benchmark."""
    from ektp.adapters.identity import os_login
    from ektp.entrypoints.composition import open_office

    me = os_login() or "root"
    with open_office(url) as office:
        office.staff.found(Actor(me, Role.HEAD), me)
        office.staff.grant(Actor(me, Role.HEAD), me, Role.OPERATOR)


def _raw_process(workdir: Path, n: int) -> float:
    return wall_time([sys.executable, "-c", RAW_SCRIPT, str(workdir / f"raw-process-{n}.db")])


# --- 2. allocation cost -------------------------------------------------------------------
def _ready_cards(office: Office, first: int, count: int) -> list[str]:
    cards = []
    for n in range(first, first + count):
        nik = f"3517091203{85 - n // 9999 % 60:02d}{n % 9999 + 1:04d}"
        card = str(office.request_card(OPERATOR, nik=nik, name="Warga Uji", kk="3517090101100001",
                                       village="35.17.09.2018").id)
        office.confirm_print_readiness(OPERATOR, card)
        cards.append(card)
    return cards


def _prepare(path: Path, consignments: int, size: int, history: int, cards: int,
             snapshots: bool = True) -> tuple[Office, list[str]]:
    office = _office(path, snapshots)
    for k in range(consignments):  # apart from each other: each stays its own interval
        first = 3517000000 + k * 2 * size
        office.receive_blanks(OPERATOR, bast=f"BAST/{k}", source="ministry",
                              ranges=[f"{first}-{first + size - 1}"])
    for card in _ready_cards(office, 1, history):  # earlier work: allocated and printed
        office.allocate_blank(OPERATOR, card)
        office.record_printed(OPERATOR, card)
    return office, _ready_cards(office, history + 1, cards)


def _allocations(office: Office, cards: list[str], per_round: int, cold: bool) -> Callable[[], float]:
    pending = iter(cards)

    def one_round() -> float:
        batch = [next(pending) for _ in range(per_round)]
        started = time.perf_counter()
        for card in batch:
            if cold:
                office.store.forget()  # as a fresh CLI process: card and ledger from the file
            office.allocate_blank(OPERATOR, card)
        return (time.perf_counter() - started) / per_round

    return one_round


def run(rounds: int = 5, per_round: int = 20, history: int = 1500) -> dict[str, float]:
    """Measure; print and return the figures (its files, some 90 MB, are removed after)."""
    workdir = Path(tempfile.mkdtemp(prefix="ektp-blanks-bench-"))
    try:
        return _measure(workdir, rounds, per_round, history)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _measure(workdir: Path, rounds: int, per_round: int, history: int) -> dict[str, float]:
    counter = iter(range(10**6))

    seconds = interleaved({
        "office": lambda: _receive_through_office(workdir, next(counter)),
        "raw": lambda: _raw_sqlite_rows(workdir, next(counter)),
        "per-serial": lambda: _per_serial_events(workdir, next(counter)),
    }, rounds)
    office_s, raw_s, per_serial_s = (median(seconds[k]) for k in ("office", "raw", "per-serial"))
    report(f"receiving {CONSIGNMENT:,} serials in one command, median of {rounds}", [
        ("ektp receive_blanks (one range, one event)", f"{office_s * 1000:.1f} ms"),
        ("raw sqlite3: 40,000 rows, one transaction", f"{raw_s * 1000:.1f} ms"),
        ("ratio ektp / raw sqlite3", f"{office_s / raw_s:.3f}x"),
        ("per-serial aggregates: 40,000 events, one save", f"{per_serial_s * 1000:.1f} ms"
                                                           f"  = {per_serial_s / raw_s:.2f}x raw"),
    ])

    processes = interleaved({
        "cli": lambda: _cli_receive(workdir, next(counter)),
        "raw": lambda: _raw_process(workdir, next(counter)),
    }, rounds)
    cli_s, raw_process_s = median(processes["cli"]), median(processes["raw"])
    report(f"the same as whole processes (wall time, start-up included), median of {rounds}", [
        ("ektp blanks receive --range FROM-TO", f"{cli_s * 1000:.0f} ms"),
        ("python -c '<the raw sqlite3 insert>'", f"{raw_process_s * 1000:.0f} ms"),
        ("ratio", f"{cli_s / raw_process_s:.2f}x"),
    ])

    cards = rounds * per_round * 2 + per_round
    small, small_cards = _prepare(workdir / "small.db", 1, 1_000, 0, cards)
    large, large_cards = _prepare(workdir / "large.db", 100, 1_000, 0, cards)
    aged, aged_cards = _prepare(workdir / "aged.db", 100, 1_000, history, cards)
    nosnap, nosnap_cards = _prepare(workdir / "nosnap.db", 100, 1_000, history, cards,
                                    snapshots=False)
    split = rounds * per_round
    timed = interleaved({
        "1k warm": _allocations(small, small_cards[:split], per_round, cold=False),
        "100k warm": _allocations(large, large_cards[:split], per_round, cold=False),
        "1k cold": _allocations(small, small_cards[split:], per_round, cold=True),
        "100k cold": _allocations(large, large_cards[split:], per_round, cold=True),
        "100k+history cold": _allocations(aged, aged_cards[split:], per_round, cold=True),
        "no snapshots cold": _allocations(nosnap, nosnap_cards[split:], per_round, cold=True),
    }, rounds)
    m = {name: median(values) for name, values in timed.items()}
    ledger_events = aged.blank_ledger().version
    for office in (small, large, aged, nosnap):
        office.close()
    warm_ratio, cold_ratio = m["100k warm"] / m["1k warm"], m["100k cold"] / m["1k cold"]
    aged_ratio = m["100k+history cold"] / m["1k cold"]
    report(f"allocating one blank to a card (card + ledger, one save), median of {rounds} x {per_round}", [
        ("1,000 received, warm", f"{m['1k warm'] * 1000:.2f} ms"),
        ("100,000 received (100 consignments), warm",
         f"{m['100k warm'] * 1000:.2f} ms  = {warm_ratio:.2f}x  (target <= 1.5x)"),
        ("1,000 received, cold (loaded from the file)", f"{m['1k cold'] * 1000:.2f} ms"),
        ("100,000 received, cold",
         f"{m['100k cold'] * 1000:.2f} ms  = {cold_ratio:.2f}x  (target <= 1.5x)"),
        (f"100,000 received + {ledger_events:,} ledger events, cold",
         f"{m['100k+history cold'] * 1000:.2f} ms  = {aged_ratio:.2f}x"),
        ("  the same without snapshots, cold",
         f"{m['no snapshots cold'] * 1000:.2f} ms  = {m['no snapshots cold'] / m['1k cold']:.2f}x"),
    ])
    return {"receive_ratio": office_s / raw_s, "receive_process_ratio": cli_s / raw_process_s,
            "warm_ratio": warm_ratio, "cold_ratio": cold_ratio,
            "aged_ratio": aged_ratio}


if __name__ == "__main__":
    run()
