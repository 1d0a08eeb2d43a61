"""One database URL selects the store: ``sqlite:///path``, ``postgresql://...``
or ``memory://`` (eventsourcing's in-memory POPO store, for tests and trials).

A SQLite URL may end in ``?mode=ro`` (read only) or ``?immutable=1`` (read only,
and the file is promised never to change: no locks, no ``-shm`` file, so a copy
on a read-only medium can be read); `DatabaseUrl.read_only` says either.
"""

from __future__ import annotations

import os
from typing import Literal

import attrs

from ektp.application.kernel.i18n import _
from ektp.application.errors import StoreUnavailable

DEFAULT_URL = "sqlite:///ektp.db"


@attrs.frozen
class DatabaseUrl:
    """A parsed database URL; `redacted` is safe to print."""

    kind: Literal["sqlite", "postgresql", "memory"]
    path: str = ""
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = attrs.field(default="", repr=False)
    dbname: str = ""
    mode: Literal["", "ro", "immutable"] = ""  # SQLite: how a read-only copy is opened
    # A libpq service name (``?service=kantor``): host, database, user and even the
    # password may then come from the service file (~/.pg_service.conf, PGSERVICEFILE).
    service: str = ""

    @classmethod
    def parse(cls, text: str) -> DatabaseUrl:
        """Parse `text`; raise `StoreUnavailable` naming what is wrong with it."""
        raw = text.strip()
        if raw in ("memory://", "memory:"):
            return cls("memory")
        if raw.startswith("sqlite:///"):
            path, _sep, query = raw[len("sqlite:///"):].partition("?")
            if not path:
                raise StoreUnavailable(reason=_("the sqlite URL has no file path (sqlite:///ektp.db)"))
            modes = {"mode=ro": "ro", "immutable=1": "immutable", "": ""}
            if query not in modes:
                raise StoreUnavailable(reason=(
                    _("the sqlite URL option {query!r} is not one of mode=ro, immutable=1").format(
                        query=query)))
            return cls("sqlite", path=path, mode=modes[query])  # type: ignore[arg-type]
        from urllib.parse import parse_qs, unquote, urlsplit  # only PostgreSQL URLs need it

        parts = urlsplit(raw)
        if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            try:
                port = parts.port or 5432
            except ValueError:
                raise StoreUnavailable(reason=_("the database URL has a bad port")) from None
            dbname = unquote(parts.path.lstrip("/"))
            options = parse_qs(parts.query)
            unknown = sorted(set(options) - {"service"})
            if unknown:
                raise StoreUnavailable(
                    reason=_("the database URL has an option ektp does not know: {unknown}").format(
                        unknown=unknown[0][:20]))
            service = (options.get("service") or [""])[-1]
            if not service and (not parts.hostname or not dbname):
                raise StoreUnavailable(
                    reason=_("a PostgreSQL URL needs a host and a database "
                    "(postgresql://user@host:5432/ektp), or a service (postgresql://?service=NAME)")
                )
            return cls(
                "postgresql",
                host=parts.hostname or "",
                port=port,
                user=unquote(parts.username or ""),
                password=unquote(parts.password or ""),
                dbname=dbname,
                service=service,
            )
        raise StoreUnavailable(
            reason=_("the database URL must start with sqlite:///, postgresql:// or memory://")
        )

    @property
    def redacted(self) -> str:
        """The URL without its password."""
        if self.kind == "sqlite":
            option = {"ro": "?mode=ro", "immutable": "?immutable=1"}.get(self.mode, "")
            return f"sqlite:///{self.path}{option}"
        if self.kind == "memory":
            return "memory://"
        user = f"{self.user}:***@" if self.password else (f"{self.user}@" if self.user else "")
        where = f"{self.host}:{self.port}" if self.host else ""
        service = f"?service={self.service}" if self.service else ""
        return f"postgresql://{user}{where}/{self.dbname}{service}"

    def conninfo(self) -> str:
        """The libpq connection string of the parameters the URL gives (those it leaves
        out, libpq finds itself: ~/.pgpass or PGPASSFILE for the password, a service
        file, the OS user for the user...), as psql would."""
        from psycopg.conninfo import make_conninfo

        given: dict[str, str | int] = {"host": self.host, "user": self.user,
                                       "password": self.password, "dbname": self.dbname,
                                       "service": self.service}
        kwargs = {key: value for key, value in given.items() if value}
        if self.host:
            kwargs["port"] = self.port
        return make_conninfo("", **kwargs)

    @property
    def read_only(self) -> bool:
        """Whether the URL asks for a read-only SQLite connection."""
        return self.mode != ""

    @property
    def is_scratch(self) -> bool:
        """Whether the database lives in memory and keeps nothing after the process."""
        return self.kind == "memory" or (self.kind == "sqlite" and (
            self.path == ":memory:" or "mode=memory" in self.path))

    def sqlite_uri(self) -> str:
        """The URI sqlite3 opens (``file:...`` with the read-only options)."""
        from urllib.parse import quote

        query = {"ro": "?mode=ro", "immutable": "?mode=ro&immutable=1"}.get(self.mode, "")
        if self.path == ":memory:":
            return self.path
        return f"file:{quote(os.path.abspath(self.path))}{query}"

    def reading_copy(self) -> DatabaseUrl:
        """This URL opened read only: ``immutable`` when the file has no write-ahead log
        beside it (everything is in the file), else ``ro`` (which needs the log's
        ``-shm`` index beside it, or a folder where it can be made)."""
        wal = f"{self.path}-wal"
        has_log = os.path.exists(wal) and os.path.getsize(wal) > 0
        return attrs.evolve(self, mode="ro" if has_log else "immutable")

    def writable(self) -> bool:
        """Whether this process could write the SQLite file (and its folder's -wal and -shm)."""
        folder = os.path.dirname(os.path.abspath(self.path))
        return os.access(self.path, os.W_OK) and os.access(folder, os.W_OK)
