"""What a head of office asks of the staff register. Values arrive already
validated (logins parsed, names checked).

Each command class names the permission its actor needs (`action`, a key of
`ektp.domain.actor.PERMISSIONS`): a class constant, not an attrs field."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, TypeAlias

import attrs

from ektp.domain.actor import Actor, Role


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class StaffCommand:
    """Who asks, when, in which office, and about which login."""

    action: ClassVar[str]

    actor: Actor
    at: dt.datetime
    office: str
    login: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class FoundRegister(StaffCommand):
    """Create the register with its first head of office, `login` (only when it is empty)."""

    action: ClassVar[str] = "found the staff register"

    name: str | None = None
    nip: str | None = None


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class Enrol(StaffCommand):
    """Enrol `login` with a name, an optional NIP and one or more roles."""

    action: ClassVar[str] = "enrol staff"

    name: str
    nip: str | None = None
    roles: tuple[Role, ...]


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class GrantRole(StaffCommand):
    """Let the member act in `role` too."""

    action: ClassVar[str] = "grant a role"

    role: Role


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class RevokeRole(StaffCommand):
    """Take `role` away from the member."""

    action: ClassVar[str] = "revoke a role"

    role: Role


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class Suspend(StaffCommand):
    """Stop the member from doing anything, for `reason`."""

    action: ClassVar[str] = "suspend staff"

    reason: str


@attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
class Reinstate(StaffCommand):
    """Let a suspended member act again, for `reason`."""

    action: ClassVar[str] = "reinstate staff"

    reason: str


# Every concrete staff command: `decide` matches on this closed union.
AnyStaffCommand: TypeAlias = FoundRegister | Enrol | GrantRole | RevokeRole | Suspend | Reinstate
