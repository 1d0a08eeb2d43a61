"""The staff desk: the register's use cases (``ektp staff``, ``ektp whoami``, and the
founding in ``ektp db init --head``).

Each write reads as every use case does: check the typed values, the door,
then one `Store.transact` that loads the member and the roster, decides with
`domain.staff.decide`, and records both. The roster is loaded as a shared
stream: two heads changing the register at the same moment conflict on it,
and the loser is decided again on the roster read fresh (which is how "a head
cannot revoke the last head" holds under concurrency). The member's sign-in
account follows afterwards (`StaffAccounts`), outside the transaction: the
register is the record; an account step left to do is returned as a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from ektp.application.kernel import authority
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Transaction
from ektp.application.ports.staff_accounts import StaffAccounts
from ektp.application.staff.door import StaffDoor
from ektp.application.staff.views import StaffView, WhoAmI
from ektp.domain.actor import Actor, Role, parse_role
from ektp.domain.errors import InvalidChoice, StaffNotFound
from ektp.domain.staff import commands as cmd
from ektp.domain.staff.decide import decide
from ektp.domain.staff.state import (
    Roster,
    StaffMember,
    member_id,
    project,
    project_roster,
    roster_id,
)
from ektp.domain.staff.vocabulary import parse_login, parse_nip
from ektp.domain.text import parse_name, parse_text

SEE_REGISTER = "see the staff register"


class StaffDesk:
    """Who may act for the office, in which roles."""

    def __init__(self, services: Services, door: StaffDoor, accounts: StaffAccounts) -> None:
        self._services = services
        self._door = door
        self._accounts = accounts

    # --- writes ----------------------------------------------------------------
    def found(self, founder: Actor, head: str, *, name: str | None = None,
              nip: str | None = None) -> StaffView:
        """Create the register with its first head of office (only when it is empty).

        `founder` is whoever founds it, acting as head for this one event: the
        database owner running ``ektp db init --head``, the OS user creating the
        file, or a host program's administrator. Only the identity check of the
        door applies (there is no register yet to look them up in).
        """
        s = self._services
        login = parse_login(head, "head of office's login")
        the_name = parse_name(name) if name else None
        the_nip = parse_nip(nip) if nip else None
        self._door.verify(founder)
        authority.hold(None)  # no member's grant guards the register's first events
        command = cmd.FoundRegister(**s.stamp(founder), login=login, name=the_name, nip=the_nip)
        member = self._change(command)
        return StaffView.of(member, self._accounts.enrolled(login))

    def enrol(self, actor: Actor, login: str, *, name: str, roles: Iterable[str | Role],
              nip: str | None = None) -> StaffView:
        """Enrol a member with a name, an optional NIP and one or more roles (a head's act)."""
        s = self._services
        the_login = parse_login(login)
        command = cmd.Enrol(**s.stamp(actor), login=the_login, name=parse_name(name),
                            nip=parse_nip(nip) if nip else None, roles=_roles(roles))
        s.authorise(actor, cmd.Enrol.action)
        member = self._change(command)
        return StaffView.of(member, self._accounts.enrolled(the_login))

    def grant(self, actor: Actor, login: str, role: str | Role) -> StaffView:
        """Let a member act in `role` too."""
        return self._simple(actor, cmd.GrantRole, login, role=_role(role))

    def revoke(self, actor: Actor, login: str, role: str | Role) -> StaffView:
        """Take `role` from a member (never the office's last active head)."""
        return self._simple(actor, cmd.RevokeRole, login, role=_role(role))

    def suspend(self, actor: Actor, login: str, reason: str) -> StaffView:
        """Stop a member from doing anything (never the office's last active head)."""
        view = self._simple(actor, cmd.Suspend, login, reason=parse_text(reason, "reason"))
        return _with_notes(view, self._accounts.suspended(view.login))

    def reinstate(self, actor: Actor, login: str, reason: str) -> StaffView:
        """Let a suspended member act again in the roles they hold."""
        view = self._simple(actor, cmd.Reinstate, login, reason=parse_text(reason, "reason"))
        return _with_notes(view, self._accounts.reinstated(view.login))

    def _simple(self, actor: Actor, command_type: type[cmd.StaffCommand], login: str,
                **facts: Any) -> StaffView:
        s = self._services
        command = command_type(**s.stamp(actor), login=parse_login(login), **facts)
        s.authorise(actor, command_type.action)
        return StaffView.of(self._change(command))

    def _change(self, command: cmd.StaffCommand) -> StaffMember:
        s = self._services
        stream, roster_stream = member_id(command.office, command.login), roster_id(command.office)

        def attempt(tx: Transaction) -> StaffMember:
            member = tx.load(stream, project)
            roster = tx.load_shared(roster_stream, project_roster)
            member_events, roster_events = decide(member, roster, command)
            after = project(member, member_events)
            assert after is not None
            tx.record(member_events, after)
            if roster_events:
                new_roster = project_roster(roster, roster_events)
                tx.record(roster_events, new_roster)
            return after

        return s.store.transact(attempt, ref=f"staff record of {command.login}", retries=5)

    # --- reads -----------------------------------------------------------------
    def members(self, actor: Actor) -> tuple[StaffView, ...]:
        """Every member of the register, in order of enrolment."""
        s = self._services
        s.authorise(actor, SEE_REGISTER)
        reads = s.store.reads()
        roster = reads.load(roster_id(s.config.office_code), project_roster)
        if roster is None:
            return ()
        office = s.config.office_code
        found = (reads.load(member_id(office, login), project) for login in roster.members)
        return tuple(StaffView.of(m) for m in found if m is not None)

    def member(self, actor: Actor, login: str) -> StaffView:
        """One member of the register (``StaffNotFound`` if the login is not enrolled)."""
        s = self._services
        the_login = parse_login(login)
        s.authorise(actor, SEE_REGISTER)
        found = s.store.reads().load(member_id(s.config.office_code, the_login), project)
        if found is None:
            raise StaffNotFound(login=the_login)
        return StaffView.of(found)

    def roster(self) -> Roster | None:
        """The roster as stored now (None before the register is founded)."""
        s = self._services
        return s.store.reads().load(roster_id(s.config.office_code), project_roster)

    def founded(self) -> bool:
        """Whether the register has been founded."""
        return self.roster() is not None

    def whoami(self) -> WhoAmI:
        """The caller's established identity and what the register says of it (one's own
        record needs no permission)."""
        identity = self._door.established(None)
        member = self._door.member(identity.login, fresh=True)
        return WhoAmI(login=identity.login, established_by=identity.established_by,
                      member=StaffView.of(member) if member is not None else None,
                      register_founded=member is not None or self.founded())

    def acting(self, as_role: str | Role | None = None) -> Actor:
        """`StaffDoor.acting`: the caller as the `Actor` a command names."""
        return self._door.acting(as_role)


def _role(value: str | Role) -> Role:
    return value if isinstance(value, Role) else parse_role(value)


def _roles(values: Iterable[str | Role]) -> tuple[Role, ...]:
    roles = {_role(v) for v in values}
    if not roles:
        raise InvalidChoice(field="role", value="(none)",
                            choices=", ".join(r.value for r in Role))
    return tuple(r for r in Role if r in roles)


def _with_notes(view: StaffView, notes: tuple[str, ...]) -> StaffView:
    return attrs.evolve(view, notes=notes) if notes else view
