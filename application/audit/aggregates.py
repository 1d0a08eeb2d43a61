"""Which events the export holds, and under which aggregate name.

An event belongs to an aggregate of the format by the package its class lives
in. The blank ledger and the delivery manifests (issues 3 and 4) map in by
their packages as soon as those exist; a package missing today costs nothing.
The NIK registers (`ektp.domain.open_requests`) are an index, not an
aggregate: their events are not exported (their positions leave gaps in `seq`).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

from ektp.domain.event import DomainEvent

# aggregate name in the format -> the domain package whose events it holds.
AGGREGATE_PACKAGES: dict[str, str] = {
    "card": "ektp.domain.card",
    "blank-stock": "ektp.domain.blank_stock",
    "manifest": "ektp.domain.manifest",
    # The staff register: each member's stream and the office's roster.
    "staff": "ektp.domain.staff",
}
AGGREGATES = frozenset(AGGREGATE_PACKAGES)


@lru_cache(maxsize=None)
def aggregate_of_module(module: str) -> str | None:
    """The aggregate whose package holds `module`, or None if it is not exported."""
    for aggregate, package in AGGREGATE_PACKAGES.items():
        if module == package or module.startswith(package + "."):
            return aggregate
    return None


def aggregate_of(event_class: type[Any]) -> str | None:
    """The aggregate of an event class, or None if its events are not exported."""
    return aggregate_of_module(event_class.__module__)


@lru_cache(maxsize=None)
def event_class(aggregate: str, type_name: str) -> type[Any] | None:
    """The event class named `type_name` in the aggregate's ``events`` module
    (the layout every aggregate package follows), or None if there is none."""
    package = AGGREGATE_PACKAGES.get(aggregate)
    if package is None or not type_name.isidentifier():
        return None
    try:
        module = importlib.import_module(package + ".events")
    except ModuleNotFoundError:
        return None
    found = getattr(module, type_name, None)
    if isinstance(found, type) and issubclass(found, DomainEvent) and found is not DomainEvent:
        if aggregate_of(found) == aggregate and found.__name__ == type_name:
            return found
    return None
