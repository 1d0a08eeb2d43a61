"""The database's schema version and the upgrade steps that move an older database
forward (``ektp db upgrade``).

The ``ektp_schema`` table holds one row per step applied: its version, its
name, when and by which ektp. The schema version is the highest row; a
database made before versions existed (ektp 0.1, main before this table) has
event tables and no ``ektp_schema``: version 0. ``ektp db init`` on an empty
database creates today's schema directly and records every step as applied.

Every command checks the version when it opens the store (one query): an older
database is refused until ``ektp db upgrade`` has run, a newer one (written by
a later ektp) always. The upgrade refuses a newer database too.

**The extension point.** `STEPS` is the ordered list of upgrade steps. A change
to the schema appends one `UpgradeStep` with the next version number, a stable
name, one line saying what it does, and `run`, which changes one database in
the transaction `UpgradeContext` gives it (SQLite and PostgreSQL both run DDL
in a transaction, so a step and its version row commit together or not at
all). A step that must read events through the event store may use
``context.store``; what it writes outside the transaction must then be safe to
do twice (a step interrupted after such a write runs again). A step must also
be what a fresh ``db init`` builds by itself (the recorders' ``create_table``),
so a new and an upgraded database end the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ektp.application.operations import (
    DatabaseNotInitialised,
    SchemaNewer,
    SchemaOutdated,
)

if TYPE_CHECKING:
    from eventsourcing.application import Application

SCHEMA_TABLE = "ektp_schema"
EVENTS_TABLE = {"sqlite": "stored_events", "postgresql": "ektp_events"}
SNAPSHOTS_TABLE = "ektp_snapshots"  # PostgreSQL's (SQLite keeps no snapshots apart)


class UpgradeContext(NamedTuple):
    """What a step works with: the engine (``sqlite`` or ``postgresql``), `execute`
    (one SQL statement in the step's transaction; returns the rows, if any) and the
    event store opened without the schema check."""

    kind: str
    execute: Callable[[str], Sequence[tuple[Any, ...]]]
    store: Application[Any] | None = None  # (NamedTuples: every command imports this module)


class UpgradeStep(NamedTuple):
    """One change of the schema: after it the database is at `version`. `prepare`, if
    given, runs first, outside the step's transaction, through ``context.store``
    (work that must write through the event store itself, such as building the
    journal: on SQLite the step's transaction holds the write lock the store would
    wait for); it must be safe to run twice, and may return a line for the report."""

    version: int
    name: str
    summary: str
    run: Callable[[UpgradeContext], None]
    prepare: Callable[[UpgradeContext], str | None] | None = None


def _nothing_but_the_version(context: UpgradeContext) -> None:
    """Version 1 adds only the ``ektp_schema`` table itself (created before every step)."""


def _build_journal(context: UpgradeContext) -> str | None:
    """Version 2, first: give every event stored before the journal existed its leaf,
    once (issue 13), and say from which leaf on the tree is written with its events."""
    from ektp.adapters.event_store.journal_upgrade import build_missing_journal

    return build_missing_journal(context.store)


def _journal_is_there(context: UpgradeContext) -> None:
    """Version 2: the journal must now exist (its tables were made by `prepare`)."""
    from ektp.adapters.event_store.journal_tables import INFO
    from ektp.application.errors import JournalMissing

    if not context.execute(f"SELECT 1 FROM {INFO}"):
        raise JournalMissing()


def _sign_rows(context: UpgradeContext) -> None:
    """Version 3 (issue 12): every stored row records the login that inserted it. SQLite
    gets the ``inserted_by`` column (rows stored before hold null: "not recorded"); on
    PostgreSQL the column, its trigger, the append-only triggers and the insert-lock
    function (`postgres.schema_statements`), which only the tables' owner may create: an
    upgrade is run by the owner, and ``ektp db init`` then grants the staff group role."""
    table = EVENTS_TABLE[context.kind]
    if context.kind == "sqlite":
        columns = {row[1] for row in context.execute(f"PRAGMA table_info({table})")}
        if "inserted_by" not in columns:
            context.execute(f"ALTER TABLE {table} ADD COLUMN inserted_by TEXT")
        return
    from ektp.adapters.event_store.postgres import schema_statements

    for name, lock in ((table, True), (SNAPSHOTS_TABLE, False)):
        if context.execute(f"SELECT to_regclass('{name}') IS NOT NULL")[0][0]:
            for statement in schema_statements("public", name, lock=lock):
                context.execute(statement.as_string(None))


def _keyed_nik_registers(context: UpgradeContext) -> None:
    """Version 4 (issue 14): a NIK's register is now kept under a keyed HMAC id
    (`ektp.application.card.registers`). Nothing is moved: registers stored before
    keep their uuid5 ids (moving them would rewrite signed, journalled history), and
    this step's row, recorded as upgraded rather than created, is what tells ektp to
    look for them there (`legacy_nik_registers`).

    The ``card_status`` read model loses its plaintext ``name`` for the initials and
    the blind indexes (its projection, at version 4, then rebuilds its rows). The
    table is altered, not dropped, by the login running the upgrade (on PostgreSQL the
    tables' owner): the staff group keeps its grants on it, and need not own it."""
    columns = _card_status_columns(context)
    if not columns or "initials" in columns:
        return  # no read model yet (made on first use, as today's) or already altered
    text = "TEXT" if context.kind == "sqlite" else "varchar"
    context.execute("DELETE FROM card_status")  # rebuilt from the events:
    context.execute("UPDATE projection_positions SET position = 0, version = 0 "
                    "WHERE name = 'card_status'")  # from the first one, on first use
    if "name" in columns:
        context.execute("ALTER TABLE card_status DROP COLUMN name")
    context.execute(f"ALTER TABLE card_status ADD COLUMN initials {text} NOT NULL DEFAULT ''")
    for column in ("nik_index", "kk_index", "name_index"):
        context.execute(f"ALTER TABLE card_status ADD COLUMN {column} {text}")
    for column in ("nik_index", "kk_index"):
        context.execute(f"CREATE INDEX IF NOT EXISTS card_status_by_{column} "
                        f"ON card_status ({column})")


LEGACY_NIK_REGISTERS_STEP = 4


def _card_status_columns(context: UpgradeContext) -> set[str]:
    """The columns ``card_status`` has now (none: the read model is not made yet)."""
    if context.kind == "sqlite":
        return {row[1] for row in context.execute("PRAGMA table_info(card_status)")}
    return {row[0] for row in context.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'card_status' "
        "AND table_schema = current_schema()")}


def _subject_keys(context: UpgradeContext) -> None:
    """Version 5 (issue 14): the table of per-resident data keys
    (`ektp.adapters.event_store.subjects`). Staff logins may not create tables on
    PostgreSQL, so without this step an older database seals residents' fields under the
    office key only and refuses erasure; the owner runs the upgrade, and ``ektp db init``
    then grants the staff group the table as it does the others. (SQLite's recorder makes
    the table at its first key; the step makes it at once, the same table.)"""
    from ektp.adapters.event_store.subjects import create_statement

    context.execute(create_statement(context.kind))


def _proxy_index(context: UpgradeContext) -> None:
    """Version 6 (issue 14): ``card_status`` gains ``proxy_index``, the blind index of the
    NIK of the proxy who collected a card, by which ``personal-data erase`` and the
    retention policy find what a person collected as a proxy (its projection, at version
    5, then rebuilds its rows). Altered by the login running the upgrade, as step 4 does
    (on PostgreSQL the tables' owner, so the staff group keeps its grants)."""
    columns = _card_status_columns(context)
    if not columns or "proxy_index" in columns:
        return  # no read model yet (made on first use, as today's) or already altered
    text = "TEXT" if context.kind == "sqlite" else "varchar"
    context.execute(f"ALTER TABLE card_status ADD COLUMN proxy_index {text}")
    context.execute("CREATE INDEX IF NOT EXISTS card_status_by_proxy_index "
                    "ON card_status (proxy_index)")


def legacy_nik_registers(execute: Callable[[str], Sequence[tuple[Any, ...]]]) -> bool:
    """Whether the database may hold registers under uuid5 ids: it was made before
    version 4 (its step-4 row says upgraded, not created)."""
    rows = execute(f"SELECT applied_by FROM {SCHEMA_TABLE} "
                   f"WHERE version = {LEGACY_NIK_REGISTERS_STEP}")
    return bool(rows) and "(created)" not in str(rows[0][0])


STEPS: list[UpgradeStep] = [
    UpgradeStep(1, "schema-version",
                "record the schema version (databases of ektp 0.1 have none)",
                _nothing_but_the_version),
    UpgradeStep(2, "journal",
                "build the Merkle journal for events written before it existed (issue 13)",
                _journal_is_there, _build_journal),
    UpgradeStep(3, "signed-rows",
                "record on every stored row the login that inserted it; on PostgreSQL make "
                "the event tables append-only (issue 12)",
                _sign_rows),
    UpgradeStep(LEGACY_NIK_REGISTERS_STEP, "keyed-nik-registers",
                "keep new NIK registers under keyed HMAC ids; registers made before are "
                "still found under their old ids (issue 14)",
                _keyed_nik_registers),
    UpgradeStep(5, "subject-keys",
                "make the table of per-resident data keys, so a resident's personal data can "
                "be erased (issue 14)",
                _subject_keys),
    UpgradeStep(6, "proxy-index",
                "index the hand-overs each proxy collected by a blind index of their NIK, so a "
                "person known only as a proxy can be erased (issue 14)",
                _proxy_index),
]


def current_version() -> int:
    """The schema version this ektp writes and needs."""
    return STEPS[-1].version


class SchemaState(NamedTuple):
    """What a database holds: its ektp event table (`initialised`) and its version
    (0 for a database made before versions existed)."""

    initialised: bool
    version: int

    def problem(self, where: str) -> Exception | None:
        """The refusal for a command on this database, or None when it is current."""
        current = current_version()
        if not self.initialised:
            return DatabaseNotInitialised(where=where)
        if self.version < current:
            return SchemaOutdated(where=where, found=self.version, current=current)
        if self.version > current:
            return SchemaNewer(where=where, found=self.version, current=current)
        return None


def create_statements(kind: str) -> list[str]:
    """The DDL of the ``ektp_schema`` table (safe to repeat)."""
    text = "TEXT" if kind == "sqlite" else "text"
    return [f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER PRIMARY KEY, "
            f"name {text} NOT NULL, applied_at {text} NOT NULL, applied_by {text} NOT NULL)"]


def record_statement(kind: str, step: UpgradeStep, how: str) -> str:
    """The statement recording `step` as applied (`how`: created or upgraded)."""
    from importlib.metadata import version

    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    by = f"ektp {version('ektp')} ({how})"
    values = ", ".join(_quote(v) for v in (step.name, at, by))
    conflict = " ON CONFLICT (version) DO NOTHING"
    return f"INSERT INTO {SCHEMA_TABLE} VALUES ({step.version}, {values}){conflict}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def creation_statements(kind: str) -> list[str]:
    """What a fresh database gets after its event tables: the version table with every step."""
    return create_statements(kind) + [record_statement(kind, step, "created") for step in STEPS]


# --- reading the version -------------------------------------------------------
def sqlite_state(execute: Callable[[str], Sequence[tuple[Any, ...]]]) -> SchemaState:
    """The state of a SQLite database, read with `execute`."""
    names = {row[0] for row in execute(
        "SELECT name FROM sqlite_master WHERE type='table' "
        f"AND name IN ('{EVENTS_TABLE['sqlite']}', '{SCHEMA_TABLE}')")}
    return _state(execute, EVENTS_TABLE["sqlite"] in names, SCHEMA_TABLE in names)


def postgres_state(execute: Callable[[str], Sequence[tuple[Any, ...]]]) -> SchemaState:
    """The state of a PostgreSQL database (in the connection's search path)."""
    row = execute(f"SELECT to_regclass('{EVENTS_TABLE['postgresql']}') IS NOT NULL, "
                  f"to_regclass('{SCHEMA_TABLE}') IS NOT NULL")[0]
    return _state(execute, bool(row[0]), bool(row[1]))


def _state(execute: Callable[[str], Sequence[tuple[Any, ...]]], events: bool,
           versions: bool) -> SchemaState:
    if not versions:
        return SchemaState(events, 0)
    row = execute(f"SELECT MAX(version) FROM {SCHEMA_TABLE}")
    return SchemaState(True, int(row[0][0] or 0))


def applied_steps(execute: Callable[[str], Sequence[tuple[Any, ...]]]
                  ) -> list[tuple[int, str, str, str]]:
    """(version, name, applied at, applied by) of every step recorded."""
    return [tuple(row) for row in execute(
        f"SELECT version, name, applied_at, applied_by FROM {SCHEMA_TABLE} ORDER BY version")]


def pending_steps(state: SchemaState) -> list[UpgradeStep]:
    """The steps an upgrade of a database in `state` runs, in order."""
    return [step for step in STEPS if step.version > state.version]
