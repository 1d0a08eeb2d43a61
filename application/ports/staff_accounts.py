"""The staff-accounts port: the logins the identity provider will establish.

The register says who may act; the accounts are how each person signs in. On
PostgreSQL that is a database login in the office's group role (created by
ektp when the head's own login may create roles, otherwise given as SQL for
the database administrator); on an SQLite file it is an operating-system
account allowed to open the file, which the machine's administrator creates.
Each method does what it can and says what is left to do, in one line each.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class StaffAccounts(Protocol):
    """Keeps the sign-in accounts in step with the register; adapters subclass it."""

    @abstractmethod
    def enrolled(self, login: str) -> tuple[str, ...]:
        """`login` was enrolled: make its account able to act, or say how to."""

    @abstractmethod
    def suspended(self, login: str) -> tuple[str, ...]:
        """`login` was suspended: stop its account signing in, or say how to."""

    @abstractmethod
    def reinstated(self, login: str) -> tuple[str, ...]:
        """`login` was reinstated: let its account sign in again, or say how to."""


class NoAccounts(StaffAccounts):
    """A store with no accounts of its own (the in-memory store, a host program's users)."""

    def enrolled(self, login: str) -> tuple[str, ...]:
        """Nothing to do."""
        return ()

    def suspended(self, login: str) -> tuple[str, ...]:
        """Nothing to do."""
        return ()

    def reinstated(self, login: str) -> tuple[str, ...]:
        """Nothing to do."""
        return ()
