"""Lists, reports and the read models' upkeep: the queries answered from projections."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ektp.application.office_base import OfficeBase
from ektp.application.store_access import store_errors
from ektp.application.errors import StoreUnavailable
from ektp.domain.address import VillageCode
from ektp.domain.card.vocabulary import CardStatus
from ektp.domain.choice import parse_choice
from ektp.domain.errors import InvalidChoice

if TYPE_CHECKING:
    from ektp.application.read_views import (
        BacklogRow,
        CardRow,
        DailyFigures,
        DatabaseStatus,
        ProjectionStatus,
        VillageCoverage,
    )


class ReportDesk(OfficeBase):
    """Card lists and the head of office's reports."""

    def list_cards(
        self, status: str | CardStatus | None = None, village: str | VillageCode | None = None
    ) -> tuple[CardRow, ...]:
        """Cards, optionally of one status and one village, oldest request first."""
        the_status = parse_choice(CardStatus, status, "status") if status else None
        the_village = (
            village if isinstance(village, VillageCode) else VillageCode.parse(village)
        ) if village else None
        return self.read_models.cards(
            status=the_status.value if the_status else None,
            village=the_village.value if the_village else None,
        )

    def daily_report(self, day: dt.date | None = None) -> DailyFigures:
        """The counts of one office-local day (today by default)."""
        return self.read_models.daily(day or self._today())

    def backlog_report(self) -> tuple[BacklogRow, ...]:
        """Open cards per kecamatan by state and age band, oldest first."""
        return self.read_models.backlog(self._now())

    def village_report(self) -> tuple[VillageCoverage, ...]:
        """Coverage per village."""
        return self.read_models.villages()

    def projections_status(self) -> tuple[ProjectionStatus, ...]:
        """How far each read model has got."""
        return self.read_models.status()

    def catch_up_read_models(self) -> int:
        """Apply every event the read models have not applied yet."""
        return self.read_models.catch_up()

    def initialise_database(self) -> tuple[ProjectionStatus, ...]:
        """Create whatever tables are missing and bring the read models up to date."""
        self.read_models.ensure_schema()
        self.read_models.catch_up()
        return self.read_models.status()

    def database_status(self) -> DatabaseStatus:
        """Which database this is and whether its schema is current; creates nothing."""
        url, engine, version = self.read_models.describe()
        try:
            with store_errors():
                self._store.recorder.max_notification_id()
            event_tables = True
        except StoreUnavailable:
            event_tables = False
        from ektp.application.read_views import DatabaseStatus  # only db check needs it

        missing = self.read_models.missing_tables()
        projections = () if missing else self.read_models.status()
        return DatabaseStatus(url, engine, version, event_tables, missing, projections)

    def rebuild_read_models(self, name: str | None = None) -> int:
        """Rebuild one read model (or all) from the first event."""
        if name is not None and name not in {s.name for s in self.read_models.status()}:
            names = ", ".join(s.name for s in self.read_models.status())
            raise InvalidChoice(field="projection", value=name[:30], choices=names)
        return self.read_models.rebuild(name)
