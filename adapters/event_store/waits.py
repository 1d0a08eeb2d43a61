"""How long the store waits, and saying what it waited for.

- **SQLite**: the busy timeout (``lock_timeout`` seconds) is how long a writer
  waits for the write lock another process holds; it is eventsourcing's
  ``SQLITE_LOCK_TIMEOUT`` (the ``timeout`` of ``sqlite3.connect``) and the read
  models' engine's.
- **PostgreSQL**: every connection ektp opens (the event store's pool, the read
  models' engine, the first probing connection) starts with ``lock_timeout``
  and ``statement_timeout`` set, and with ``synchronous_commit=on`` whatever the
  server's default (see `durability`). eventsourcing's insert sets its own
  ``SET LOCAL lock_timeout`` from ``POSTGRES_LOCK_TIMEOUT``, which is the same
  number. ``connect_timeout`` bounds the wait for the server to answer.

eventsourcing retries a failed statement on PostgreSQL up to ten times, which
for a lock or statement timeout would multiply the wait by ten: `tune_postgres`
makes those two failures final at once (`ExplainedFailure`, not retried), each
with one sentence naming what was waited for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import IntegrityError, PersistenceError

if TYPE_CHECKING:
    from eventsourcing.application import Application

    from ektp.adapters.office_config import DatabaseSection


class ExplainedFailure(PersistenceError):
    """A lock or statement timeout (or a write to a read-only copy): final, with a sentence
    saying what happened (a `PersistenceError` but not an `OperationalError`, so
    eventsourcing does not retry it)."""


def postgres_options(settings: DatabaseSection, *, synchronous: bool = True) -> str:
    """The libpq ``options`` every ektp connection to PostgreSQL starts with."""
    options = (f"-c lock_timeout={settings.lock_timeout}s "
               f"-c statement_timeout={settings.statement_timeout}s")
    if synchronous:
        options += " -c synchronous_commit=on"
    return options


def explain(error: BaseException | None, settings: DatabaseSection, where: str) -> str | None:
    """The sentence for a wait that timed out, or a write to a read-only file (`error`
    from sqlite3 or psycopg), or None."""
    if error is None:
        return None
    text = str(error).strip()
    if "attempt to write a readonly database" in text:
        return f"{where} is open read only (a copy, or a file this user cannot write); nothing was written"
    if "database is locked" in text or "database table is locked" in text:
        return (f"waited {settings.lock_timeout} s for the write lock that another process "
                f"holds on {where} (lock_timeout); nothing was written")
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate == "55P03" or "lock timeout" in text:
        return (f"waited {settings.lock_timeout} s for a lock that another session holds on "
                f"{where}{_relation(error)} (lock_timeout); nothing was written")
    if type(error).__name__ == "PoolTimeout" or "couldn't get a connection" in text:
        return (f"no connection to {where} within {settings.connect_timeout} s (connect_timeout; "
                "is the server running?); if a write was under way, look whether it was "
                "recorded before doing it again")
    if "disk I/O error" in text or "disk is full" in text or sqlstate == "53100":
        return f"the disk holding {where} is full or failing ({text.splitlines()[0]}){_free(where)}; nothing was written"
    if sqlstate == "57014" and "statement timeout" in text:
        return (f"a statement ran longer than statement_timeout ({settings.statement_timeout} s) "
                f"on {where} and was cancelled; nothing was written")
    return None


def _free(where: str) -> str:
    """``, N bytes free`` on a local file's disk (a server's disk is not ours to look at)."""
    import os

    folder = os.path.dirname(os.path.abspath(where)) if "://" not in where else None
    if folder is None or not os.path.isdir(folder):
        return ""
    stats = os.statvfs(folder)
    return f", {stats.f_bavail * stats.f_frsize} bytes free"


def _relation(error: BaseException) -> str:
    """`` (the table T)`` when the server says which relation it was locking."""
    diag = getattr(error, "diag", None)
    context = (getattr(diag, "context", None) or "") if diag is not None else ""
    if 'relation "' in context:
        return " (table " + context.split('relation "', 1)[1].split('"', 1)[0] + ")"
    return ""


def tune_postgres(store: Application[Any], settings: DatabaseSection, where: str) -> None:
    """Every connection of the pool with the timeouts and ``synchronous_commit=on``, and
    a timeout final. New connections start with them (libpq ``options``); the few that
    eventsourcing opened while it was being built get them set on their first use."""
    datastore = store.factory.datastore  # type: ignore[attr-defined]
    datastore.pool.kwargs["options"] = postgres_options(settings)
    setting = [f"SET lock_timeout = '{int(settings.lock_timeout)}s'",
               f"SET statement_timeout = '{int(settings.statement_timeout)}s'",
               "SET synchronous_commit = on"]
    opener = datastore.get_connection

    @contextmanager
    def tuned() -> Iterator[Any]:
        with opener() as connection:
            if not getattr(connection, "_ektp_tuned", False):
                for statement in setting:
                    connection.execute(statement)
                connection._ektp_tuned = True
            yield connection

    datastore.get_connection = _translating(tuned, settings, where)


def tune_sqlite(store: Application[Any], settings: DatabaseSection, where: str) -> None:
    """Say what a writer waited for when the busy timeout ran out."""
    datastore = store.factory.datastore  # type: ignore[attr-defined]
    datastore.transaction = _translating(datastore.transaction, settings, where)


def _translating(opener: Any, settings: DatabaseSection, where: str) -> Any:
    """`opener` (a context manager factory of eventsourcing's datastore) whose timeouts
    become `ExplainedFailure`."""

    @contextmanager
    def opened(*args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            with opener(*args, **kwargs) as resource:
                yield resource
        except PersistenceError as error:
            if isinstance(error, IntegrityError):  # a conflict: the kernel's to report
                raise
            sentence = explain(error.__cause__ or error, settings, where)
            if sentence is None:
                raise
            raise ExplainedFailure(sentence) from None

    return opened
