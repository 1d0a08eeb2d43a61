"""Which aggregate of the audit format every stored event belongs to.

An event belongs to an aggregate by the package (or module) its class lives in.
Every stored event must belong to one: each is a leaf of the journal, written
in the aggregate's name, and exported under it. The NIK registers
(`ektp.domain.open_requests`, aggregate ``nik-register``) are an index rather
than a record of the office's work, but they are stored events like any
other, so they have leaves and are exported too (``ektp-audit/2``), with their
NIK-derived stream ids pseudonymised (`personal.Pseudonymiser.stream`). A new
aggregate (the staff register, issue 12) is added here, with the module that
holds its event classes.
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
    "nik-register": "ektp.domain.open_requests",
    # The staff register: each member's stream and the office's roster.
    "staff": "ektp.domain.staff",
    # The access log (issue 14): who was shown whose personal data in full.
    "personal-data": "ektp.domain.personal_data",
}
# aggregate -> the module holding its event classes (default: the package's `events`).
EVENT_MODULES: dict[str, str] = {"nik-register": "ektp.domain.open_requests"}
AGGREGATES = frozenset(AGGREGATE_PACKAGES)
# The aggregates an ektp-audit/1 export could hold.
AGGREGATES_V1 = frozenset({"card", "blank-stock", "manifest"})


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
    """The event class named `type_name` in the aggregate's events module (its
    package's ``events``, the layout every aggregate package follows, or the module
    `EVENT_MODULES` names), or None if there is none."""
    package = AGGREGATE_PACKAGES.get(aggregate)
    if package is None or not type_name.isidentifier():
        return None
    try:
        module = importlib.import_module(EVENT_MODULES.get(aggregate, package + ".events"))
    except ModuleNotFoundError:
        return None
    found = getattr(module, type_name, None)
    if isinstance(found, type) and issubclass(found, DomainEvent) and found is not DomainEvent:
        if aggregate_of(found) == aggregate and found.__name__ == type_name:
            return found
    return None
