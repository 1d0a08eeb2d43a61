"""The list of reconciliation checks `ektp audit reconcile` runs, in report order."""

from __future__ import annotations

from ektp.application.audit.card_checks import (
    BlankAllocatedOnce,
    CardHistoriesWhole,
    HandOverAfterDispatch,
    PrintedOnAllocatedBlank,
    StreamTimesOrdered,
)
from ektp.application.audit.reconcile import Check, ReconcilePolicy
from ektp.application.audit.stock_checks import (
    BlankConservation,
    ClosedManifestsBalanced,
    PrintedBlankConsumed,
    SpoiledBlanksDestroyed,
    StockCountMatches,
)


def all_checks(policy: ReconcilePolicy) -> list[Check]:
    """Fresh instances of every check (each keeps state for one run)."""
    conservation = BlankConservation()
    return [
        CardHistoriesWhole(),
        BlankAllocatedOnce(),
        PrintedOnAllocatedBlank(),
        HandOverAfterDispatch(),
        StreamTimesOrdered(),
        PrintedBlankConsumed(),
        conservation,
        StockCountMatches(conservation),  # after it: reads its running figures
        SpoiledBlanksDestroyed(policy),
        ClosedManifestsBalanced(),
    ]
