"""What every command shares: the global options, the acting staff member, the office."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ektp.application.office import Office
    from ektp.domain.actor import Actor


class Session:
    """The global options of one ``ektp`` invocation and the office it opened."""

    def __init__(self, db: str, as_json: bool, as_role: str | None = None) -> None:
        self.db = db
        self.as_json = as_json
        self.as_role = as_role  # --as: one of the roles the register grants
        self._office: Office | None = None

    def actor(self) -> Actor:
        """The acting staff member: the login the OS or the database established for
        this process, in the role ``--as`` picks among those the register grants it
        (or its only role). The office's door checks it again at every use case."""
        return self.office().acting(self.as_role)

    def office(self, *, must_exist: bool = True, create_tables: bool = True) -> Office:
        """The office at ``--db``, opened once per invocation.

        Only ``db init`` passes ``must_exist=False``: a mistyped ``--db`` on any
        other command must not leave an empty database behind (and nobody can act
        in a database whose staff register ``db init --head`` has not founded).
        """
        if self._office is None:
            from ektp.entrypoints.composition import open_office

            self._office = open_office(self.db, must_exist=must_exist, create_tables=create_tables)
        return self._office

    def close(self) -> None:
        """Release the office's connections."""
        if self._office is not None:
            self._office.close()
            self._office = None


def session() -> Session:
    """The current invocation's session."""
    return click.get_current_context().find_object(Session)  # type: ignore[return-value]
