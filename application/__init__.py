"""Use cases of the e-KTP office and the ports they drive.

`Office` is the one service class: the CLI and any embedding program call the
same methods. Ports (clock, read models, ...) are `typing.Protocol`s in
`ektp.application.ports`; the composition root in `ektp.entrypoints` picks the
adapters. The names below are the public API (semantic versioning applies to
them); everything else is internal. They load lazily, so importing one port
does not import the whole office.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ektp.application.config import OfficeConfig
    from ektp.application.errors import (
        InvalidCardReference,
        OfficeClosed,
        StoreUnavailable,
        VillageOutsideRegency,
    )
    from ektp.application.card.history import HistoryEntry
    from ektp.application.card.views import CardView
    from ektp.application.feed.record import EventRecord
    from ektp.application.office import Office
    from ektp.application.ports.clock import Clock
    from ektp.application.ports.read_models import ReadModels
    from ektp.application.ports.rows import (
        BacklogRow,
        CardRow,
        DailyFigures,
        DatabaseStatus,
        ProjectionStatus,
        VillageCoverage,
    )

_WHERE = {
    "Office": "office", "OfficeConfig": "config", "CardView": "card.views",
    "HistoryEntry": "card.history", "CardRow": "ports.rows", "BacklogRow": "ports.rows",
    "DailyFigures": "ports.rows", "DatabaseStatus": "ports.rows", "ProjectionStatus": "ports.rows",
    "VillageCoverage": "ports.rows", "EventRecord": "feed.record", "Clock": "ports.clock",
    "ReadModels": "ports.read_models", "StoreUnavailable": "errors",
    "InvalidCardReference": "errors", "VillageOutsideRegency": "errors", "OfficeClosed": "errors",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'ektp.application' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ektp.application.{module}"), name)
