"""`SqlReadModels`: the read-models port on SQLAlchemy, fed from the notification log.

Each batch of events is applied in one transaction that also moves the
projections' positions, and only if no one else moved them meanwhile: every
event is applied exactly once, even when a process dies mid-batch or two
processes catch up at the same moment.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

import sqlalchemy.exc
from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, Table, and_, delete, inspect, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from ektp.adapters.read_models import queries
from ektp.adapters.read_models.applier import apply_changes
from ektp.adapters.event_store.store import SCHEMA_LOCK
from ektp.adapters.event_store.waits import explain
from ektp.adapters.office_config import DatabaseSection
from ektp.adapters.read_models.engine import WRITE_OPTION
from ektp.adapters.read_models.tables import TABLES, metadata, projection_positions
from ektp.application.ports.pseudonyms import Pseudonyms
from ektp.application.ports.read_models import ReadModels
from ektp.application.projections.catalogue import PROJECTIONS, Projection, projection_named
from ektp.application.ports.rows import DeliveryFact
from ektp.application.projections.changes import Change
from ektp.application.ports.rows import (
    BacklogRow,
    CardPage,
    CardRow,
    DailyFigures,
    ManifestRow,
    ProjectionStatus,
    UncollectedRow,
    VillageCoverage,
)
from ektp.application.errors import StoreUnavailable
from ektp.application.kernel.store import store_errors

PAGE = 2000
P = ParamSpec("P")
R = TypeVar("R")


def _sql_errors(method: Callable[P, R]) -> Callable[P, R]:
    """A database that fails under SQLAlchemy is as unavailable as under the event store."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                sqlalchemy.exc.DatabaseError) as error:
            if isinstance(error, sqlalchemy.exc.IntegrityError):
                raise
            self = args[0]
            reason = explain(error.orig, self._settings, self._where) if isinstance(
                self, SqlReadModels) else None
            if reason is None:
                reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            raise StoreUnavailable(reason=reason) from None

    return run


def _remake_if_changed(connection: Connection, table: Table) -> None:
    """Drop and create `table` again when its columns in the database are not this
    ektp's (a projection whose version rose with its columns: card_status 4 dropped
    the plaintext name); its rows are rebuilt from the events anyway."""
    present = {column["name"] for column in inspect(connection).get_columns(table.name)}
    if present and present != {column.name for column in table.columns}:
        table.drop(connection)
        table.create(connection)


class SqlReadModels(ReadModels):
    """Read models in the event store's own database."""

    def __init__(self, store: Application[UUID], engine: Engine, timezone: dt.tzinfo,
                 settings: DatabaseSection | None = None, where: str = "the database",
                 pseudonyms: Callable[[], Pseudonyms | None] | None = None) -> None:
        self._store = store
        # Keys the blind indexes of the keyed projections (issue 14); None: not keyed.
        self._pseudonyms = pseudonyms or (lambda: None)
        self._engine = engine
        self._timezone = timezone
        self._schema_ready = False
        self._settings = settings or DatabaseSection()  # for saying what a timed-out wait was for
        self._where = where

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and tools that read the tables directly)."""
        return self._engine

    @_sql_errors
    def ensure_schema(self) -> None:
        """Create missing read-model tables (safe to repeat)."""
        if not self._schema_ready:
            with self._engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        # Concurrent CREATE TABLEs collide in PostgreSQL's catalogue.
                        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                           {"key": SCHEMA_LOCK})
                    metadata.create_all(connection, checkfirst=True)
            self._schema_ready = True

    @_sql_errors
    def missing_tables(self) -> tuple[str, ...]:
        """Read-model tables not in the database."""
        present = set(inspect(self._engine).get_table_names())
        return tuple(sorted(set(metadata.tables) - present))

    @_sql_errors
    def describe(self) -> tuple[str, str, str]:
        """The database's URL without password, the engine's name and the server's version."""
        with self._engine.connect() as connection:
            info = connection.dialect.server_version_info or ()
        where = self._engine.url.render_as_string(hide_password=True)
        return where, self._engine.dialect.name, ".".join(str(part) for part in info)

    def _positions(self) -> dict[str, tuple[int, int]]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(projection_positions)).all()
        return {row.name: (row.position, row.version) for row in rows}

    def _prepare(self, chosen: tuple[Projection, ...]) -> dict[str, int]:
        """Positions of `chosen`, registering new projections and rebuilding outdated ones."""
        self.ensure_schema()
        known = self._positions()
        for projection in chosen:
            position, version = known.get(projection.name, (None, None))
            if position is None or version != projection.version:
                self._reset(projection, exists=position is not None)
        return {name: pos for name, (pos, _) in self._positions().items()}

    def _reset(self, projection: Projection, exists: bool) -> None:
        with self._engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
            with connection.begin():
                for table in projection.tables:
                    _remake_if_changed(connection, TABLES[table])
                    connection.execute(delete(TABLES[table]))
                if exists:
                    connection.execute(update(projection_positions)
                                       .where(projection_positions.c.name == projection.name)
                                       .values(position=0, version=projection.version))
                else:
                    # Another process may register it at the same moment: first one wins.
                    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
                    connection.execute(dialect.insert(projection_positions).values(
                        name=projection.name, position=0, version=projection.version,
                    ).on_conflict_do_nothing())

    @_sql_errors
    def catch_up(self, name: str | None = None) -> int:
        """Apply every event not applied yet; return how many events were read."""
        chosen = (projection_named(name),) if name else PROJECTIONS
        positions = self._prepare(chosen)
        done = 0
        while True:
            start = min(positions[p.name] for p in chosen)
            with store_errors():
                page = self._store.recorder.select_notifications(
                    start=start, limit=PAGE, inclusive_of_start=False)
            if not page:
                return done
            end = page[-1].id
            if not self._apply_page(chosen, positions, page, end):
                positions = {n: p for n, (p, _) in self._positions().items()}
                continue
            for projection in chosen:
                positions[projection.name] = end
            done += len(page)

    def _apply_page(self, chosen: tuple[Projection, ...], positions: dict[str, int],
                    page: Any, end: int) -> bool:
        """Apply one page to the projections behind `end`; False if another process won."""
        mapper = self._store.mapper
        changes: list[Change] = []
        behind = [p for p in chosen if positions[p.name] < end]
        keyed = (self._pseudonyms(),) if any(p.keyed for p in behind) else ()
        for notification in page:
            event = None
            for projection in behind:
                if notification.id > positions[projection.name]:
                    if event is None:
                        event = mapper.to_domain_event(notification)
                    changes.extend(projection.changes(event, self._timezone,
                                                      *(keyed if projection.keyed else ())))
        with self._engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
            with connection.begin() as transaction:
                for projection in behind:
                    moved = connection.execute(
                        update(projection_positions)
                        .where(and_(projection_positions.c.name == projection.name,
                                    projection_positions.c.position == positions[projection.name]))
                        .values(position=end))
                    if moved.rowcount != 1:
                        transaction.rollback()
                        return False
                apply_changes(connection, changes)
        return True

    @_sql_errors
    def status(self) -> tuple[ProjectionStatus, ...]:
        """Position, head and versions of every projection."""
        self.ensure_schema()
        known = self._positions()
        with store_errors():
            head = self._store.recorder.max_notification_id() or 0
        return tuple(
            ProjectionStatus(p.name, known.get(p.name, (0, 0))[0], head,
                             known.get(p.name, (0, 0))[1], p.version)
            for p in PROJECTIONS
        )

    @_sql_errors
    def rebuild(self, name: str | None = None) -> int:
        """Empty and refill one projection (or all) from the first event."""
        chosen = (projection_named(name),) if name else PROJECTIONS
        self.ensure_schema()
        known = self._positions()
        for projection in chosen:
            self._reset(projection, exists=projection.name in known)
        return self.catch_up(name)

    @_sql_errors
    def cards(self, status: str | None = None, village: str | None = None) -> tuple[CardRow, ...]:
        """Cards by status and village (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.cards(connection, status, village)

    @_sql_errors
    def card_page(self, *, status: str | None = None, village: str | None = None,
                  kecamatan: str | None = None, ids: Sequence[UUID] | None = None,
                  limit: int | None = None, offset: int = 0,
                  name_tokens: Sequence[str] = ()) -> CardPage:
        """One page of cards and the number that match (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.card_page(connection, status=status, village=village,
                                     kecamatan=kecamatan, ids=ids, limit=limit, offset=offset,
                                     name_tokens=name_tokens)

    @_sql_errors
    def ids_with_prefix(self, kind: str, prefix: str, limit: int) -> tuple[UUID, ...]:
        """Card or manifest ids starting with `prefix` (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.ids_with_prefix(connection, kind, prefix, limit)

    @_sql_errors
    def closed_cards_before(self, cutoff: dt.datetime) -> tuple[UUID, ...]:
        """Cards closed before `cutoff`, not erased yet (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.closed_cards_before(connection, cutoff)

    @_sql_errors
    def collected_by(self, proxy_index: str) -> tuple[UUID, ...]:
        """Cards a proxy collected, by their NIK's blind index (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.collected_by(connection, proxy_index)

    @_sql_errors
    def collections_before(self, cutoff: dt.datetime) -> tuple[UUID, ...]:
        """Cards collected by a proxy before `cutoff`, proxy not erased (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.collections_before(connection, cutoff)

    @_sql_errors
    def manifests(self, status: str | None = None) -> tuple[ManifestRow, ...]:
        """Manifests by status (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.manifests(connection, status)

    @_sql_errors
    def backlog(self, now: dt.datetime) -> tuple[BacklogRow, ...]:
        """Open cards by kecamatan, state and age band (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.backlog(connection, now)

    @_sql_errors
    def daily(self, day: dt.date) -> DailyFigures:
        """One day's counts (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.daily(connection, day)

    @_sql_errors
    def daily_span(self, first: dt.date, last: dt.date) -> tuple[DailyFigures, ...]:
        """Each day's counts and stock from `first` to `last` (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.daily_span(connection, first, last)

    @_sql_errors
    def uncollected(self, kecamatan: str | None = None) -> tuple[UncollectedRow, ...]:
        """The cards waiting at the office (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.uncollected(connection, kecamatan)

    @_sql_errors
    def villages(self) -> tuple[VillageCoverage, ...]:
        """Coverage per village (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.villages(connection)

    @_sql_errors
    def delivery_facts(
        self, start: dt.date | None, end: dt.date | None
    ) -> tuple[tuple[DeliveryFact, str | None], ...]:
        """The delivery facts of the cards active between `start` and `end` (caught up first)."""
        self.catch_up()
        with self._engine.connect() as connection:
            return queries.delivery_facts(connection, start, end)

    def close(self) -> None:
        """Release the engine's connections."""
        self._engine.dispose()
