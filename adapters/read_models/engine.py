"""The SQLAlchemy engine for the database a URL names (the event store's own)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from ektp.adapters.database_url import DatabaseUrl

WRITE_OPTION = "ektp_write"  # execution option marking a connection that will write


def engine_for(url: DatabaseUrl) -> Engine:
    """An engine on the same database as the event store (`memory://` gets its own)."""
    if url.kind == "postgresql":
        # What the URL leaves out, libpq finds itself (~/.pgpass, a service file, the OS
        # user), as for the event store's own connections.
        return create_engine(
            URL.create("postgresql+psycopg", username=url.user or None,
                       password=url.password or None, host=url.host or None,
                       port=url.port if url.host else None, database=url.dbname or None,
                       query={"service": url.service} if url.service else {}),
            pool_pre_ping=False, connect_args={"connect_timeout": 5},
        )
    if url.kind == "memory":
        return create_engine("sqlite://", poolclass=StaticPool,
                             connect_args={"check_same_thread": False})
    engine = create_engine(URL.create("sqlite", database=url.path), connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _begin_immediately(dbapi_connection, record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN (see SQLAlchemy's
        # "Serializable isolation / Savepoints / Transactional DDL" notes).
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        # Writers (projection batches) take the write lock at BEGIN, so a batch never
        # fails half-way on a lock upgrade while a command is writing; readers don't.
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
