"""Programs that close an office while other threads use it, run as separate OS
processes (a segmentation fault must fail a test, not kill pytest).

By hand::

    .venv/bin/python tests/testkit/close_race.py readers sqlite:///tmp/x.db 3 200
    .venv/bin/python tests/testkit/close_race.py readers postgresql://... 3 200

    .venv/bin/python tests/testkit/close_race.py stress sqlite:///tmp/y.db 200

`readers URL THREADS ROUNDS` is the issue's reproduction: THREADS threads call
`office.events_since(0)` in a loop while the main thread closes the office;
ROUNDS times, each on a freshly opened office. It prints one JSON line per
round (what each thread ended with) and exits 0; a crash kills the process
with a signal instead.

`stress URL ROUNDS` runs writers, readers, a read-model reader and a follower
on threads and closes the office at a random moment, ROUNDS times; then it
checks every acknowledged write against the store and prints one JSON summary.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from testkit.people import OPERATOR, kk_for, make_nik


def seed(url: str, cards: int = 20) -> None:
    """A store with a few cards in it, so every `events_since` reads a page."""
    from testkit.staff import staffed_office

    with staffed_office(url) as office:
        if office.last_position():
            return
        for serial in range(1, cards + 1):
            nik = make_nik(serial=serial)
            office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                village="35.17.09.2018")


def readers(url: str, threads_text: str = "3", rounds_text: str = "1",
            pause_text: str = "0.02") -> None:
    """THREADS threads read the whole feed in a loop; the main thread closes the
    office after `pause` seconds. One JSON line per round: each thread's outcome."""
    from testkit.staff import staffed_office

    seed(url)
    for _ in range(int(rounds_text)):
        office = staffed_office(url)
        outcomes: list[str] = []
        started = threading.Barrier(int(threads_text) + 1)

        def read() -> None:
            started.wait()
            reads = 0
            try:
                while True:
                    for _record in office.events_since(0):
                        pass
                    reads += 1
            except Exception as error:  # noqa: BLE001 - what it ends with is the result
                outcomes.append(type(error).__name__)

        workers = [threading.Thread(target=read) for _ in range(int(threads_text))]
        for worker in workers:
            worker.start()
        started.wait()
        time.sleep(float(pause_text))
        office.close()
        for worker in workers:
            worker.join(timeout=60)
        alive = sum(worker.is_alive() for worker in workers)
        print(json.dumps({"outcomes": dict(Counter(outcomes)), "alive": alive}), flush=True)
        if alive:
            sys.exit(3)


def _ending(error: BaseException) -> str:
    """How a thread's last call ended: `OfficeClosed`, a refusal (an answer, such as
    `LedgerBusy`), or anything else by its class name (never expected)."""
    from ektp.application.errors import OfficeClosed, StoreUnavailable
    from ektp.domain.errors import DomainError

    if isinstance(error, OfficeClosed):
        return "OfficeClosed"
    if isinstance(error, DomainError) and not isinstance(error, StoreUnavailable):
        return "refused"
    return f"unexpected {type(error).__name__}: {error}"


def stress(url: str, rounds_text: str = "200", seed_text: str = "17") -> None:
    """ROUNDS rounds of: open the office, start two writers, a feed reader, a
    read-model reader and a follower, close the office at a random moment, join.

    Every thread runs until a call fails; the summary counts how each ended
    ("OfficeClosed", "refused", "ended" for a follower whose iteration ended, or
    "unexpected ..."), how many acknowledged writes the store lacks afterwards, and
    how many writes that ended with `OfficeClosed` it holds all the same (a write
    either returns, written, or fails with `OfficeClosed`, not written).
    """
    from ektp.domain.actor import Actor, Role
    from testkit.staff import staffed_office

    rng = random.Random(int(seed_text))
    with staffed_office(url) as office:
        office.receive_blanks(OPERATOR, bast="BAST/STRESS", source="ministry",
                              ranges=["3517100001-3517199999"])
    courier = Actor("kurir.stress", Role.COURIER)
    serials = itertools.count(1)
    serial_lock = threading.Lock()
    acknowledged: list[tuple[str, int]] = []  # (card id, version the store acknowledged)
    endings: dict[str, Counter[str]] = {}
    refused: list[tuple[str, str, int]] = []  # writes that ended with OfficeClosed
    stuck = 0
    started = time.monotonic()

    def new_nik() -> str:
        with serial_lock:
            n = next(serials)
        return make_nik(serial=n % 9999 + 1, day=1 + n // 9999)

    for _ in range(int(rounds_text)):
        office = staffed_office(url)
        gate = threading.Barrier(6)

        def writer(role: str) -> str:
            # `pending[role]` is the write in flight: if it ends with OfficeClosed,
            # the store must not hold it.
            while True:
                nik = new_nik()
                pending[role] = ("nik", nik, 0)
                card = office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                           village="35.17.09.2018")
                acknowledged.append((str(card.id), card.version))
                for step in (lambda c: office.confirm_print_readiness(OPERATOR, c),
                             lambda c: office.allocate_blank(OPERATOR, c),
                             lambda c: office.record_printed(OPERATOR, c),
                             lambda c: office.dispatch(OPERATOR, c, "kurir.stress"),
                             lambda c: office.hand_over(courier, c, recipient="owner",
                                                        verified_by="ktp")):
                    pending[role] = ("card", str(card.id), card.version)
                    card = step(card.id)
                    acknowledged.append((str(card.id), card.version))
                pending.pop(role)

        def feed_reader() -> str:
            while True:
                for _record in office.events_since(max(0, office.last_position() - 200)):
                    pass
                if acknowledged:
                    office.card(acknowledged[-1][0])

        def report_reader() -> str:
            while True:
                office.list_cards(status="REQUESTED")

        def follower() -> str:
            for _record in office.follow(max(0, office.last_position() - 200),
                                         poll_seconds=0.005):
                pass
            return "ended"

        roles: dict[str, Callable[[], str]] = {
            "writer": lambda: writer("writer"), "writer-2": lambda: writer("writer-2"),
            "feed": feed_reader, "reports": report_reader, "follower": follower}
        results: dict[str, str] = {}
        pending: dict[str, tuple[str, str, int]] = {}

        def run(role: str, body: Callable[[], str]) -> None:
            gate.wait()
            try:
                results[role] = body()
            except BaseException as error:  # noqa: BLE001 - how it ended is the result
                results[role] = _ending(error)

        threads = [threading.Thread(target=run, args=(role, body)) for role, body in roles.items()]
        for thread in threads:
            thread.start()
        gate.wait()
        time.sleep(rng.uniform(0, 0.08))
        office.close()
        for thread in threads:
            thread.join(timeout=60)
            stuck += thread.is_alive()
        for role, result in results.items():
            endings.setdefault(role.split("-")[0], Counter())[result] += 1
            if result == "OfficeClosed" and role in pending:
                refused.append(pending[role])

    from ektp.domain.errors import NotFound

    lost = written_anyway = 0
    with staffed_office(url) as office:
        for card_id, version in acknowledged:
            if office.store.version_of(_uuid(card_id)) < version:
                lost += 1
        for kind, ref, version in refused:
            if kind == "card":
                written_anyway += office.store.version_of(_uuid(ref)) != version
            else:
                try:
                    office.card(ref)
                except NotFound:
                    continue
                written_anyway += 1
    summary: dict[str, Any] = {
        "rounds": int(rounds_text), "threads_per_round": 5, "stuck_threads": stuck,
        "endings": {role: dict(counts) for role, counts in sorted(endings.items())},
        "acknowledged_writes": len(acknowledged), "lost_writes": lost,
        "writes_ended_by_close": len(refused), "of_which_written": written_anyway,
        "seconds": round(time.monotonic() - started, 1)}
    print(json.dumps(summary), flush=True)


def _uuid(text: str) -> Any:
    from uuid import UUID

    return UUID(text)


if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
