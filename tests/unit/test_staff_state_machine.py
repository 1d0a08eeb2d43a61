"""Random changes to the staff register, and random commands by its members, through
`Office` (memory store, a signed-in host fake), checked after every step against a
model: the office never has zero active heads, roles come only from the known set,
a suspended member (or one acting in a role they lack) decides nothing, the stored
register equals the model, and a refused command writes nothing."""

from __future__ import annotations

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from testkit.fakes import FakeClock
from testkit.staff import SignedIn

from ektp.domain.actor import PERMISSIONS, Actor, Role
from ektp.domain.errors import DomainError
from ektp.domain.staff.state import member_id, project, project_roster, roster_id
from ektp.entrypoints.composition import open_office

LOGINS = ["kepala", "wakil", "op.a", "op.b", "kurir.c", "audit.d"]
ROLES = st.sampled_from(list(Role))


@attrs.define
class Model:
    roles: set[Role]
    suspended: bool = False


class StaffMachine(RuleBasedStateMachine):
    @initialize()
    def founded(self) -> None:
        self.office = open_office("memory://", clock=FakeClock(), identity=SignedIn(LOGINS))
        self.office.staff.found(Actor("kepala", Role.HEAD), "kepala", name="Kepala")
        self.model: dict[str, Model] = {"kepala": Model({Role.HEAD})}

    def teardown(self) -> None:
        if hasattr(self, "office"):
            self.office.close()

    # --- what the model says ------------------------------------------------------
    def heads(self) -> set[str]:
        return {login for login, m in self.model.items() if Role.HEAD in m.roles and not m.suspended}

    def admitted(self, actor: Actor, action: str) -> bool:
        """The door: enrolled, active, holding the role, and the role may do it."""
        member = self.model.get(actor.id)
        return (member is not None and not member.suspended and actor.role in member.roles
                and actor.role in PERMISSIONS[action])

    def attempt(self, allowed: bool, call: object) -> bool:
        """Run `call`; it must succeed exactly when `allowed`, and write nothing if refused."""
        before = self.office.last_position()
        try:
            call()  # type: ignore[operator]
        except DomainError:
            assert not allowed, "a command the model allows was refused"
            assert self.office.last_position() == before, "a refused command wrote something"
            return False
        assert allowed, "a command the model refuses went through"
        return True

    def claim(self, data: st.DataObject) -> Actor:
        """Mostly a member in a role they hold (so that commands go through), sometimes
        anyone in any role (so that the door has something to refuse)."""
        if data.draw(st.integers(0, 9)) < 7:
            login = data.draw(st.sampled_from(sorted(self.model)))
            held = sorted(self.model[login].roles)
            role = data.draw(st.sampled_from(held)) if held else data.draw(ROLES)
            return Actor(login, role)
        return Actor(data.draw(st.sampled_from(LOGINS)), data.draw(ROLES))

    def target(self, data: st.DataObject) -> str:
        """Mostly a member, sometimes a login the register may not know."""
        if data.draw(st.integers(0, 9)) < 8:
            return data.draw(st.sampled_from(sorted(self.model)))
        return data.draw(st.sampled_from(LOGINS))

    # --- rules --------------------------------------------------------------------
    @rule(data=st.data(), login=st.sampled_from(LOGINS), roles=st.sets(ROLES, min_size=1))
    def enrol(self, data: st.DataObject, login: str, roles: set[Role]) -> None:
        actor = self.claim(data)
        allowed = self.admitted(actor, "enrol staff") and login not in self.model
        if self.attempt(allowed, lambda: self.office.staff.enrol(
                actor, login, name="Staf Kantor", roles=sorted(roles))):
            self.model[login] = Model(set(roles))

    @rule(data=st.data(), what=ROLES)
    def grant(self, data: st.DataObject, what: Role) -> None:
        actor, login = self.claim(data), self.target(data)
        member = self.model.get(login)
        allowed = (self.admitted(actor, "grant a role") and member is not None
                   and what not in member.roles)
        if self.attempt(allowed, lambda: self.office.staff.grant(actor, login, what)):
            self.model[login].roles.add(what)

    @rule(data=st.data(), what=ROLES)
    def revoke(self, data: st.DataObject, what: Role) -> None:
        actor, login = self.claim(data), self.target(data)
        member = self.model.get(login)
        allowed = (self.admitted(actor, "revoke a role") and member is not None
                   and what in member.roles
                   and not (what is Role.HEAD and self.heads() == {login}))
        if self.attempt(allowed, lambda: self.office.staff.revoke(actor, login, what)):
            self.model[login].roles.discard(what)

    @rule(data=st.data())
    def suspend(self, data: st.DataObject) -> None:
        actor, login = self.claim(data), self.target(data)
        member = self.model.get(login)
        allowed = (self.admitted(actor, "suspend staff") and member is not None
                   and not member.suspended and self.heads() != {login})
        if self.attempt(allowed, lambda: self.office.staff.suspend(actor, login, "a reason")):
            self.model[login].suspended = True

    @rule(data=st.data())
    def reinstate(self, data: st.DataObject) -> None:
        actor, login = self.claim(data), self.target(data)
        member = self.model.get(login)
        allowed = self.admitted(actor, "reinstate staff") and member is not None and member.suspended
        if self.attempt(allowed, lambda: self.office.staff.reinstate(actor, login, "a reason")):
            self.model[login].suspended = False

    @rule(data=st.data())
    def count_the_blanks(self, data: st.DataObject) -> None:
        """Any command of the office: here a stock count (an operator's or the head's)."""
        actor = self.claim(data)
        self.attempt(self.admitted(actor, "count the blank stock"),
                     lambda: self.office.count_blanks(actor, 0))

    @rule(data=st.data())
    def read_the_register(self, data: st.DataObject) -> None:
        """A read of personal data (staff names) passes the same door."""
        actor = self.claim(data)
        self.attempt(self.admitted(actor, "see the staff register"),
                     lambda: self.office.staff.members(actor))

    # --- invariants ---------------------------------------------------------------
    @invariant()
    def never_without_an_active_head(self) -> None:
        if not hasattr(self, "office"):
            return
        assert self.heads()
        roster = self.office.store.load(roster_id("35.17"), project_roster, fresh=True)
        assert roster is not None and roster.heads == self.heads()
        assert set(roster.members) == set(self.model) and len(roster.members) == len(self.model)

    @invariant()
    def the_stored_register_is_the_model(self) -> None:
        if not hasattr(self, "office"):
            return
        for login, expected in self.model.items():
            stream = member_id("35.17", login)
            member = self.office.store.load(stream, project, fresh=True)
            assert member is not None
            assert member.roles == expected.roles and member.roles <= set(Role)
            assert member.suspended == expected.suspended
            assert member.version == len(list(self.office.store.events(stream)))


TestStaffMachine = StaffMachine.TestCase
TestStaffMachine.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
