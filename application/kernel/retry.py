"""When a use case is decided again instead of refused: `again`, behind `Store.transact`.

Three cases, each a refusal that says nothing about what the clerk asked:

- **A stale cache.** Use cases decide on cached states. When one is refused
  (any named refusal, a version conflict included) after reading anything from
  the cache, the cache may simply be stale (another process wrote since), so
  the use case runs once more on states read fresh from the store.
- **A blind first write** (`Transaction.load_new`) that met a stream which
  exists after all: decided again with that stream read.
- **A shared stream.** Every blank movement of the office goes through one
  ledger stream, so two clerks allocating, printing or receiving at the same
  moment often write the same stream version; the store lets one in and
  refuses the other. The refused command changed nothing, so it is decided
  again on the ledger read fresh, up to `retries` times (with a short random
  pause, so two processes do not collide in lockstep again), before the clerk
  is told (`LedgerBusy`, exit code 4). If the conflict was on a record the
  clerk looked at (their card changed), it is reported at once instead.

The door's refusals (`AccessRefused`: who the caller is and what the staff
register grants them) are never decided again: the door read the register
fresh before refusing (`kernel.authority`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ektp.application.errors import OfficeClosed
from ektp.application.kernel.transaction import Transaction
from ektp.domain.errors import AccessRefused, ConcurrentChange, DomainError, LedgerBusy

if TYPE_CHECKING:
    from ektp.application.kernel.store import Store

T = TypeVar("T")


def again(store: Store, attempt: Callable[[Transaction], T], failed: Transaction,
          refused: DomainError, *, ref: object, retries: int) -> T:
    """After `attempt` was refused on `failed`: decide again, on fresh state, while one
    of the three cases above applies; otherwise let the refusal stand."""
    stale_retry_left = True
    conflicts = 0
    while True:
        if isinstance(refused, AccessRefused):
            # The door's refusal (who the caller is, what the register grants them):
            # decided on the register read fresh already, it stands.
            raise refused
        conflict = isinstance(refused, ConcurrentChange) and not isinstance(refused, LedgerBusy)
        if conflict and failed.assumed_new and not failed.fresh:
            pass  # a blind first write met an existing stream: read it this time
        elif conflict and failed.shared and not failed.own_streams_changed():
            conflicts += 1
            if conflicts > retries:
                raise LedgerBusy(attempts=conflicts) from None
            time.sleep(random.uniform(0, 0.005 * conflicts))
        elif failed.cache_hits and stale_retry_left and not isinstance(refused, LedgerBusy):
            stale_retry_left = False
        else:
            raise refused
        tx = Transaction(store, fresh=True)
        try:
            result = attempt(tx)
            tx.commit(ref)
        except OfficeClosed:
            raise
        except DomainError as error:
            failed, refused = tx, error
        else:
            return result
