"""Loading and saving the office's blank ledger: snapshots, and retries when two
clerks change it at the same moment.

Every blank movement of the office goes through one ledger stream, so two
clerks allocating, printing or receiving at the same moment often write the same
stream version; the store lets one in and refuses the other (`ConcurrentChange`).
The refused command changed nothing, so it is decided again on the ledger read
fresh, a few times, before the clerk is told (`LedgerBusy`, exit code 4).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from eventsourcing.persistence import PersistenceError

from ektp.application.store_access import save
from ektp.domain.blank_stock.snapshot import project, take_snapshot
from ektp.domain.blank_stock.state import Ledger, empty_ledger, ledger_id
from ektp.domain.errors import ConcurrentChange, LedgerBusy

if TYPE_CHECKING:
    from eventsourcing.domain import DomainEventProtocol
    from uuid import UUID

    from ektp.application.office_base import OfficeBase

# A snapshot every this many ledger events bounds what a fresh process replays;
# benchmarks/bench_blanks.py shows the cold load stays flat as history grows.
SNAPSHOT_EVERY = 100
ATTEMPTS = 8
T = TypeVar("T")


def load_ledger(office: OfficeBase, fresh: bool = False) -> Ledger:
    """The office's ledger (empty before its first consignment)."""
    stream = ledger_id(office.config.office_code)
    return office._load(stream, project, fresh) or empty_ledger(stream)


def save_ledger(
    office: OfficeBase,
    events: Iterable[DomainEventProtocol[UUID]],
    ref: object,
    before: Ledger,
    after: Ledger,
    states: Iterable[Any] = (),
) -> None:
    """Save `events` (the ledger's and any other aggregate's) in one transaction,
    then snapshot the ledger if it crossed a multiple of `SNAPSHOT_EVERY`."""
    save(office._store, events, ref=ref, states=[*states, after])
    if after.version // SNAPSHOT_EVERY > before.version // SNAPSHOT_EVERY:
        put_snapshot(office, after)


def put_snapshot(office: OfficeBase, ledger: Ledger) -> bool:
    """Store a snapshot of `ledger`; True if stored.

    A snapshot is derived data written after the command's own transaction: if
    it fails (or another process stored the same version), the command still
    stands and the ledger simply replays a few more events next time.
    """
    snapshots = office._store.snapshots
    if snapshots is None or ledger.version == 0:
        return False
    try:
        snapshots.put([take_snapshot(ledger, office._now())])
    except (PersistenceError, OSError):
        return False
    return True


def retrying(office: OfficeBase, attempt: Callable[[bool], T],
             own_change: Callable[[], bool] = lambda: False) -> T:
    """Run `attempt(fresh)` until it saves without a conflict on the ledger.

    `own_change()` is asked after a conflict: if the conflict was on a record
    the clerk looked at (their card changed), it is reported at once instead.
    """
    for n in range(ATTEMPTS):
        try:
            return attempt(n > 0)
        except ConcurrentChange:
            if own_change():
                raise
            # A short random pause, so two processes do not collide in lockstep again.
            time.sleep(random.uniform(0, 0.005 * (n + 1)))
    raise LedgerBusy(attempts=ATTEMPTS)
