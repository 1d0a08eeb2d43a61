"""Issue 5: projection catch-up against reading and decoding the same events from
the notification log alone (100,000 events); and card lists and the backlog report
on 200,000 cards against the same queries in raw SQL through the driver."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from harness import VENV_BIN, interleaved, median, report, wall_time

from ektp.adapters.database_url import DatabaseUrl
from ektp.domain.actor import Actor, Role
from ektp.domain.card import events as ev
from ektp.entrypoints.composition import open_office

ACTOR = Actor("op.bench", Role.OPERATOR)
T0 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
VILLAGES = [f"35.17.{k:02d}.{2000 + v}" for k in range(1, 22) for v in range(1, 15)]


def card_events(n: int, per_card: int, rng: random.Random) -> Iterator[ev.CardEvent]:
    """Card number `n`'s well-formed history, built directly (no decide: this measures reading)."""
    card_id = uuid.UUID(int=rng.getrandbits(128))
    at = T0 + dt.timedelta(minutes=n * 3 + rng.randrange(3))
    base = {"originator_id": card_id, "actor": ACTOR, "office": "35.17"}
    village = VILLAGES[n % len(VILLAGES)]
    steps: list[ev.CardEvent] = [ev.Requested(
        **base, originator_version=1, timestamp=at, nik=f"351709120385{n % 9999 + 1:04d}",
        name="Warga Uji", kk="3517090101100001", village=village, rt="001", rw="002",
        reason="new", evidence=None, channel="office")]
    more = [
        lambda v, t: ev.PrintReadinessConfirmed(**base, originator_version=v, timestamp=t, prr_reference=None),
        lambda v, t: ev.BlankAllocated(**base, originator_version=v, timestamp=t, serial=f"{n:010d}"),
        lambda v, t: ev.Printed(**base, originator_version=v, timestamp=t, serial=f"{n:010d}", station="s"),
        lambda v, t: ev.Dispatched(**base, originator_version=v, timestamp=t, courier="kurir"),
    ]
    for version, make in enumerate(more[: per_card - 1], start=2):
        steps.append(make(version, at + dt.timedelta(hours=version)))
    yield from steps


def fill(url: str, cards: int, per_card: int | Callable[[int], int]) -> int:
    """Store the events of `cards` cards in big batches; return the event count."""
    rng = random.Random(7)
    with open_office(url) as office:
        store = office._store
        batch: list[ev.CardEvent] = []
        total = 0
        for n in range(cards):
            k = per_card(n) if callable(per_card) else per_card
            batch.extend(card_events(n, k, rng))  # one card at a time keeps memory flat
            if len(batch) >= 5000:
                store.events.put(batch)
                total += len(batch)
                batch = []
        if batch:
            store.events.put(batch)
            total += len(batch)
    return total


def catch_up_ratio(backend: str, url: str, rounds: int) -> float:
    """Print catch-up and read+decode rates over the same events; return the ratio."""
    events = fill(url, 20_000, 5)
    with open_office(url) as office:
        store = office._store

        def read_and_decode() -> float:
            started = time.perf_counter()
            position, seen = 0, 0
            while True:
                page = store.recorder.select_notifications(start=position, limit=2000,
                                                           inclusive_of_start=False)
                if not page:
                    break
                for notification in page:
                    store.mapper.to_domain_event(notification)
                seen += len(page)
                position = page[-1].id
            assert seen == events
            return time.perf_counter() - started

        def rebuild() -> float:
            started = time.perf_counter()
            assert office.rebuild_read_models() == events
            return time.perf_counter() - started

        office.read_models.ensure_schema()
        seconds = interleaved({"read": read_and_decode, "project": rebuild}, rounds)
    read_rate = events / median(seconds["read"])
    project_rate = events / median(seconds["project"])
    report(f"projection catch-up on {backend}, {events:,} events, median of {rounds}", [
        ("read + decode the notification log", f"{read_rate:,.0f} events/s"),
        ("catch up every read model from zero", f"{project_rate:,.0f} events/s"),
        ("ratio catch-up / read+decode", f"{project_rate / read_rate:.2f}x  (target >= 0.25x)"),
    ])
    return project_rate / read_rate


RAW_LIST = ("SELECT * FROM card_status WHERE village = {p} ORDER BY requested_at, card_id")
RAW_BACKLOG = (
    "SELECT kecamatan, status, CASE WHEN requested_at >= {p} THEN '0-7 days' "
    "WHEN requested_at >= {p} THEN '8-30 days' WHEN requested_at >= {p} THEN '31-90 days' "
    "ELSE 'over 90 days' END AS band, count(*), min(requested_at) FROM card_status "
    "WHERE status IN ('REQUESTED','READY_TO_PRINT','BLANK_ALLOCATED','PRINTED','DISPATCHED',"
    "'RETURNED','UNCOLLECTED') GROUP BY kecamatan, status, band ORDER BY min(requested_at), kecamatan, status"
)


def raw_connection(url: str) -> object:
    """A driver connection (sqlite3 or psycopg) to the database `url` names."""
    parsed = DatabaseUrl.parse(url)
    if parsed.kind == "sqlite":
        import sqlite3

        return sqlite3.connect(parsed.path)
    import psycopg

    return psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.user, dbname=parsed.dbname)


def timed(call: Callable[[], object]) -> Callable[[], float]:
    """A measurement of one `call`, which must return something truthy."""
    def go() -> float:
        started = time.perf_counter()
        assert call()
        return time.perf_counter() - started
    return go


def queries_on_many_cards(backend: str, url: str, rounds: int) -> dict[str, float]:
    """List one village and the backlog on 200,000 cards: ektp vs raw SQL."""
    fill(url, 200_000, lambda n: 1 + n % 3)
    village = VILLAGES[5]
    with open_office(url) as office:
        started = time.perf_counter()
        office.catch_up_read_models()
        initial = time.perf_counter() - started
        now = dt.datetime.now(dt.timezone.utc)
        connection = raw_connection(url)
        p = "?" if DatabaseUrl.parse(url).kind == "sqlite" else "%s"
        naive = now.replace(tzinfo=None)
        bands = [naive - dt.timedelta(days=d) for d in (7, 30, 90)]

        def raw(sql: str, params: list[object]) -> Callable[[], float]:
            def go() -> float:
                started = time.perf_counter()
                cursor = connection.cursor()  # type: ignore[attr-defined]
                cursor.execute(sql.format(p=p), params)
                rows = cursor.fetchall()
                assert rows
                return time.perf_counter() - started
            return go

        seconds = interleaved({
            "list": timed(lambda: office.list_cards(village=village)),
            "raw list": raw(RAW_LIST, [village]),
            "backlog": timed(office.backlog_report),
            "raw backlog": raw(RAW_BACKLOG, bands),
        }, rounds)
        rows = len(office.list_cards(village=village))
    env = {**os.environ, "EKTP_DATABASE_URL": url}
    ektp = str(VENV_BIN / "ektp")
    raw_script = (
        "import sys; sys.path.insert(0, %r); from bench_read_models import raw_connection, RAW_LIST;"
        "c = raw_connection(%r); cur = c.cursor(); cur.execute(RAW_LIST.format(p=%r), [%r]);"
        "[print(r) for r in cur.fetchall()]" % (str(Path(__file__).parent), url,
                                                 "?" if "sqlite" in url else "%s", village)
    )
    process_seconds = interleaved({
        "ektp card list --village": lambda: wall_time([ektp, "card", "list", "--village", village], env=env),
        "ektp report backlog": lambda: wall_time([ektp, "report", "backlog"], env=env),
        "raw list process": lambda: wall_time([sys.executable, "-c", raw_script]),
    }, rounds)
    m = {k: median(v) for k, v in {**seconds, **process_seconds}.items()}
    report(f"queries on 200,000 cards, {backend}, median of {rounds}", [
        ("first catch-up (200,000 cards, ~400,000 events)", f"{initial:.1f} s"),
        (f"list one village ({rows} cards), in process", f"{m['list'] * 1000:.1f} ms vs raw SQL "
         f"{m['raw list'] * 1000:.1f} ms = {m['list'] / m['raw list']:.1f}x"),
        ("backlog report, in process", f"{m['backlog'] * 1000:.1f} ms vs raw SQL "
         f"{m['raw backlog'] * 1000:.1f} ms = {m['backlog'] / m['raw backlog']:.1f}x"),
        ("ektp card list --village (whole process)", f"{m['ektp card list --village'] * 1000:.0f} ms vs raw "
         f"SQL process {m['raw list process'] * 1000:.0f} ms = "
         f"{m['ektp card list --village'] / m['raw list process']:.1f}x"),
        ("ektp report backlog (whole process)", f"{m['ektp report backlog'] * 1000:.0f} ms"),
    ])
    return m


def delivery_report_speed(backend: str, url: str, rounds: int) -> dict[str, float]:
    """`report delivery` from the delivery_facts read model vs folding the whole event log."""
    from ektp.application.reports.delivery import fold_delivery

    events = fill(url, 50_000, 5)  # every card dispatched: 50,000 delivery facts
    with open_office(url) as office:
        office.catch_up_read_models()
        zone = office.config.timezone
        one_day = (T0 + dt.timedelta(days=50)).astimezone(zone).date()

        seconds = interleaved({
            "whole, read model": timed(lambda: office.delivery_report().total.dispatched),
            "whole, event fold": timed(lambda: fold_delivery(
                (r.event for r in office.events_since()), timezone=zone).total.dispatched),
            "one day, read model": timed(
                lambda: office.delivery_report(one_day, one_day).total.dispatched),
        }, rounds)
    m = {k: median(v) for k, v in seconds.items()}
    report(f"report delivery on {backend}, 50,000 dispatched cards ({events:,} events), "
           f"median of {rounds}", [
        ("whole history from the read model", f"{m['whole, read model'] * 1000:.0f} ms"),
        ("whole history by folding the event log", f"{m['whole, event fold'] * 1000:.0f} ms = "
         f"{m['whole, event fold'] / m['whole, read model']:.1f}x the read model"),
        ("one day from the read model", f"{m['one day, read model'] * 1000:.1f} ms"),
    ])
    return m


def run(rounds: int = 3) -> None:
    """SQLite and PostgreSQL."""
    from pg_server import postgres_databases

    workdir = Path(tempfile.mkdtemp(prefix="ektp-bench-rm-"))
    catch_up_ratio("SQLite", f"sqlite:///{workdir / 'catch-up.db'}", rounds)
    queries_on_many_cards("SQLite", f"sqlite:///{workdir / 'many.db'}", rounds)
    delivery_report_speed("SQLite", f"sqlite:///{workdir / 'delivery.db'}", rounds)
    with postgres_databases() as new_database:
        catch_up_ratio("PostgreSQL", new_database(), rounds)
        queries_on_many_cards("PostgreSQL", new_database(), rounds)


if __name__ == "__main__":
    run()
