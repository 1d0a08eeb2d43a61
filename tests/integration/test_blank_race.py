"""Two OS processes allocating blanks at the same moment on one SQLite file: no
serial ever goes to two cards; a loser retries on the fresh ledger or is told
clearly (exit code 4's `LedgerBusy`), and the ledger still reconciles."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from testkit.people import JABON, kk_for, make_nik
from testkit.staff import me, staff_store

from ektp.domain.actor import Actor, Role

from ektp.application.office import Office
from ektp.entrypoints.composition import open_office

# Opens the office first (imports done, ledger cached), says it is ready, waits
# for the go-file, then allocates a blank to each of its cards as fast as it can.
RACER = """
import os, sys, time
from ektp.entrypoints.composition import open_office
from ektp.adapters.identity import os_login
from ektp.domain.actor import Actor
from ektp.domain.errors import DomainError
url, go, ready, serial, *cards = sys.argv[1:]
office = open_office(url)
office.blank_ledger()
actor = Actor(os_login(), "operator")
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.0005)
for card in cards:
    try:
        view = office.allocate_blank(actor, card, None if serial == "-" else serial)
        print("OK", card, view.blank_serial, flush=True)
    except DomainError as refused:
        print("REFUSED", card, refused.code, flush=True)
"""


# Every racer is a process of the OS user running the tests, an operator in the register.
OPERATOR = Actor(me(), Role.OPERATOR)


def _cards(office: Office, first: int, count: int) -> list[str]:
    cards = []
    for n in range(first, first + count):
        nik = make_nik(serial=n)
        card = str(office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik), village=JABON).id)
        office.confirm_print_readiness(OPERATOR, card)
        cards.append(card)
    return cards


def _race(tmp_path: Path, url: str, name: str, serial: str, *card_lists: list[str]) -> list[list[str]]:
    go = tmp_path / f"go-{name}"
    readies = [tmp_path / f"ready-{name}-{i}" for i in range(len(card_lists))]
    racers = [subprocess.Popen([sys.executable, "-c", RACER, url, str(go), str(ready), serial, *cards],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for ready, cards in zip(readies, card_lists)]
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in readies) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    lines = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        lines += [line.split() for line in out.splitlines()]
    return lines


def test_two_processes_taking_the_next_serial_never_share_one(tmp_path: Path) -> None:
    url = staff_store(f"sqlite:///{tmp_path / 'race.db'}")
    per_process, rounds = 12, 5
    with open_office(url) as office:
        office.receive_blanks(OPERATOR, bast="BAST/RACE", source="ministry",
                              ranges=["3517170001-3517170200"])
        card_sets = [_cards(office, 1 + k * per_process, per_process) for k in range(2 * rounds)]
    outcomes: list[list[str]] = []
    for r in range(rounds):
        outcomes += _race(tmp_path, url, f"next-{r}", "-", card_sets[2 * r], card_sets[2 * r + 1])
    won = {card: serial for verdict, card, serial in outcomes if verdict == "OK"}
    refused = [code for verdict, _, code in outcomes if verdict == "REFUSED"]
    assert set(refused) <= {"LedgerBusy"}, refused  # a clear conflict is the only acceptable refusal
    assert len(won) + len(refused) == 2 * rounds * per_process
    assert len(set(won.values())) == len(won), "a serial was allocated to two cards"
    with open_office(url) as office:
        ledger = office.blank_ledger()
        assert {s: str(c) for s, c in ledger.allocated.items()} == {s: c for c, s in won.items()}
        for card, serial in won.items():
            assert office.card(card).blank_serial == serial
        assert office.reconcile_blanks().clean
        assert ledger.in_stock.count == 200 - len(won)


def test_two_processes_naming_the_same_serial_exactly_one_gets_it(tmp_path: Path) -> None:
    url = staff_store(f"sqlite:///{tmp_path / 'same.db'}")
    rounds = 8
    with open_office(url) as office:
        office.receive_blanks(OPERATOR, bast="BAST/RACE", source="ministry",
                              ranges=["3517170001-3517170020"])
        pairs = [_cards(office, 1 + 2 * r, 2) for r in range(rounds)]
    for r, (a, b) in enumerate(pairs):
        serial = f"35171700{r + 1:02d}"
        outcomes = _race(tmp_path, url, f"same-{r}", serial, [a], [b])
        verdicts = sorted(o[0] for o in outcomes)
        assert verdicts == ["OK", "REFUSED"], outcomes
        (loser,) = [o for o in outcomes if o[0] == "REFUSED"]
        assert loser[2] in {"BlankNotAvailable", "LedgerBusy"}
    with open_office(url) as office:
        assert len(office.blank_ledger().allocated) == rounds
        assert office.reconcile_blanks().clean
