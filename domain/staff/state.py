"""The staff register's states, stream ids, and `evolve`/`project` for both streams.

A member's state says what the door needs: the roles held and whether the
member is suspended. The roster's state lists the enrolled logins and the
active heads of office.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, assert_never, cast
from uuid import UUID

import attrs

from ektp.domain.actor import Role
from ektp.domain.errors import StaffNotFound
from ektp.domain.staff import events as ev

_NAMESPACE = UUID("0d5b6b8e-3c1f-4f0e-9a59-6f3c2b1e7a44")  # fixed forever: stream ids depend on it


def _uuid5(name: str) -> UUID:
    """`uuid.uuid5(_NAMESPACE, name)`, with the interpreter's built-in SHA-1: every
    command reads its actor's record, and `uuid5` imports `hashlib` (OpenSSL), a few
    milliseconds of a command's start-up that `card ready` would otherwise not pay."""
    data = _NAMESPACE.bytes + name.encode("utf-8")
    try:
        import _sha1  # type: ignore[import-not-found]

        digest: bytes = _sha1.sha1(data).digest()
    except ImportError:  # an interpreter without the built-in module
        import hashlib

        digest = hashlib.sha1(data).digest()
    return UUID(bytes=digest[:16], version=5)


@lru_cache(maxsize=1024)
def member_id(office: str, login: str) -> UUID:
    """The stream id of `login`'s record in `office`'s register (a UUID5 of the office and login)."""
    return _uuid5(f"staff/{office}/{login}")


@lru_cache(maxsize=64)
def roster_id(office: str) -> UUID:
    """The stream id of `office`'s roster."""
    return _uuid5(f"roster/{office}")


# eq and repr are not generated (nothing compares states; fewer methods compiled at
# start-up: every command reads its actor's record).
@attrs.frozen(slots=False, eq=False, repr=False)
class StaffMember:
    """One member of the register, as of `version`."""

    id: UUID
    version: int
    login: str
    name: str | None
    nip: str | None
    roles: frozenset[Role]
    enrolled_at: dt.datetime
    enrolled_by: str
    suspended: bool = False
    suspended_reason: str | None = None
    changed_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        """Not suspended."""
        return not self.suspended

    @property
    def acting_head(self) -> bool:
        """An active member holding the head role: one of the roster's heads."""
        return self.active and Role.HEAD in self.roles

    def holds(self, role: Role) -> bool:
        """Whether the member holds `role` (suspended or not)."""
        return role in self.roles

    @property
    def ordered_roles(self) -> tuple[Role, ...]:
        """The roles held, in the office's order of roles."""
        return tuple(role for role in Role if role in self.roles)


@attrs.frozen(slots=False, eq=False, repr=False)
class Roster:
    """The office's index of the register: enrolled logins and active heads."""

    id: UUID
    version: int
    members: tuple[str, ...] = ()
    heads: frozenset[str] = frozenset()


def _next(member: StaffMember | None, event: ev.StaffEvent, **changes: Any) -> StaffMember:
    if member is None:
        raise TypeError(f"{type(event).__name__} cannot start a staff member's history")
    return attrs.evolve(member, version=event.originator_version, changed_at=event.timestamp,
                        **changes)


def _apply(e: ev.AnyStaffEvent, member: StaffMember | None) -> StaffMember | None:
    """The member after `e`, or None if `e` is not a member event."""
    match e:
        case ev.StaffEnrolled():
            return StaffMember(
                id=e.originator_id, version=e.originator_version, login=e.login, name=e.name,
                nip=e.nip, roles=frozenset(e.roles), enrolled_at=e.timestamp,
                enrolled_by=e.actor.id)
        case ev.RoleGranted():
            assert member is not None
            return _next(member, e, roles=member.roles | {e.role})
        case ev.RoleRevoked():
            assert member is not None
            return _next(member, e, roles=member.roles - {e.role})
        case ev.StaffSuspended():
            return _next(member, e, suspended=True, suspended_reason=e.reason)
        case ev.StaffReinstated():
            return _next(member, e, suspended=False, suspended_reason=None)
        case _:
            # For mypy (a member event class without a case); at run time another
            # stream's event, which `project` refuses.
            if TYPE_CHECKING:
                assert_never(e)
            return None


def evolve(member: StaffMember | None, event: ev.StaffEvent) -> StaffMember:
    """The member after `event` (None before the first)."""
    after = _apply(cast("ev.AnyStaffEvent", event), member)
    if after is None:
        raise KeyError(type(event))
    return after


def project(member: StaffMember | None, events: Iterable[ev.StaffEvent]) -> StaffMember | None:
    """Fold a member's events: the projector the event store's repository calls."""
    for event in events:
        after = _apply(cast("ev.AnyStaffEvent", event), member)
        if after is None:  # the stream is not a staff member's
            raise StaffNotFound(login=getattr(event, "login", str(event.originator_id)))
        member = after
    return member


def _apply_roster(e: ev.AnyRosterEvent, roster: Roster | None) -> Roster | None:
    base = roster or Roster(e.originator_id, 0)
    match e:
        case ev.StaffListed():
            return attrs.evolve(base, version=e.originator_version,
                                members=(*base.members, e.login))
        case ev.HeadsChanged():
            return attrs.evolve(base, version=e.originator_version, heads=frozenset(e.heads))
        case _:
            if TYPE_CHECKING:
                assert_never(e)
            return None


def evolve_roster(roster: Roster | None, event: ev.RosterEvent) -> Roster:
    """The roster after `event`."""
    after = _apply_roster(cast("ev.AnyRosterEvent", event), roster)
    if after is None:
        raise KeyError(type(event))
    return after


def project_roster(roster: Roster | None, events: Iterable[ev.RosterEvent]) -> Roster | None:
    """Fold the roster's events."""
    for event in events:
        after = _apply_roster(cast("ev.AnyRosterEvent", event), roster)
        if after is None:
            raise TypeError(f"{type(event).__name__} is not a roster event")
        roster = after
    return roster
