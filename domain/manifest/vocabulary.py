"""The closed sets of words a manifest's events use (stored as their string values)."""

from __future__ import annotations

import enum


class ManifestStatus(enum.StrEnum):
    """Where a manifest is in its day."""

    OPEN = "OPEN"  # being filled with cards
    DISPATCHED = "DISPATCHED"  # the courier is out with the sealed cards
    RETURNED = "RETURNED"  # an officer checked the undelivered cards back in
    CLOSED = "CLOSED"  # settled under a signed record (BAST)


class Outcome(enum.StrEnum):
    """What the courier reports for one card."""

    HANDED_OVER = "handed-over"
    ATTEMPT_FAILED = "attempt-failed"
    RETURNED = "returned"  # brought back to the office without a (further) attempt


# Outcomes after which nothing more is recorded for the card on that manifest.
FINAL_OUTCOMES = frozenset({Outcome.HANDED_OVER, Outcome.RETURNED})
