"""`decide`: the staff register's rules. Given a member's state, the roster and a
command, the member's new events and the roster's, or a named refusal. Pure.

The rules: the register is founded once, with a head; after that only a head
changes it (`PERMISSIONS`); a login is enrolled once; a role is granted only
if not held and revoked only if held; and the office never loses its last
active head of office, whether by revoking the role or by a suspension.
"""

from __future__ import annotations

from typing import Any, TypeVar, assert_never, cast

from ektp.domain.actor import Role, require_permission
from ektp.domain.errors import (
    AlreadySuspended,
    LastHead,
    NotSuspended,
    RegisterAlreadyFounded,
    RegisterEmpty,
    RoleAlreadyHeld,
    RoleNotHeld,
    StaffAlreadyEnrolled,
    StaffNotFound,
)
from ektp.domain.event import next_event
from ektp.domain.staff import commands as cmd
from ektp.domain.staff import events as ev
from ektp.domain.staff.state import Roster, StaffMember, member_id, roster_id
from ektp.domain.staff.vocabulary import role_list

E = TypeVar("E", bound=ev.StaffEvent)
Decision = tuple[list[ev.StaffEvent], list[ev.RosterEvent]]


def decide(member: StaffMember | None, roster: Roster | None,
           command: cmd.StaffCommand) -> Decision:
    """The member's and the roster's events for `command`, or raise the named refusal."""
    c = cast("cmd.AnyStaffCommand", command)
    require_permission(c.actor, c.action)  # before anything else: roles come first
    match c:
        case cmd.FoundRegister():
            return _found(member, roster, c)
        case _ if roster is None:
            raise RegisterEmpty()
        case cmd.Enrol():
            return _enrol(member, roster, c)
        case _ if member is None:
            raise StaffNotFound(login=c.login)
        case cmd.GrantRole():
            return _grant(member, roster, c)
        case cmd.RevokeRole():
            return _revoke(member, roster, c)
        case cmd.Suspend():
            return _suspend(member, roster, c)
        case cmd.Reinstate():
            return _reinstate(member, roster, c)
        case _:
            assert_never(c)


def _new(event_type: type[E], member: StaffMember, c: cmd.StaffCommand, **facts: Any) -> E:
    return next_event(event_type, member.id, member.version, c, login=member.login, **facts)


def _heads(roster: Roster | None, c: cmd.StaffCommand, heads: frozenset[str],
           version: int | None = None) -> ev.HeadsChanged:
    """The roster's event for a new set of active heads."""
    at = roster.version if roster is not None else 0
    return next_event(ev.HeadsChanged, roster_id(c.office), at if version is None else version,
                      c, heads=tuple(sorted(heads)))


def _listed(roster: Roster | None, c: cmd.StaffCommand) -> ev.StaffListed:
    at = roster.version if roster is not None else 0
    return next_event(ev.StaffListed, roster_id(c.office), at, c, login=c.login)


def _found(member: StaffMember | None, roster: Roster | None, c: cmd.FoundRegister) -> Decision:
    if roster is not None:
        raise RegisterAlreadyFounded(heads=", ".join(sorted(roster.heads)) or "none")
    if member is not None:
        raise StaffAlreadyEnrolled(login=c.login)
    enrolled = next_event(ev.StaffEnrolled, member_id(c.office, c.login), 0, c, login=c.login,
                          name=c.name, nip=c.nip, roles=(Role.HEAD,))
    listed = _listed(None, c)
    return [enrolled], [listed, _heads(None, c, frozenset({c.login}), version=1)]


def _enrol(member: StaffMember | None, roster: Roster, c: cmd.Enrol) -> Decision:
    if member is not None or c.login in roster.members:
        raise StaffAlreadyEnrolled(login=c.login)
    if not c.roles:
        raise TypeError("an enrolment names at least one role")
    enrolled = next_event(ev.StaffEnrolled, member_id(c.office, c.login), 0, c, login=c.login,
                          name=c.name, nip=c.nip, roles=c.roles)
    roster_events: list[ev.RosterEvent] = [_listed(roster, c)]
    if Role.HEAD in c.roles:
        roster_events.append(_heads(roster, c, roster.heads | {c.login}, roster.version + 1))
    return [enrolled], roster_events


def _without_head(member: StaffMember, roster: Roster, c: cmd.StaffCommand) -> list[ev.RosterEvent]:
    """The roster's change when `member` stops being an active head; refused if last."""
    if not member.acting_head:
        return []
    heads = roster.heads - {member.login}
    if not heads:
        raise LastHead(login=member.login)
    return [_heads(roster, c, heads)]


def _grant(member: StaffMember, roster: Roster, c: cmd.GrantRole) -> Decision:
    if member.holds(c.role):
        raise RoleAlreadyHeld(login=member.login, role=c.role.value)
    roster_events: list[ev.RosterEvent] = []
    if c.role is Role.HEAD and member.active:
        roster_events.append(_heads(roster, c, roster.heads | {member.login}))
    return [_new(ev.RoleGranted, member, c, role=c.role)], roster_events


def _revoke(member: StaffMember, roster: Roster, c: cmd.RevokeRole) -> Decision:
    if not member.holds(c.role):
        raise RoleNotHeld(login=member.login, role=c.role.value, held=role_list(member.roles))
    roster_events = _without_head(member, roster, c) if c.role is Role.HEAD else []
    return [_new(ev.RoleRevoked, member, c, role=c.role)], roster_events


def _suspend(member: StaffMember, roster: Roster, c: cmd.Suspend) -> Decision:
    if member.suspended:
        raise AlreadySuspended(login=member.login, reason=member.suspended_reason or "")
    roster_events = _without_head(member, roster, c)
    return [_new(ev.StaffSuspended, member, c, reason=c.reason)], roster_events


def _reinstate(member: StaffMember, roster: Roster, c: cmd.Reinstate) -> Decision:
    if not member.suspended:
        raise NotSuspended(login=member.login)
    roster_events: list[ev.RosterEvent] = []
    if member.holds(Role.HEAD):
        roster_events.append(_heads(roster, c, roster.heads | {member.login}))
    return [_new(ev.StaffReinstated, member, c, reason=c.reason)], roster_events
