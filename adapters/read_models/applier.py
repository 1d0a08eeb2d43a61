"""Writing a batch of row changes with as few statements as possible: changes to
the same row are merged first, then rows are inserted or updated with one
executemany per column set, and counters are added with one upsert per row."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite

from ektp.adapters.read_models.tables import KEYS, TABLES
from ektp.application.projections.changes import AddTo, Change, SetRow


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def apply_changes(connection: Connection, changes: Iterable[Change]) -> None:
    """Write `changes` in the connection's transaction."""
    rows: dict[tuple[str, tuple[object, ...]], dict[str, Any]] = {}
    created: set[tuple[str, tuple[object, ...]]] = set()
    counters: dict[tuple[str, tuple[object, ...], str], int] = defaultdict(int)
    for change in changes:
        if isinstance(change, SetRow):
            where = (change.table, change.key)
            rows.setdefault(where, {}).update({k: _plain(v) for k, v in change.values.items()})
            if change.create:
                created.add(where)
        elif isinstance(change, AddTo):
            counters[(change.table, change.key, change.column)] += change.amount
    _write_rows(connection, rows, created)
    _add_counters(connection, counters)


def _write_rows(connection: Connection, rows: dict[tuple[str, tuple[object, ...]], dict[str, Any]],
                created: set[tuple[str, tuple[object, ...]]]) -> None:
    inserts: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    updates: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    for (table, key), values in rows.items():
        keyed = dict(zip(KEYS[table], key, strict=True))
        target = inserts if (table, key) in created else updates
        target[(table, tuple(sorted(values)))].append(
            {**keyed, **values} if target is inserts
            else {**{f"k_{k}": v for k, v in keyed.items()}, **{f"v_{c}": v for c, v in values.items()}})
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for (table, columns), params in inserts.items():
        # An upsert: a row can be created again (a card put back on a manifest).
        statement = dialect.insert(TABLES[table])
        statement = statement.on_conflict_do_update(
            index_elements=list(KEYS[table]), set_={c: statement.excluded[c] for c in columns})
        connection.execute(statement, params)
    for (table, columns), params in updates.items():
        t = TABLES[table]
        statement = (
            update(t)
            .where(and_(*(t.c[k] == bindparam(f"k_{k}") for k in KEYS[table])))
            .values({c: bindparam(f"v_{c}") for c in columns})
        )
        connection.execute(statement, params)


def _add_counters(connection: Connection, counters: dict[tuple[str, tuple[object, ...], str], int]) -> None:
    # Update first, insert if there was no row. (An upsert cannot do it in SQLite:
    # the new row's NOT NULL columns are checked before the conflict is.) Batches of
    # one projection never run concurrently: the position guard serialises them.
    for (table, key, column), amount in counters.items():
        t = TABLES[table]
        keyed = dict(zip(KEYS[table], key, strict=True))
        done = connection.execute(
            update(t).where(and_(*(t.c[k] == v for k, v in keyed.items())))
            .values({column: t.c[column] + amount}))
        if done.rowcount == 0:
            connection.execute(insert(t).values({**keyed, column: amount}))
