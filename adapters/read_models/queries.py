"""The list and report queries over the read-model tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, case, func, literal, select

from ektp.adapters.read_models.tables import (
    blank_stock_daily,
    card_status,
    daily_counts,
    delivery_facts as facts_table,
)
from ektp.adapters.read_models.tables import manifests as manifest_table
from ektp.application.kernel.i18n import N_
from ektp.application.ports.rows import DeliveryFact
from ektp.application.ports.rows import (
    BacklogRow,
    CardPage,
    CardRow,
    DailyFigures,
    ManifestRow,
    UncollectedRow,
    VillageCoverage,
)

OPEN = ("REQUESTED", "READY_TO_PRINT", "BLANK_ALLOCATED", "PRINTED", "DISPATCHED", "RETURNED",
        "UNCOLLECTED")
# Labels marked for the catalogs: they are data here (--json, --csv keep them) and
# translated where a report shows them to people.
AGE_BANDS = ((7, N_("0-7 days")), (30, N_("8-30 days")), (90, N_("31-90 days")))
OLDER = N_("over 90 days")


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=dt.timezone.utc)


def cards(connection: Connection, status: str | None, village: str | None) -> tuple[CardRow, ...]:
    """Cards matching the filters, oldest request first."""
    return card_page(connection, status=status, village=village).rows


def _card_filters(status: str | None, village: str | None, kecamatan: str | None,
                  ids: Sequence[UUID] | None, name_tokens: Sequence[str] = ()
                  ) -> list[ColumnElement[bool]]:
    c = card_status.c
    where: list[ColumnElement[bool]] = []
    # Each token's blind index must be one of the name's (in any order): the column is
    # the indexes space-separated, so a LIKE per token (hex digits: nothing to escape).
    padded = literal(" ") + c.name_index + literal(" ")
    for token in name_tokens:
        where.append(padded.like(f"% {token} %"))
    if status:
        where.append(c.status == status)
    if village:
        where.append(c.village == village)
    if kecamatan:
        where.append(c.kecamatan == kecamatan)
    if ids is not None:
        where.append(c.card_id.in_([str(i) for i in ids]))
    return where


def card_page(connection: Connection, *, status: str | None = None, village: str | None = None,
              kecamatan: str | None = None, ids: Sequence[UUID] | None = None,
              limit: int | None = None, offset: int = 0,
              name_tokens: Sequence[str] = ()) -> CardPage:
    """The cards matching every filter, oldest request first, from `offset`, at most
    `limit`; and how many match (counted only when the page may not hold them all)."""
    c = card_status.c
    where = _card_filters(status, village, kecamatan, ids, name_tokens)
    query = select(card_status).where(*where).order_by(c.requested_at, c.card_id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = tuple(
        CardRow(
            id=UUID(r.card_id), status=r.status, village=r.village, kecamatan=r.kecamatan,
            nik_masked=r.nik_masked, initials=r.initials, reason=r.reason,
            requested_at=r.requested_at.replace(tzinfo=dt.timezone.utc),
            modified_at=r.modified_at.replace(tzinfo=dt.timezone.utc),
            printed_at=_utc(r.printed_at), handed_over_at=_utc(r.handed_over_at),
            attempts=r.attempts, version=r.version, courier=r.courier, recipient=r.recipient,
            manifest_id=UUID(r.manifest_id) if r.manifest_id else None,
        )
        for r in connection.execute(query)
    )
    if offset == 0 and (limit is None or len(rows) < limit):
        total = len(rows)  # the page holds every match
    else:
        total = connection.execute(select(func.count()).select_from(card_status).where(*where)).scalar_one()
    return CardPage(rows, int(total), offset)


def ids_with_prefix(connection: Connection, kind: str, prefix: str, limit: int) -> tuple[UUID, ...]:
    """Up to `limit` card (`kind` ``card``) or manifest ids starting with `prefix`."""
    column = card_status.c.card_id if kind == "card" else manifest_table.c.manifest_id
    # LIKE, not a range: a PostgreSQL column with a linguistic collation sorts the hyphens
    # of an id as if they were not there. Ids are stored lower case, as the prefix is.
    query = (select(column).where(column.startswith(prefix, autoescape=True))
             .order_by(column).limit(limit))
    return tuple(UUID(value) for value in connection.execute(query).scalars())


def closed_cards_before(connection: Connection, cutoff: dt.datetime) -> tuple[UUID, ...]:
    """Cards closed before `cutoff` that still have their blind NIK index (not erased)."""
    c = card_status.c
    naive = cutoff.astimezone(dt.timezone.utc).replace(tzinfo=None)
    query = (select(c.card_id).where(c.closed_at.is_not(None), c.closed_at < naive,
                                     c.nik_index.is_not(None))
             .order_by(c.closed_at, c.card_id))
    return tuple(UUID(value) for value in connection.execute(query).scalars())


def collected_by(connection: Connection, proxy_index: str) -> tuple[UUID, ...]:
    """Cards handed over to the proxy whose NIK has the blind index `proxy_index`."""
    c = card_status.c
    query = select(c.card_id).where(c.proxy_index == proxy_index).order_by(c.card_id)
    return tuple(UUID(value) for value in connection.execute(query).scalars())


def collections_before(connection: Connection, cutoff: dt.datetime) -> tuple[UUID, ...]:
    """Cards handed over to a proxy before `cutoff` whose proxy is not erased yet."""
    c = card_status.c
    naive = cutoff.astimezone(dt.timezone.utc).replace(tzinfo=None)
    query = (select(c.card_id).where(c.proxy_index.is_not(None), c.handed_over_at < naive)
             .order_by(c.handed_over_at, c.card_id))
    return tuple(UUID(value) for value in connection.execute(query).scalars())


def backlog(connection: Connection, now: dt.datetime) -> tuple[BacklogRow, ...]:
    """Open cards grouped by kecamatan, state and age band; oldest group first."""
    c = card_status.c
    naive_now = now.astimezone(dt.timezone.utc).replace(tzinfo=None)
    band = case(
        *[(c.requested_at >= naive_now - dt.timedelta(days=days), label) for days, label in AGE_BANDS],
        else_=OLDER,
    ).label("age_band")
    query = (
        select(c.kecamatan, c.status, band, func.count().label("cards"),
               func.min(c.requested_at).label("oldest"))
        .where(c.status.in_(OPEN))
        .group_by(c.kecamatan, c.status, band)
        .order_by(func.min(c.requested_at), c.kecamatan, c.status)
    )
    return tuple(
        BacklogRow(r.kecamatan, r.status, r.age_band, r.cards, r.oldest.replace(tzinfo=dt.timezone.utc))
        for r in connection.execute(query)
    )


def daily(connection: Connection, day: dt.date) -> DailyFigures:
    """The counts recorded for `day`, and the blank stock at its end."""
    rows = connection.execute(select(daily_counts.c.metric, daily_counts.c.count)
                              .where(daily_counts.c.day == day))
    counts = {r.metric: int(r[1]) for r in rows}
    b = blank_stock_daily.c
    stock = connection.execute(select(b.state, func.sum(b.delta)).where(b.day <= day).group_by(b.state))
    moves = connection.execute(select(b.state, b.delta).where(b.day == day))
    return DailyFigures(day, counts, {state: int(total) for state, total in stock},
                        {state: int(delta) for state, delta in moves})


def daily_span(connection: Connection, first: dt.date, last: dt.date) -> tuple[DailyFigures, ...]:
    """Every day from `first` to `last` inclusive (days without events too): its counts
    and the blank stock at its end; three queries whatever the span."""
    d, b = daily_counts.c, blank_stock_daily.c
    counts: dict[dt.date, dict[str, int]] = {}
    for day, metric, n in connection.execute(
            select(d.day, d.metric, d.count).where(d.day >= first, d.day <= last)):
        counts.setdefault(day, {})[metric] = int(n)
    running = {state: int(total) for state, total in connection.execute(
        select(b.state, func.sum(b.delta)).where(b.day < first).group_by(b.state))}
    deltas: dict[dt.date, dict[str, int]] = {}
    for day, state, delta in connection.execute(
            select(b.day, b.state, b.delta).where(b.day >= first, b.day <= last)):
        deltas.setdefault(day, {})[state] = int(delta)
    figures = []
    day = first
    while day <= last:
        for state, delta in deltas.get(day, {}).items():
            running[state] = running.get(state, 0) + delta
        figures.append(DailyFigures(day, counts.get(day, {}), dict(running),
                                    dict(deltas.get(day, {}))))
        day += dt.timedelta(days=1)
    return tuple(figures)


def initials_of(row: Any) -> str:
    """The initials of a card_status row's holder (the read model keeps no name:
    issue 14's blind indexes)."""
    return str(row.initials)


def uncollected(connection: Connection, kecamatan: str | None) -> tuple[UncollectedRow, ...]:
    """RETURNED and UNCOLLECTED cards (of one kecamatan), by village, oldest return first."""
    c = card_status.c
    query = (select(c.card_id, c.village, c.kecamatan, c.status, c.nik_masked, c.initials,
                    c.returned_at, c.modified_at, c.attempts)
             .where(c.status.in_(("RETURNED", "UNCOLLECTED")))
             .order_by(c.village, c.returned_at, c.card_id))
    if kecamatan:
        query = query.where(c.kecamatan == kecamatan)
    return tuple(
        UncollectedRow(UUID(r.card_id), r.village, r.kecamatan, r.status, r.nik_masked,
                       initials_of(r), (r.returned_at or r.modified_at).replace(tzinfo=dt.timezone.utc),
                       r.attempts)
        for r in connection.execute(query)
    )


def villages(connection: Connection) -> tuple[VillageCoverage, ...]:
    """Requests and outcomes per village, by village code."""
    c = card_status.c

    def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(c.village, func.count().label("requested"),
               count_where(c.status == "HANDED_OVER").label("handed_over"),
               count_where(c.status.in_(OPEN)).label("open"),
               count_where(c.status == "CANCELLED").label("cancelled"))
        .group_by(c.village).order_by(c.village)
    )
    return tuple(
        VillageCoverage(r.village, r.requested, int(r.handed_over), int(r.open), int(r.cancelled))
        for r in connection.execute(query)
    )


def manifests(connection: Connection, status: str | None) -> tuple[ManifestRow, ...]:
    """Manifests of one status (or all), by date then opening time."""
    m = manifest_table.c
    query = select(manifest_table).order_by(m.date, m.opened_at, m.manifest_id)
    if status:
        query = query.where(m.status == status)
    return tuple(
        ManifestRow(
            id=UUID(r.manifest_id), status=r.status, courier=r.courier, date=r.date,
            villages=tuple(r.villages.split(",")), cards=r.cards, dispatched_count=r.dispatched_count,
            handed_over=r.handed_over, failed_attempts=r.failed_attempts, checked_in=r.checked_in,
            seal_number=r.seal_number, opened_at=r.opened_at.replace(tzinfo=dt.timezone.utc),
            dispatched_at=_utc(r.dispatched_at), closed_at=_utc(r.closed_at),
            record_number=r.record_number,
        )
        for r in connection.execute(query)
    )


def delivery_facts(
    connection: Connection, start: dt.date | None, end: dt.date | None
) -> tuple[tuple[DeliveryFact, str | None], ...]:
    """Each delivery fact with its card's village, of the cards with a fact between
    `start` and `end` (all when both are None), by card and then version.

    A card's earlier facts are included even when they fall before `start`: a
    failed attempt is counted against the courier of the round it belongs to.
    """
    f, c = facts_table.c, card_status.c
    query = (
        select(f.card_id, c.village, f.kind, f.at, f.courier, f.reason, f.proxy)
        .select_from(facts_table.outerjoin(card_status, c.card_id == f.card_id))
        .order_by(f.card_id, f.version)
    )
    if start is not None or end is not None:
        active = select(f.card_id).distinct()
        if start is not None:
            active = active.where(f.day >= start)
        if end is not None:
            active = active.where(f.day <= end)
        query = query.where(f.card_id.in_(active))
    return tuple(
        (DeliveryFact(UUID(row.card_id), row.kind, row.at.replace(tzinfo=dt.timezone.utc),
                      courier=row.courier, reason=row.reason, proxy=bool(row.proxy)), row.village)
        for row in connection.execute(query)
    )
