"""One database URL selects the store: ``sqlite:///path``, ``postgresql://...``
or ``memory://`` (eventsourcing's in-memory POPO store, for tests and trials)."""

from __future__ import annotations

from typing import Literal

import attrs

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
            path = raw[len("sqlite:///"):]
            if not path:
                raise StoreUnavailable(reason="the sqlite URL has no file path (sqlite:///ektp.db)")
            return cls("sqlite", path=path)
        from urllib.parse import parse_qs, unquote, urlsplit  # only PostgreSQL URLs need it

        parts = urlsplit(raw)
        if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            try:
                port = parts.port or 5432
            except ValueError:
                raise StoreUnavailable(reason="the database URL has a bad port") from None
            dbname = unquote(parts.path.lstrip("/"))
            query = parse_qs(parts.query)
            unknown = sorted(set(query) - {"service"})
            if unknown:
                raise StoreUnavailable(
                    reason=f"the database URL has an option ektp does not know: {unknown[0][:20]}")
            service = (query.get("service") or [""])[-1]
            if not service and (not parts.hostname or not dbname):
                raise StoreUnavailable(
                    reason="a PostgreSQL URL needs a host and a database "
                    "(postgresql://user@host:5432/ektp), or a service (postgresql://?service=NAME)"
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
            reason="the database URL must start with sqlite:///, postgresql:// or memory://"
        )

    @property
    def redacted(self) -> str:
        """The URL without its password."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
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

