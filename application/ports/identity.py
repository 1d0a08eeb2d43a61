"""The identity port: who is calling, as something other than the caller established it.

ektp never takes a caller's word for who they are. The operating system (the
user running the process, for an SQLite file), the database (the login of the
store's own connection, for PostgreSQL) or a host program's own authentication
(for an embedding program) establishes the identity; the office looks that
login up in its staff register and checks, at the door of every use case, that
the `Actor` a call names is that login in a role the register grants it.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class Identity:
    """An established identity: the login, and how it was established (for messages
    and ``ektp whoami``: "operating-system user", "database login", "host program").
    A plain immutable class, not an attrs class or a named tuple: every command
    imports it, and this one costs nothing to define at start-up."""

    __slots__ = ("login", "established_by")
    login: str
    established_by: str

    def __init__(self, login: str, established_by: str) -> None:
        object.__setattr__(self, "login", login)
        object.__setattr__(self, "established_by", established_by)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("an Identity is immutable")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Identity) and other.login == self.login
                and other.established_by == self.established_by)

    def __hash__(self) -> int:
        return hash((self.login, self.established_by))

    def __repr__(self) -> str:
        return f"Identity(login={self.login!r}, established_by={self.established_by!r})"


class IdentityProvider(Protocol):
    """Gives the established identity of whoever is calling now; adapters and test
    fakes subclass it explicitly."""

    @abstractmethod
    def identify(self, claimed: str | None) -> Identity | None:
        """The caller's established identity, or None when nobody is established.

        `claimed` is the login the call names (the `Actor`'s id), or None when the
        caller asks who they are (``ektp whoami``). A provider that knows one
        caller (the process's OS user, the connection's database login) ignores
        it. A host program that holds several authenticated sessions at once (a
        counter where clerks sign in, a web server's request) may use it to pick
        that login's session, and must return None unless that session is
        authenticated: the door compares the login returned with the claim, so a
        provider that merely echoes the claim would let anyone act as anyone.
        """

    @property
    @abstractmethod
    def description(self) -> str:
        """How this provider establishes identities, for messages ("operating-system user")."""
