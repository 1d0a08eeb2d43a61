"""Two heads of office, in two OS processes, each revoking the other's head role at the
same moment (or each stepping down themselves), round after round, on SQLite and
PostgreSQL: whatever the timing, the office is never left without an active head, and at
most one of the two revocations stands."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from testkit.people import HEAD, OPERATOR, STAFF
from testkit.staff import staffed_office

from ektp.domain.actor import Actor, Role

WAKIL = Actor("wakil", Role.HEAD)
CREW = (*STAFF, (WAKIL, "Wakil Kepala"))

TESTS = str(Path(__file__).resolve().parents[1])
# Opens the office (caches the register), says it is ready, waits for the go-file, revokes.
RACER = """
import os, sys, time
from testkit.staff import SignedIn
from ektp.domain.actor import Actor, Role
from ektp.domain.errors import DomainError
from ektp.entrypoints.composition import open_office
url, go, ready, me, other = sys.argv[1:6]
office = open_office(url, identity=SignedIn([me]))
office.staff.members(Actor(me, Role.HEAD))  # both heads' records and the roster, cached
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.0005)
try:
    office.staff.revoke(Actor(me, Role.HEAD), other, Role.HEAD)
    print("OK")
except DomainError as refused:
    print("REFUSED", refused.code)
"""


@pytest.mark.slow
@pytest.mark.parametrize("whom", ["each other", "themselves"])
def test_two_heads_at_once_never_leave_the_office_headless(
        shared_store_url: str, tmp_path: Path, whom: str) -> None:
    url = shared_store_url
    staffed_office(url, people=CREW).close()  # two heads: kepala and wakil
    env = {**os.environ, "PYTHONPATH": TESTS}
    for round_ in range(6):
        go = tmp_path / f"go-{round_}"
        ready = [tmp_path / f"ready-{round_}-{n}" for n in range(2)]
        pairs = (((HEAD.id, WAKIL.id), (WAKIL.id, HEAD.id)) if whom == "each other" else
                 ((HEAD.id, HEAD.id), (WAKIL.id, WAKIL.id)))
        racers = [subprocess.Popen([sys.executable, "-c", RACER, url, str(go), str(r), me, other],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                  for r, (me, other) in zip(ready, pairs)]
        deadline = time.monotonic() + 60
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
        outcomes = []
        for racer in racers:
            out, err = racer.communicate(timeout=120)
            assert racer.returncode == 0, err
            outcomes.append(out.split())
        assert [o[0] for o in outcomes].count("OK") <= 1, outcomes
        assert all(o[0] == "OK" or o[1] in {"LastHead", "RoleNotGranted", "NoRoleHeld",
                                            "LedgerBusy", "ConcurrentChange"} for o in outcomes), outcomes
        with staffed_office(url, people=CREW) as office:
            # The members' own records, read fresh: never zero active heads, and the roster agrees.
            heads = {login for login in (HEAD.id, WAKIL.id)
                     if "head" in office.staff.member(OPERATOR, login).roles}
            roster = office.staff.roster()
            assert heads, outcomes
            assert roster is not None and roster.heads == heads, outcomes
            assert len(heads) == 2 - [o[0] for o in outcomes].count("OK")
            # The head who is left gives the role back, for the next round.
            remaining = Actor(sorted(roster.heads)[0], Role.HEAD)
            for login in {HEAD.id, WAKIL.id} - set(roster.heads):
                office.staff.grant(remaining, login, Role.HEAD)
