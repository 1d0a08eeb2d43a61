"""The reports desk: lists, reports and the read models' upkeep, all answered
from the projections (`ektp.application.ports.read_models`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ektp.application.card.lookup import cards_of_nik
from ektp.application.errors import StoreUnavailable
from ektp.application.kernel.dates import parse_day, parse_month
from ektp.application.kernel.i18n import _
from ektp.application.kernel.services import Services
from ektp.application.ports.rows import (
    BacklogRow,
    CardPage,
    CardRow,
    DailyFigures,
    DatabaseStatus,
    ProjectionStatus,
    UncollectedRow,
    VillageCoverage,
)
from ektp.application.reports.delivery import DeliveryFold
from ektp.domain.address import VillageCode
from ektp.domain.card.vocabulary import CardStatus
from ektp.domain.choice import parse_choice
from ektp.domain.errors import InvalidChoice, InvalidText


MAX_PAGE = 10_000  # a page a terminal or a script can take in one go
MAX_DAYS = 366  # a daily report of more days than a year is a typo (use report monthly)


class ReportDesk:
    """Card lists and the head of office's reports."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def list_cards(
        self, status: str | CardStatus | None = None, village: str | VillageCode | None = None
    ) -> tuple[CardRow, ...]:
        """Cards, optionally of one status and one village, oldest request first."""
        the_status = parse_choice(CardStatus, status, "status") if status else None
        the_village = (
            village if isinstance(village, VillageCode) else self._services.parse_village(village)
        ) if village else None
        return self._services.read_models.cards(
            status=the_status.value if the_status else None,
            village=the_village.value if the_village else None,
        )

    def card_page(
        self, *, status: str | CardStatus | None = None, village: str | VillageCode | None = None,
        kecamatan: str | None = None, nik: str | None = None, limit: int | None = None,
        offset: int = 0,
    ) -> CardPage:
        """A page of cards, oldest request first, and how many match: of one status, one
        village or kecamatan (code, or name when unique in the regency), and of one NIK
        (every card ever requested for it), from `offset`, at most `limit`."""
        s = self._services
        the_status = parse_choice(CardStatus, status, "status") if status else None
        the_village = s.parse_village(village).value if village else None
        the_kecamatan = s.parse_kecamatan(kecamatan) if kecamatan else None
        if limit is not None and not 1 <= limit <= MAX_PAGE:
            raise InvalidText(field="--limit", reason=_("give a number from 1 to {n}").format(n=MAX_PAGE))
        if offset < 0:
            raise InvalidText(field="--offset", reason=_("give 0 or more"))
        ids = cards_of_nik(s, s.store.reads(), s.parse_nik(nik)) if nik else None
        return s.read_models.card_page(
            status=the_status.value if the_status else None, village=the_village,
            kecamatan=the_kecamatan, ids=ids, limit=limit, offset=offset)

    def find_by_name(self, name: str, *, village: str | VillageCode | None = None,
                     limit: int | None = None, offset: int = 0) -> CardPage:
        """The cards whose holder's name has every word of `name` (any order, any case,
        accents and punctuation ignored), oldest request first, optionally of one
        village: found through the name's keyed blind index (no name is stored in the
        read models), so the office's audit key is needed (`JournalKeyMissing`)."""
        from ektp.application.ports.pseudonyms import NAME_TOKEN
        from ektp.domain.name_tokens import name_tokens

        s = self._services
        tokens = name_tokens(name)
        if not tokens:
            raise InvalidText(field="NAME", reason=_("give at least one word of the name"))
        if limit is not None and not 1 <= limit <= MAX_PAGE:
            raise InvalidText(field="--limit", reason=_("give a number from 1 to {n}").format(n=MAX_PAGE))
        if offset < 0:
            raise InvalidText(field="--offset", reason=_("give 0 or more"))
        the_village = s.parse_village(village).value if village else None
        indexes = s.pseudonyms.name_index(tokens).split()
        return s.read_models.card_page(village=the_village, name_tokens=indexes,
                                       limit=limit, offset=offset)

    def daily_report(self, day: str | dt.date | None = None) -> DailyFigures:
        """The counts of one office-local day (today by default)."""
        s = self._services
        return s.read_models.daily(parse_day(day) if day else s.today())

    def daily_span_report(self, start: str | dt.date,
                          end: str | dt.date | None = None) -> tuple[DailyFigures, ...]:
        """The counts of every office-local day from `start` to `end` inclusive (today by
        default; at most a year), each counted by when it happened: a hand-over or failed
        attempt typed in later counts on the courier's day."""
        first = parse_day(start, "--from")
        last = parse_day(end, "--to") if end else self._services.today()
        if last < first:
            raise InvalidText(field="--to", reason=_("it is before --from"))
        if (last - first).days >= MAX_DAYS:
            raise InvalidText(field="--to", reason=_("give at most {n} days (see report monthly)").format(n=MAX_DAYS))
        return self._services.read_models.daily_span(first, last)

    def monthly_report(self, month: str) -> tuple[DailyFigures, ...]:
        """The days of the calendar month `month` (YYYY-MM), for the monthly figures."""
        first, last = parse_month(month, "--month")
        return self._services.read_models.daily_span(first, last)

    def uncollected_report(self, kecamatan: str | None = None,
                           min_days: int = 0) -> tuple[tuple[UncollectedRow, int], ...]:
        """The cards back at the office waiting for their owners (RETURNED or
        UNCOLLECTED), of one kecamatan (code, or name when unique), each with its age in
        days since it came back, those at least `min_days` old; by village, oldest first."""
        s = self._services
        if min_days < 0:
            raise InvalidText(field="--min-days", reason=_("give 0 or more"))
        the_kecamatan = s.parse_kecamatan(kecamatan) if kecamatan else None
        today = s.today()
        zone = s.config.timezone
        aged = ((row, (today - row.returned_at.astimezone(zone).date()).days)
                for row in s.read_models.uncollected(the_kecamatan))
        return tuple((row, days) for row, days in aged if days >= min_days)

    def blank_stock_bulletin(self, day: str | dt.date | None = None) -> tuple[DailyFigures, Any]:
        """The day's blank-stock bulletin (today by default, not in the future): its figures
        and the checkpoint signed of that day's journal (a `DayCheckpoint`, or None)."""
        from ektp.application.audit.checkpoints import checkpoint_of_day

        s = self._services
        the_day = parse_day(day, "--date", latest=s.today()) if day else s.today()
        figures = s.read_models.daily(the_day)
        return figures, checkpoint_of_day(s.store, the_day, s.config.timezone)

    def backlog_report(self) -> tuple[BacklogRow, ...]:
        """Open cards per kecamatan by state and age band, oldest first."""
        return self._services.read_models.backlog(self._services.now())

    def village_report(self) -> tuple[VillageCoverage, ...]:
        """Coverage per village."""
        return self._services.read_models.villages()

    def delivery_report(
        self, start: str | dt.date | None = None, end: str | dt.date | None = None
    ) -> DeliveryFold:
        """Delivery figures per village, kecamatan and courier between two dates (inclusive),
        from the delivery facts read model."""
        s = self._services
        first = parse_day(start, "from") if start else None
        last = parse_day(end, "to") if end else None
        if first and last and last < first:
            raise InvalidText(field="to", reason=_("it is before --from"))
        fold = DeliveryFold(start=first, end=last, timezone=s.config.timezone)
        for fact, village in s.read_models.delivery_facts(first, last):
            fold.add_fact(fact, village)
        return fold

    def projections_status(self) -> tuple[ProjectionStatus, ...]:
        """How far each read model has got."""
        return self._services.read_models.status()

    def catch_up_read_models(self) -> int:
        """Apply every event the read models have not applied yet."""
        return self._services.read_models.catch_up()

    def initialise_database(self) -> tuple[ProjectionStatus, ...]:
        """Create whatever tables are missing and bring the read models up to date."""
        read_models = self._services.read_models
        read_models.ensure_schema()
        read_models.catch_up()
        return read_models.status()

    def database_status(self) -> DatabaseStatus:
        """Which database this is and whether its schema is current; creates nothing."""
        read_models = self._services.read_models
        url, engine, version = read_models.describe()
        try:
            self._services.store.last_position()
            event_tables = True
        except StoreUnavailable:
            event_tables = False
        missing = read_models.missing_tables()
        projections = () if missing else read_models.status()
        return DatabaseStatus(url, engine, version, event_tables, missing, projections)

    def rebuild_read_models(self, name: str | None = None) -> int:
        """Rebuild one read model (or all) from the first event."""
        statuses = self._services.read_models.status()
        if name is not None and name not in {s.name for s in statuses}:
            names = ", ".join(s.name for s in statuses)
            raise InvalidChoice(field="projection", value=name[:30], choices=names)
        return self._services.read_models.rebuild(name)
