"""The staff register's events. Their module path is stored with every event:
never move or rename one.

Each staff member has a stream of their own (`state.member_id`: derived from
the office and the login), so a member's record is read in one short stream.
The office's roster (`state.roster_id`) is a second, tiny stream: which logins
are enrolled (for listing) and which of them are active heads of office. Every
change to the set of active heads writes the roster in the same transaction as
the member's stream, so two heads demoting each other at the same moment
write the same roster version and the store lets only one of them in: the
other is decided again and refused when it would leave no head.

The acting head of each event is its `actor`; `login` names the member the
event is about (so an export shows who was enrolled or suspended).
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from ektp.domain.actor import Role
from ektp.domain.event import DomainEvent
from ektp.domain.staff.vocabulary import to_logins, to_roles


# The two bases carry no field of their own, so they are plain subclasses, not attrs
# classes: every command reads its actor's record, hence imports this module, and an
# attrs class costs about half a millisecond to create (``ektp card ready``'s budget).
class StaffEvent(DomainEvent):
    """Base of a staff member's events; each carries `login`, the member it is about."""

    login: str


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class StaffEnrolled(StaffEvent):
    """A head of office enrolled `login` (the stream's first event). `name` is None only
    for the register's first head when ``db init`` was given no name."""

    login: str
    name: str | None
    nip: str | None
    roles: tuple[Role, ...] = attrs.field(converter=to_roles)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class RoleGranted(StaffEvent):
    """The member may now act in `role` too."""

    login: str
    role: Role = attrs.field(converter=Role)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class RoleRevoked(StaffEvent):
    """The member may no longer act in `role`."""

    login: str
    role: Role = attrs.field(converter=Role)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class StaffSuspended(StaffEvent):
    """The member may do nothing until reinstated; their roles are kept."""

    login: str
    reason: str


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class StaffReinstated(StaffEvent):
    """A suspended member may act again in the roles they hold."""

    login: str
    reason: str


class RosterEvent(DomainEvent):
    """Base of the roster's events (the office-wide index of the register)."""


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class StaffListed(RosterEvent):
    """`login` was enrolled: the roster lists it (``ektp staff list``)."""

    login: str


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class HeadsChanged(RosterEvent):
    """The set of active heads of office is now `heads` (never empty once founded)."""

    heads: tuple[str, ...] = attrs.field(converter=to_logins)


# Every concrete member event and roster event: `evolve` matches on these closed
# unions, so mypy reports a class added here without a rule there.
AnyStaffEvent: TypeAlias = (
    StaffEnrolled | RoleGranted | RoleRevoked | StaffSuspended | StaffReinstated
)
AnyRosterEvent: TypeAlias = StaffListed | HeadsChanged
