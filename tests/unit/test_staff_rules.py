"""The staff register's rules on the pure functions: given a member and the roster,
when a command, then the events (the member's and the roster's) or a named refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from ektp.domain import errors
from ektp.domain.actor import Actor, Role
from ektp.domain.staff import commands as cmd
from ektp.domain.staff import events as ev
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

AT = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.timezone.utc)
OFFICE = "35.17"
HEAD = Actor("kepala", Role.HEAD)
OTHER_HEAD = Actor("wakil", Role.HEAD)
OPERATOR = Actor("op.wulan", Role.OPERATOR)

Register = dict[str, StaffMember]


def base(actor: Actor = HEAD, login: str = "op.wulan") -> dict[str, object]:
    return {"actor": actor, "at": AT, "office": OFFICE, "login": login}


def apply(register: Register, roster: Roster | None,
          command: cmd.StaffCommand) -> tuple[Register, Roster | None, list[ev.StaffEvent | ev.RosterEvent]]:
    """Decide `command`, fold its events into copies of the states."""
    member_events, roster_events = decide(register.get(command.login), roster, command)
    after = dict(register)
    if member_events:
        after[command.login] = project(register.get(command.login), member_events)  # type: ignore[assignment]
    new_roster = project_roster(roster, roster_events) if roster_events else roster
    return after, new_roster, [*member_events, *roster_events]


def founded(*others: tuple[str, tuple[Role, ...]]) -> tuple[Register, Roster | None]:
    register, roster, _ = apply({}, None, cmd.FoundRegister(**base(login=HEAD.id), name="Kepala"))
    for login, roles in others:
        register, roster, _ = apply(register, roster, cmd.Enrol(
            **base(login=login), name="Staf Kantor", roles=roles))
    return register, roster


def test_founding_enrols_the_first_head_and_the_roster_lists_them() -> None:
    register, roster, events = apply({}, None, cmd.FoundRegister(**base(login="kepala"), name="Kepala"))
    assert [type(e).__name__ for e in events] == ["StaffEnrolled", "StaffListed", "HeadsChanged"]
    assert events[0].originator_id == member_id(OFFICE, "kepala")
    assert [e.originator_version for e in events[1:]] == [1, 2]
    assert all(e.originator_id == roster_id(OFFICE) for e in events[1:])
    assert roster is not None and roster.heads == {"kepala"} and roster.members == ("kepala",)
    assert register["kepala"].roles == {Role.HEAD} and register["kepala"].enrolled_by == "kepala"
    with pytest.raises(errors.RegisterAlreadyFounded, match="kepala"):
        apply(register, roster, cmd.FoundRegister(**base(login="lain")))


def test_nothing_but_the_founding_before_the_register_exists() -> None:
    with pytest.raises(errors.RegisterEmpty):
        decide(None, None, cmd.Enrol(**base(), name="Wulan", roles=(Role.OPERATOR,)))


def test_only_a_head_changes_the_register() -> None:
    register, roster = founded(("op.wulan", (Role.OPERATOR,)))
    for command in (cmd.Enrol(**base(OPERATOR, "kurir"), name="Kurir", roles=(Role.COURIER,)),
                    cmd.GrantRole(**base(OPERATOR), role=Role.HEAD),
                    cmd.Suspend(**base(OPERATOR, "kepala"), reason="coup"),
                    cmd.FoundRegister(**base(OPERATOR, "op.wulan"))):
        with pytest.raises(errors.RoleNotPermitted):
            decide(register.get(command.login), roster, command)


def test_a_login_is_enrolled_once_and_roles_change_one_at_a_time() -> None:
    register, roster = founded(("op.wulan", (Role.OPERATOR,)))
    with pytest.raises(errors.StaffAlreadyEnrolled):
        apply(register, roster, cmd.Enrol(**base(), name="Lagi", roles=(Role.COURIER,)))
    with pytest.raises(errors.RoleAlreadyHeld):
        apply(register, roster, cmd.GrantRole(**base(), role=Role.OPERATOR))
    with pytest.raises(errors.RoleNotHeld, match="holds: operator"):
        apply(register, roster, cmd.RevokeRole(**base(), role=Role.COURIER))
    with pytest.raises(errors.StaffNotFound):
        apply(register, roster, cmd.GrantRole(**base(login="nobody"), role=Role.COURIER))
    register, roster, events = apply(register, roster, cmd.GrantRole(**base(), role=Role.COURIER))
    assert [type(e).__name__ for e in events] == ["RoleGranted"]  # not a head: the roster stays
    assert register["op.wulan"].roles == {Role.OPERATOR, Role.COURIER}
    register, roster, _ = apply(register, roster, cmd.RevokeRole(**base(), role=Role.OPERATOR))
    register, roster, _ = apply(register, roster, cmd.RevokeRole(**base(), role=Role.COURIER))
    assert register["op.wulan"].roles == frozenset()  # enrolled, holding no role


def test_the_last_active_head_is_never_revoked_or_suspended() -> None:
    register, roster = founded(("op.wulan", (Role.OPERATOR,)))
    with pytest.raises(errors.LastHead):
        apply(register, roster, cmd.RevokeRole(**base(login="kepala"), role=Role.HEAD))
    with pytest.raises(errors.LastHead):
        apply(register, roster, cmd.Suspend(**base(login="kepala"), reason="leave"))
    # With a second head, one may go; then the other is the last.
    register, roster, events = apply(register, roster, cmd.GrantRole(**base(), role=Role.HEAD))
    assert isinstance(events[-1], ev.HeadsChanged) and events[-1].heads == ("kepala", "op.wulan")
    register, roster, _ = apply(register, roster, cmd.Suspend(**base(login="kepala"), reason="leave"))
    assert roster is not None and roster.heads == {"op.wulan"}
    wulan = Actor("op.wulan", Role.HEAD)
    with pytest.raises(errors.LastHead):
        apply(register, roster, cmd.RevokeRole(**base(wulan, "op.wulan"), role=Role.HEAD))
    # A suspended head's role is kept, and counts again once reinstated.
    register, roster, _ = apply(register, roster, cmd.Reinstate(**base(wulan, "kepala"), reason="back"))
    assert roster is not None and roster.heads == {"kepala", "op.wulan"}
    register, roster, _ = apply(register, roster, cmd.RevokeRole(**base(wulan, "op.wulan"), role=Role.HEAD))
    assert roster is not None and roster.heads == {"kepala"}


def test_suspension_and_reinstatement() -> None:
    register, roster = founded(("op.wulan", (Role.OPERATOR,)))
    register, roster, events = apply(register, roster, cmd.Suspend(**base(), reason="investigation"))
    assert [type(e).__name__ for e in events] == ["StaffSuspended"]
    assert register["op.wulan"].suspended and register["op.wulan"].suspended_reason == "investigation"
    with pytest.raises(errors.AlreadySuspended, match="investigation"):
        apply(register, roster, cmd.Suspend(**base(), reason="again"))
    register, roster, _ = apply(register, roster, cmd.Reinstate(**base(), reason="cleared"))
    assert not register["op.wulan"].suspended and register["op.wulan"].roles == {Role.OPERATOR}
    with pytest.raises(errors.NotSuspended):
        apply(register, roster, cmd.Reinstate(**base(), reason="twice"))


def test_two_heads_demoting_each_other_write_the_same_roster_version() -> None:
    """Decided on the same states, both changes of the heads write the roster's next
    version: the store lets one in, and the other is decided again on the new roster."""
    register, roster = founded(("wakil", (Role.HEAD,)))
    _, _, a = apply(register, roster, cmd.RevokeRole(**base(HEAD, "wakil"), role=Role.HEAD))
    _, after_a, _ = apply(register, roster, cmd.RevokeRole(**base(HEAD, "wakil"), role=Role.HEAD))
    _, _, b = apply(register, roster, cmd.RevokeRole(**base(OTHER_HEAD, "kepala"), role=Role.HEAD))
    (roster_a,) = [e for e in a if isinstance(e, ev.RosterEvent)]
    (roster_b,) = [e for e in b if isinstance(e, ev.RosterEvent)]
    assert (roster_a.originator_id, roster_a.originator_version) == (
        roster_b.originator_id, roster_b.originator_version)
    assert after_a is not None
    with pytest.raises(errors.LastHead):  # decided again after the other's change
        apply(register, after_a, cmd.RevokeRole(**base(OTHER_HEAD, "kepala"), role=Role.HEAD))


@pytest.mark.parametrize("text", ["Op.Wulan", "op wulan", "", "-x", "3517091203850001",
                                  "a" * 65, "wulan;drop", "ü"])
def test_bad_logins(text: str) -> None:
    with pytest.raises(errors.InvalidLogin):
        parse_login(text)


def test_good_logins_and_nips() -> None:
    assert parse_login(" op.wulan ") == "op.wulan"
    assert parse_login("kurir_anto@jombang") == "kurir_anto@jombang"
    assert parse_login("35170912038500011") == "35170912038500011"  # 17 digits: not a NIK
    assert parse_nip("19850312 201001 1 002") == "198503122010011002"
    for bad in ("1985031220100110", "198513122010011002", "198503122010131002"):
        with pytest.raises(errors.InvalidNip):
            parse_nip(bad)


def test_stream_ids_are_uuid5_of_the_office_and_login_forever() -> None:
    """Computed with the built-in SHA-1 (start-up time), they must stay `uuid.uuid5`'s."""
    import uuid

    from ektp.domain.staff.state import _NAMESPACE

    assert member_id("35.17", "op.wulan") == uuid.uuid5(_NAMESPACE, "staff/35.17/op.wulan")
    assert roster_id("35.17") == uuid.uuid5(_NAMESPACE, "roster/35.17")
    assert member_id("35.17", "op.wulan") != member_id("35.18", "op.wulan")
