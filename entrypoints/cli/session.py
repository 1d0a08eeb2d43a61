"""What every command shares: the global options, the acting user, the office."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ektp.application.office import Office
    from ektp.domain.actor import Actor


class Session:
    """The global options of one ``ektp`` invocation and the office it opened."""

    def __init__(self, db: str, as_json: bool, actor_id: str | None, role: str | None) -> None:
        self.db = db
        self.as_json = as_json
        self.actor_id = actor_id
        self.role = role
        self._office: Office | None = None

    def actor(self) -> Actor:
        """The acting user; write commands refuse to run without one."""
        from ektp.domain.actor import Actor
        from ektp.domain.errors import ActorRequired

        if not self.actor_id or not self.role:
            raise ActorRequired()
        return Actor.parse(self.actor_id, self.role)

    def office(self, *, must_exist: bool = True, create_tables: bool = True) -> Office:
        """The office at ``--db``, opened once per invocation.

        Only commands that start records (a request, a consignment, a manifest,
        ``db init``) pass ``must_exist=False``: a mistyped ``--db`` on any other
        command must not leave an empty database behind.
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
