"""What every command shares: the global options, the acting staff member, the office.

The office database and its settings come from the office configuration
(`ektp.adapters.office_config`: flags > environment > file > defaults). No
command creates a database but ``ektp db init`` (a missing or empty one is
refused with a line saying to run it), and an in-memory database is refused:
it would lose every write when the command ends.

Who acts is never an option: the login the operating system or the database
established for this process, in the role ``--as`` picks among those the staff
register grants it (`actor`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ektp.application.kernel.i18n import N_, _
if TYPE_CHECKING:
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.adapters.office_config import Resolved
    from ektp.application.office import Office
    from ektp.domain.actor import Actor


class Session:
    """The global options of one ``ektp`` invocation and the office it opened."""

    def __init__(self, db: str | None, as_json: bool, as_role: str | None = None) -> None:
        self.db = db
        self.as_json = as_json
        self.as_role = as_role  # --as: one of the roles the register grants
        self.config_path: str | None = None  # --config
        self.password_file: str | None = None  # --db-password-file
        self.flags: dict[str, str | None] = {}  # other settings given as flags (db init's)
        self.writes_config = False  # db init: a --config file that does not exist yet is fine
        self._office: Office | None = None
        self._settings: Resolved | None = None

    def actor(self) -> Actor:
        """The acting staff member: the login the OS or the database established for
        this process, in the role ``--as`` picks among those the register grants it
        (or its only role). The office's door checks it again at every use case."""
        return self.office().acting(self.as_role)

    def settings(self, *, read: bool = True) -> Resolved:
        """The office configuration in effect (resolved once); key paths it names are
        handed on to the code that reads their variables."""
        if self._settings is None:
            import os

            from ektp.adapters.office_config import resolve

            self._settings = resolve({"database.url": self.db, **self.flags}, os.environ,
                                     self.config_path, read=read, missing_ok=self.writes_config)
            for name, value in self._settings.exported().items():
                os.environ.setdefault(name, value)
        return self._settings

    def database(self) -> DatabaseUrl:
        """The office database's URL (`NoDatabaseConfigured` when nothing names one;
        an in-memory one is refused)."""
        from ektp.adapters.database_url import DatabaseUrl
        from ektp.application.operations import NoDatabaseConfigured, ScratchDatabaseRefused

        text = self.settings().config.database.url
        if not text:
            raise NoDatabaseConfigured()
        url = DatabaseUrl.parse(text)
        if url.is_scratch:
            raise ScratchDatabaseRefused(url=url.redacted)
        if self.password_file:
            url = _with_password(url, self.password_file)
        return url

    def office(self, *, must_exist: bool = True, create_tables: bool = False,
               check_schema: bool = True) -> Office:
        """The office database, opened once per invocation.

        Only ``db init`` passes `create_tables`; `must_exist` is kept for the older
        call sites and changes nothing (no command creates a database). Without
        `check_schema` (``db check``, ``db upgrade``) a database of another schema
        version opens too. Nobody can act in a database whose staff register
        ``db init --head`` has not founded.
        """
        if self._office is None:
            from ektp.entrypoints.cli import startup

            with startup.paused():  # imports and opening: no garbage worth collecting
                self._office = self._open(create_tables=create_tables, check_schema=check_schema)
        return self._office

    def _open(self, *, create_tables: bool, check_schema: bool) -> Office:
        """Open the office database (`office`)."""
        from ektp.application.config import OfficeConfig
        from ektp.entrypoints.cli import signals
        from ektp.entrypoints.composition import open_office

        url = self.database()  # refuses what no command may open
        resolved = self.settings().config
        office = OfficeConfig(office_code=resolved.office.code,
                              office_name=resolved.office.name,
                              regency=resolved.office.regency)
        opened = open_office(
            url, config=office,
            settings=resolved.database, must_exist=not create_tables,
            create_tables=create_tables, check_schema=check_schema, warn=_warn)
        signals.defer_during_writes(opened.store.app)
        return opened

    def close(self) -> None:
        """Release the office's connections."""
        if self._office is not None:
            self._office.close()
            self._office = None


def _with_password(url: DatabaseUrl, path: str) -> DatabaseUrl:
    """`url` with the password of the file `path` (``--db-password-file``): kept in this
    process and handed to libpq and the PostgreSQL tools, never on a command line."""
    import attrs

    from ektp.adapters.files import read_secret
    from ektp.application.errors import FileRefused

    if url.kind != "postgresql":
        raise FileRefused(path=path, reason=_("--db-password-file is for a PostgreSQL database"))
    if url.password:
        raise FileRefused(path=path, reason=(
            _("the database URL carries a password too; take it out of the URL")))
    return attrs.evolve(url, password=read_secret(path, N_("password file")))


def _warn(text: str) -> None:
    click.echo(_("ektp: warning: {text}").format(text=text), err=True)


def session() -> Session:
    """The current invocation's session."""
    return click.get_current_context().find_object(Session)  # type: ignore[return-value]
