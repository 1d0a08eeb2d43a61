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
        from urllib.parse import unquote, urlsplit  # only PostgreSQL URLs need it

        parts = urlsplit(raw)
        if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            try:
                port = parts.port or 5432
            except ValueError:
                raise StoreUnavailable(reason="the database URL has a bad port") from None
            dbname = unquote(parts.path.lstrip("/"))
            if not parts.hostname or not dbname:
                raise StoreUnavailable(
                    reason="a PostgreSQL URL needs a host and a database "
                    "(postgresql://user:password@host:5432/ektp)"
                )
            return cls(
                "postgresql",
                host=parts.hostname,
                port=port,
                user=unquote(parts.username or ""),
                password=unquote(parts.password or ""),
                dbname=dbname,
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
        return f"postgresql://{user}{self.host}:{self.port}/{self.dbname}"

