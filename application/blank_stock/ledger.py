"""Loading and recording the office's blank ledger, and its snapshots.

Every blank movement of the office goes through this one stream, so it is
loaded as a *shared* stream: a conflict on it alone is decided again (see
`ektp.application.kernel.retry`).
"""

from __future__ import annotations

from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Transaction
from ektp.domain.blank_stock.events import LedgerEvent
from ektp.domain.blank_stock.snapshot import project, take_snapshot
from ektp.domain.blank_stock.state import Ledger, empty_ledger, ledger_id

# A snapshot every this many ledger events bounds what a fresh process replays;
# benchmarks/bench_blanks.py shows the cold load stays flat as history grows.
SNAPSHOT_EVERY = 100
# A command refused only because another clerk moved a blank at the same moment
# is decided again on the fresh ledger; after this many tries in all the clerk
# is told (`LedgerBusy`, exit code 4).
ATTEMPTS = 8
RETRIES = ATTEMPTS - 1


def load_ledger(services: Services, tx: Transaction) -> Ledger:
    """The office's ledger as `tx` sees it (empty before its first consignment)."""
    stream = ledger_id(services.config.office_code)
    return tx.load_shared(stream, project) or empty_ledger(stream)


def current_ledger(services: Services) -> Ledger:
    """The office's ledger now, read fresh from the store."""
    stream = ledger_id(services.config.office_code)
    return services.store.load(stream, project, fresh=True) or empty_ledger(stream)


def record_ledger(services: Services, tx: Transaction, before: Ledger,
                  events: list[LedgerEvent], after: Ledger) -> None:
    """Record the ledger's events; once saved, snapshot it if it crossed a multiple
    of `SNAPSHOT_EVERY`."""
    tx.record(events, after)
    if after.version // SNAPSHOT_EVERY > before.version // SNAPSHOT_EVERY:
        tx.after_commit(lambda: services.store.put_snapshot(take_snapshot(after, services.now())))
