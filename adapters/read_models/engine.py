"""The SQLAlchemy engine for the database a URL names (the event store's own).

Its connections wait and keep writes as the event store's do (`event_store.waits`,
`event_store.durability`): on SQLite the busy timeout is ``lock_timeout`` and
every connection sets ``synchronous=FULL`` itself (and is refused if it does not
read back); on PostgreSQL every connection starts with the timeouts. A read-only
SQLite URL (``mode=ro``, ``immutable=1``) opens the file read only.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from ektp.adapters.database_url import DatabaseUrl
from ektp.application.kernel.i18n import _
from ektp.adapters.office_config import DatabaseSection

WRITE_OPTION = "ektp_write"  # execution option marking a connection that will write


def engine_for(url: DatabaseUrl, settings: DatabaseSection | None = None) -> Engine:
    """An engine on the same database as the event store (`memory://` gets its own)."""
    from ektp.adapters.event_store.waits import postgres_options

    settings = settings or DatabaseSection()
    if url.kind == "postgresql":
        # What the URL leaves out, libpq finds itself (~/.pgpass, a service file, the OS
        # user), as for the event store's own connections.
        return create_engine(
            URL.create("postgresql+psycopg", username=url.user or None,
                       password=url.password or None, host=url.host or None,
                       port=url.port if url.host else None, database=url.dbname or None,
                       query={"service": url.service} if url.service else {}),
            pool_pre_ping=False, connect_args={"connect_timeout": settings.connect_timeout,
                                               "options": postgres_options(settings)},
        )
    if url.kind == "memory":
        return create_engine("sqlite://", poolclass=StaticPool,
                             connect_args={"check_same_thread": False})
    if url.read_only:
        engine = create_engine("sqlite://", creator=lambda: _read_only(url, settings))
    else:
        engine = create_engine(URL.create("sqlite", database=url.path),
                               connect_args={"timeout": settings.lock_timeout})

    @event.listens_for(engine, "connect")
    def _begin_immediately(dbapi_connection, record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN (see SQLAlchemy's
        # "Serializable isolation / Savepoints / Transactional DDL" notes).
        dbapi_connection.isolation_level = None
        if not url.read_only:
            _durable(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        # Writers (projection batches) take the write lock at BEGIN, so a batch never
        # fails half-way on a lock upgrade while a command is writing; readers don't.
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _read_only(url: DatabaseUrl, settings: DatabaseSection) -> object:
    import sqlite3

    return sqlite3.connect(url.sqlite_uri(), uri=True, timeout=settings.lock_timeout,
                           check_same_thread=False)


def _durable(dbapi_connection: object) -> None:
    """``synchronous=FULL`` on this connection, read back (as the event store's pool does)."""
    import sqlite3

    from ektp.adapters.event_store.durability import sqlite_problems

    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA synchronous=FULL")
    synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
    journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    cursor.close()
    problems = sqlite_problems(synchronous, journal)
    if problems:
        raise sqlite3.OperationalError(_(
            "the read models' connection is not durable: {problems}").format(
                
            problems=", ".join(problems)))
