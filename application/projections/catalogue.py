"""The projections the office keeps, each with a version: change a projection's
logic, raise its version, and its read model is rebuilt from the first event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import attrs

from ektp.application.projections.blank_stock import blank_stock_changes
from ektp.application.projections.card_status import card_status_changes
from ektp.application.projections.changes import Change
from ektp.application.projections.daily_counts import daily_count_changes
from ektp.application.projections.delivery_facts import delivery_fact_changes
from ektp.application.projections.manifests import manifest_changes


@attrs.frozen
class Projection:
    """A named read model: its tables and the function from event to row changes."""

    name: str
    version: int
    tables: tuple[str, ...]
    # (event, timezone), and the office's pseudonyms after them when `keyed`.
    changes: Callable[..., Iterable[Change]]
    keyed: bool = False


PROJECTIONS: tuple[Projection, ...] = (
    # card_status 3, daily_counts 2, delivery_facts 2: a hand-over or failed attempt
    # counts at the courier's time (issue 15), so read models built before are rebuilt.
    # card_status 4: no plaintext name, blind indexes instead (issue 14).
    # card_status 5: the proxy's NIK as a blind index, to find what a proxy collected (issue 14).
    Projection("card_status", 5, ("card_status",), card_status_changes, keyed=True),
    Projection("daily_counts", 2, ("daily_counts",), daily_count_changes),
    Projection("manifests", 1, ("manifests", "manifest_cards"), manifest_changes),
    Projection("blank_stock", 1, ("blank_stock_daily",), blank_stock_changes),
    Projection("delivery_facts", 2, ("delivery_facts",), delivery_fact_changes),
)


def projection_named(name: str) -> Projection:
    """The projection called `name` (KeyError if there is none)."""
    for projection in PROJECTIONS:
        if projection.name == name:
            return projection
    raise KeyError(name)
