"""Issue 6: audit export and verify rates over 1,000,000 events, each as a ratio to
reading and decoding the same events from the store alone; and the peak memory of
export and of verify at 1,000,000 events against 100,000 (streaming: at most 1.2x).

How the events are made: going through `Office` would take hours here, so each
card's history is decided by the domain's own `decide` (valid by construction:
request, print readiness, blank, sometimes a spoiled print and a second blank,
print, dispatch, sometimes a failed attempt or a return and an office hand-over,
hand-over; plus the NIK register's claim and release), encoded by the store's
own mapper and inserted with the store's recorder in batches of 20,000, one
transaction each. Cards advance in waves of 1,000, so their events interleave
in the store as a busy office's do.

Every measured run is a child process (``python bench_audit.py --child KIND DB OUT``)
that reports its time and its peak RSS (``VmHWM``, see `peak_rss_kib`); the three kinds run
interleaved, rounds rotating their order. The children call the same application
functions as ``ektp audit export`` and ``ektp audit verify`` (pseudonymised,
unsigned, the bounded stream-version map), without click.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

sys.path.insert(0, str(Path(__file__).parent))

from harness import interleaved, median, report  # noqa: E402

KEY = bytes(range(32))
WAVE = 1000
BATCH = 20_000


def _nik(n: int) -> str:
    k = n // 9999
    return f"351709{k % 28 + 1:02d}{k // 28 % 12 + 1:02d}{60 + k // 336 % 40:02d}{n % 9999 + 1:04d}"


def generate(db: Path, card_events: int) -> tuple[int, int]:
    """Fill a new SQLite store with about `card_events` card events; return (card events, stored)."""
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.adapters.event_store.store import open_event_store
    from ektp.domain import open_requests
    from ektp.domain.actor import Actor, Role
    from ektp.domain.address import VillageCode
    from ektp.domain.card import commands as cmd
    from ektp.domain.card.decide import decide
    from ektp.domain.card.recipient import Recipient
    from ektp.domain.card.state import project
    from ektp.domain.card.vocabulary import (
        AttemptFailureReason,
        HandOverPlace,
        PrintFailureReason,
        Verification,
    )
    from ektp.domain.nik import KkNumber, Nik

    operator, courier = Actor("op.bench", Role.OPERATOR), Actor("kurir.bench", Role.COURIER)
    village, kk = VillageCode.parse("35.17.09.2018"), KkNumber.parse("3517090101100001")
    store = open_event_store(DatabaseUrl.parse(f"sqlite:///{db}"), audit_key=KEY)
    mapper, recorder = store.mapper, store.recorder
    clock = [dt.datetime(2017, 11, 6, tzinfo=dt.timezone.utc)]
    pending: list[Any] = []
    made = stored = 0

    def now() -> dt.datetime:
        clock[0] += dt.timedelta(seconds=1)
        return clock[0]

    def flush() -> None:
        nonlocal stored
        # The domain events go with them, as ektp's own writes pass them: the journal's
        # leaves are computed from them, in the same transaction.
        recorder.insert_events([mapper.to_stored_event(e) for e in pending], events=list(pending))
        stored += len(pending)
        pending.clear()

    def plan(n: int, card_id: UUID) -> list[Any]:
        def base(actor: Actor = operator) -> dict[str, Any]:
            return {"actor": actor, "office": "35.17"}

        steps: list[Any] = [
            lambda: cmd.RequestCard(**base(), at=now(), card_id=card_id, nik=Nik(_nik(n)),
                                    name="Warga Uji Coba", kk=kk, village=village, rt="001", rw="002"),
            lambda: cmd.ConfirmPrintReadiness(**base(), at=now(), reference=f"PRR-{n}"),
            lambda: cmd.AllocateBlank(**base(), at=now(), serial=f"{3517000000 + 2 * n}"),
        ]
        if n % 5 == 0:
            steps += [lambda: cmd.RecordPrintFailure(**base(), at=now(), reason=PrintFailureReason.CHIP_NOT_ENCODED),
                      lambda: cmd.AllocateBlank(**base(), at=now(), serial=f"{3517000001 + 2 * n}")]
        steps += [lambda: cmd.RecordPrinted(**base(), at=now(), station="cetak-1"),
                  lambda: cmd.Dispatch(**base(), at=now(), courier="kurir.bench")]
        place = HandOverPlace.DOOR
        if n % 4 == 0:
            steps.append(lambda: cmd.RecordFailedAttempt(**base(courier), at=now(),
                                                         reason=AttemptFailureReason.NOT_AT_HOME))
        if n % 12 == 0:
            steps.append(lambda: cmd.ReturnToOffice(**base(), at=now(), reason="nobody at home"))
            place = HandOverPlace.OFFICE
        steps.append(lambda: cmd.HandOver(**base(courier if place is HandOverPlace.DOOR else operator),
                                          at=now(), recipient=Recipient.owner(),
                                          verified_by=Verification.KTP, place=place))
        return steps

    n = 0
    try:
        while made < card_events:
            wave = [(n + i, uuid4()) for i in range(WAVE)]
            n += WAVE
            plans = [plan(i, card_id) for i, card_id in wave]
            states: list[Any] = [None] * WAVE
            registers: list[Any] = [None] * WAVE
            for step in range(max(len(p) for p in plans)):
                for i, steps in enumerate(plans):
                    if step >= len(steps):
                        continue
                    command = steps[step]()
                    events = decide(states[i], command)
                    states[i] = project(states[i], events)
                    pending.extend(events)
                    made += len(events)
                    if step == 0:
                        nik = command.nik
                        registers[i] = open_requests.claim(
                            None, open_requests.legacy_register_id(nik), command.card_id, nik.masked,
                            operator, command.at, "35.17")
                        pending.append(registers[i])
                    elif not states[i].is_open:
                        register = open_requests.project(None, [registers[i]])
                        assert register is not None
                        released = open_requests.release(register, states[i].id, command.actor,
                                                         command.at, "35.17")
                        if released is not None:
                            pending.append(released)
                    if len(pending) >= BATCH:
                        flush()
        flush()
    finally:
        store.close()
    return made, stored


# --- the children ---------------------------------------------------------------
def child(kind: str, db: str, out: str) -> dict[str, float]:
    """One measured run in this process: read, export or verify."""
    from ektp.adapters.audit.files import DirectorySink, DirectorySource
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.adapters.event_store.store import open_event_store
    from ektp.adapters.audit.spilling_versions import SpillingStreamVersions
    from ektp.application.audit.export import export_history
    from ektp.application.audit.journal import LeafForm
    from ektp.application.audit.personal import Pseudonymiser
    from ektp.application.audit.verify import verify_export

    started = time.perf_counter()
    count = 0
    if kind == "verify":
        versions = SpillingStreamVersions()
        count = verify_export(DirectorySource(out), versions).manifest.count
        versions.close()
    else:
        store = open_event_store(DatabaseUrl.parse(f"sqlite:///{db}"), must_exist=True, audit_key=KEY)
        if kind == "read":
            count = read_and_decode(store)
        else:
            shutil.rmtree(out, ignore_errors=True)
            from ektp.application.kernel.store import Store

            count = export_history(Store(store), DirectorySink(out), office="35.17",
                                   personal=Pseudonymiser(KEY), leaves=LeafForm(KEY)).count
        store.close()
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "events": count, "peak_mib": peak_rss_kib() / 1024}


def peak_rss_kib() -> int:
    """This process's peak resident set size. Linux keeps ``ru_maxrss`` across exec,
    so a child would report its parent's peak if larger; ``VmHWM`` belongs to the
    child's own address space and starts afresh at exec."""
    try:
        with open("/proc/self/status") as status:
            for row in status:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def read_and_decode(store: Any) -> int:
    """The baseline: page through the notification log and decode every event, exactly
    as the export reads the store, and nothing more."""
    from ektp.application.audit.export import PAGE
    from ektp.application.audit.journal import aggregate_of_topic

    position, count = 0, 0
    mapper = store.mapper
    while True:
        page = store.recorder.select_notifications(start=position, limit=PAGE, inclusive_of_start=False)
        for notification in page:
            aggregate_of_topic(notification.topic)
            mapper.to_domain_event(notification)
            count += 1
        if len(page) < PAGE:
            return count
        position = page[-1].id


def _spawn(kind: str, db: Path, out: Path, results: dict[str, list[dict[str, float]]]) -> float:
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(db), str(out)],
                          check=True, capture_output=True, text=True)
    figures = json.loads(done.stdout)
    results.setdefault(kind, []).append(figures)
    return float(figures["seconds"])


def measure(workdir: Path, events: int, rounds: int) -> dict[str, Any]:
    """Generate `events` card events, then time read / export / verify interleaved."""
    db, out = workdir / f"store-{events}.db", workdir / f"export-{events}"
    started = time.perf_counter()
    made, stored = generate(db, events)
    generated = time.perf_counter() - started
    results: dict[str, list[dict[str, float]]] = {}
    _spawn("export", db, out, {})  # the export the first verify reads (and a warm-up)
    seconds = interleaved({
        "read": lambda: _spawn("read", db, out, results),
        "export": lambda: _spawn("export", db, out, results),
        "verify": lambda: _spawn("verify", db, out, results),
    }, rounds)
    size = (out / "events.jsonl").stat().st_size
    db_size = db.stat().st_size
    db.unlink()
    shutil.rmtree(out)
    return {"events": made, "stored": stored, "generate_s": generated, "seconds": seconds,
            "peak": {k: max(r["peak_mib"] for r in v) for k, v in results.items()},
            "file_mib": size / 2**20, "db_mib": db_size / 2**20}


def run(events: int = 1_000_000, small: int = 100_000, rounds: int = 3) -> dict[str, float]:
    """Measure; print and return the figures."""
    workdir = Path(tempfile.mkdtemp(prefix="ektp-audit-bench-"))
    try:
        big = measure(workdir, events, rounds)
        little = measure(workdir, small, rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    n = big["events"]
    rate = {k: n / median(v) for k, v in big["seconds"].items()}
    peaks = {k: big["peak"][k] / little["peak"][k] for k in ("export", "verify")}
    report(f"audit export and verify, SQLite, {n:,} card events ({big['stored']:,} stored with the "
           f"NIK registers), median of {rounds} interleaved rounds, each a child process", [
        ("generating the store (decide + recorder)", f"{big['generate_s']:.0f} s, {big['db_mib']:.0f} MiB"),
        ("read + decode from the store", f"{rate['read']:,.0f} events/s"),
        ("export (pseudonymised)", f"{rate['export']:,.0f} events/s = {rate['export'] / rate['read']:.2f}x read"),
        ("verify", f"{rate['verify']:,.0f} events/s = {rate['verify'] / rate['read']:.2f}x read"),
        ("events.jsonl size", f"{big['file_mib']:.0f} MiB"),
        (f"peak RSS read   {little['events']:,} -> {n:,}",
         f"{little['peak']['read']:.1f} -> {big['peak']['read']:.1f} MiB"),
        (f"peak RSS export {little['events']:,} -> {n:,}",
         f"{little['peak']['export']:.1f} -> {big['peak']['export']:.1f} MiB = {peaks['export']:.2f}x  (target <= 1.2x)"),
        (f"peak RSS verify {little['events']:,} -> {n:,}",
         f"{little['peak']['verify']:.1f} -> {big['peak']['verify']:.1f} MiB = {peaks['verify']:.2f}x  (target <= 1.2x)"),
    ])
    return {"export_ratio": rate["export"] / rate["read"], "verify_ratio": rate["verify"] / rate["read"],
            "export_peak_ratio": peaks["export"], "verify_peak_ratio": peaks["verify"]}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(*sys.argv[2:5])))
    else:
        size = int(os.environ.get("EKTP_BENCH_AUDIT_EVENTS", "1000000"))
        run(events=size, small=max(size // 10, 1000))
