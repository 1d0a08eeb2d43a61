"""The benchmarks' office staff: a host program where they are signed in, and their register.

The benchmarks drive `Office` in process as a host program would: its users
(`op.bench`, `kurir.bench` and the head `kepala.bench`) are authenticated by the
host (`BENCH_HOST`) and enrolled in the office's staff register before timing
starts, so every measured command passes the real door.
"""

from __future__ import annotations

from typing import Any

from ektp.adapters.identity import HostProgram
from ektp.domain.actor import Actor, Role

OPERATOR = Actor("op.bench", Role.OPERATOR)
COURIER = Actor("kurir.bench", Role.COURIER)
HEAD = Actor("kepala.bench", Role.HEAD)
LOGINS = frozenset({OPERATOR.id, COURIER.id, HEAD.id})
BENCH_HOST = HostProgram(lambda claimed: claimed if claimed in LOGINS else None,
                         "the benchmark's host program")


def enrol(office: Any) -> Any:
    """Found `office`'s register with the head, who enrols the operator and the courier."""
    office.staff.found(HEAD, HEAD.id, name="Kepala Uji")
    office.staff.enrol(HEAD, OPERATOR.id, name="Operator Uji", roles=[Role.OPERATOR])
    office.staff.enrol(HEAD, COURIER.id, name="Kurir Uji", roles=[Role.COURIER])
    return office
