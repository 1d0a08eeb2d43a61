"""Two OS processes racing on one SQLite file; acknowledged commands survive SIGKILL;
the file is opened power-safe (WAL, synchronous=FULL)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from testkit.people import kk_for, make_nik
from testkit.staff import me, staff_store

from ektp.domain.actor import Actor, Role

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.store import open_event_store
from ektp.entrypoints.composition import open_office

# Opens the office first (imports done), waits for the go-file, then requests.
RACER = """
import os, sys, time
from ektp.entrypoints.composition import open_office
from ektp.adapters.identity import os_login
from ektp.domain.actor import Actor
from ektp.domain.errors import DomainError
url, go, nik, kk = sys.argv[1:5]
office = open_office(url)
office.card_history  # warm
while not os.path.exists(go):
    time.sleep(0.0005)
try:
    card = office.request_card(Actor(os_login(), "operator"), nik=nik,
                               name="Warga", kk=kk, village="35.17.09.2018")
    print("OK", card.id)
except DomainError as refused:
    print("REFUSED", refused.code)
"""


def test_two_processes_requesting_the_same_nik_exactly_one_wins(tmp_path: Path) -> None:
    url = staff_store(f"sqlite:///{tmp_path / 'race.db'}")  # the OS user: head and operator
    for round_ in range(8):
        nik = make_nik(serial=100 + round_)
        go = tmp_path / f"go-{round_}"
        racers = [subprocess.Popen([sys.executable, "-c", RACER, url, str(go), nik, kk_for(nik)],
                                   stdout=subprocess.PIPE, text=True) for _ in range(2)]
        time.sleep(0.8)  # both are waiting at the barrier
        go.touch()
        outcomes = sorted(p.communicate(timeout=60)[0].split()[0] for p in racers)
        assert outcomes == ["OK", "REFUSED"], outcomes
        with open_office(url) as office:
            open_cards = [c for c in office.list_cards() if office.card(c.id, Actor(me(), Role.OPERATOR), full=True).nik == nik]
            assert len(open_cards) == 1


def test_the_store_is_opened_with_wal_and_synchronous_full(tmp_path: Path) -> None:
    store = open_event_store(DatabaseUrl.parse(f"sqlite:///{tmp_path / 'x.db'}"))
    try:
        with store.factory.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        store.close()


WRITER = """
import sys
from ektp.entrypoints.composition import open_office
from ektp.adapters.identity import os_login
from ektp.domain.actor import Actor
office = open_office(sys.argv[1])
actor = Actor(os_login(), "operator")
for n in range(1, 10000):
    nik = f"351709120385{n:04d}"
    card = office.request_card(actor, nik=nik, name="Warga", kk="3517090101100001", village="35.17.09.2018")
    print(card.id, flush=True)
"""


def test_acknowledged_commands_survive_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    url = staff_store(f"sqlite:///{db}")
    for attempt in range(3):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, url] if attempt == 0 else
                                  [sys.executable, "-c", WRITER.replace("range(1,", f"range({attempt * 3000},"), url],
                                  stdout=subprocess.PIPE, text=True)
        acknowledged: list[str] = []
        assert writer.stdout is not None
        deadline = time.monotonic() + 0.5 + 0.3 * attempt
        while time.monotonic() < deadline:
            line = writer.stdout.readline()
            if line:
                acknowledged.append(line.strip())
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        assert acknowledged, "the writer acknowledged nothing before the kill"
        with open_office(url) as office:
            for card_id in acknowledged:
                view = office.card(card_id)
                assert view.version == 1
        with sqlite3.connect(db) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
