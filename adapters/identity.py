"""Identity providers: who is calling, as the operating system, the database or the
host program established it (never as the caller declares it).

- `OperatingSystemUser`: the effective user of this process (``pwd`` on the
  effective uid, never ``$USER``, which anyone can set). The identity of an
  SQLite office: whoever may open the file is the OS user they logged in as.
- `DatabaseLogin`: the ``session_user`` of the store's own PostgreSQL
  connection: the server authenticated it (password from ``~/.pgpass``,
  ``PGPASSFILE`` or a service file, a certificate, peer authentication).
- `HostProgram`: a program embedding ektp asks its own authentication, per
  call, through a function it gives (a web server answers from the current
  request's session; each thread of the host asks for its own caller).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ektp.application.kernel.i18n import N_
from ektp.application.ports.identity import Identity, IdentityProvider


def os_login() -> str | None:
    """The login of this process's effective user, or None if it has no passwd entry."""
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return None


class OperatingSystemUser(IdentityProvider):
    """The effective OS user of this process (read once: it does not change)."""

    def __init__(self) -> None:
        login = os_login()
        self._identity = Identity(login, self.description) if login else None

    @property
    def description(self) -> str:
        """How identities are established."""
        return N_("operating-system user")

    def identify(self, claimed: str | None) -> Identity | None:
        """The process's OS user, whatever the call claims."""
        return self._identity


class DatabaseLogin(IdentityProvider):
    """The PostgreSQL login (``session_user``) the store's connections were opened as."""

    def __init__(self, login: str) -> None:
        self._identity = Identity(login, self.description)

    @property
    def description(self) -> str:
        """How identities are established."""
        return N_("database login")

    def identify(self, claimed: str | None) -> Identity | None:
        """The connection's login, whatever the call claims."""
        return self._identity


class HostProgram(IdentityProvider):
    """The host program's own authentication: `who(claimed)` gives the login it has
    authenticated for the current call (or None), e.g. from a web request's session.

    `who` receives the login the call names so that a host holding several
    authenticated sessions at once can answer for that one; it must return a login
    only if the host itself authenticated it (see `IdentityProvider.identify`).
    """

    def __init__(self, who: Callable[[str | None], str | None],
                 established_by: str = N_("host program")) -> None:
        self._who = who
        self._how = established_by

    @property
    def description(self) -> str:
        """How identities are established."""
        return self._how

    def identify(self, claimed: str | None) -> Identity | None:
        """The host's answer for this call."""
        login = self._who(claimed)
        return Identity(login, self._how) if login else None
