"""The door of every use case, attacked: nobody acts without an established identity,
as someone else, unknown to the register, suspended, or in a role not granted; a
stale cache never grants what the store no longer grants; and a refusal writes and
reads nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.people import AUDITOR, COURIER, HEAD, OPERATOR, kk_for, make_nik
from testkit.staff import SignedIn, staffed_office, written
from testkit.stock import stock

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.store import open_event_store
from ektp.application.config import OfficeConfig
from ektp.application.kernel import authority
from ektp.application.office import Office
from ektp.domain import errors
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office


@pytest.fixture
def office() -> Iterator[Office]:
    with staffed_office("memory://", clock=FakeClock()) as opened:
        stock(opened)
        yield opened


def request(office: Office, actor: Actor = OPERATOR, serial: int = 1) -> Any:
    nik = make_nik(serial=serial)
    return office.request_card(actor, nik=nik, name="Warga Uji", kk=kk_for(nik), village="35.17.09.2018")


def refused(office: Office, error: type[errors.DomainError], call: Callable[[], object],
            *words: str) -> None:
    """`call` is refused with `error`, naming `words`, and the store is as it was."""
    before = office.last_position()
    with pytest.raises(error) as caught:
        call()
    for word in words:
        assert word in caught.value.message, caught.value.message
    assert office.last_position() == before


def test_a_call_without_an_identity_is_refused() -> None:
    # An office built without an identity provider admits nobody.
    bare = Office(open_event_store(DatabaseUrl.parse("memory://")), FakeClock(), OfficeConfig(),
                  regions=FakeRegions)
    refused(bare, errors.IdentityRequired, lambda: request(bare, HEAD), "no identity")
    refused(bare, errors.IdentityRequired, lambda: bare.staff.found(HEAD, HEAD.id))
    # A host program that authenticated nobody for this call: the same.
    host = SignedIn()
    with staffed_office("memory://", identity=host) as office:
        host.sign_out(OPERATOR.id)
        refused(office, errors.IdentityRequired, lambda: request(office), OPERATOR.id)
        refused(office, errors.IdentityRequired,
                lambda: office.card("8d6a8f5e-1a0e-4c1e-9f4e-2d8f3c1b5a77", OPERATOR, full=True))
        # And a call naming no actor at all.
        refused(office, errors.ActorRequired, lambda: request(office, None))  # type: ignore[arg-type]


def test_nobody_acts_as_someone_they_are_not() -> None:
    """By default the identity is the OS user running the process: a call claiming to be
    anyone else is refused, however well that someone is enrolled."""
    with open_office("memory://") as office:
        me = office.staff.whoami().login
        office.staff.found(Actor(me, Role.HEAD), me)
        office.staff.enrol(Actor(me, Role.HEAD), "kepala", name="Kepala Lain", roles=["head"])
        refused(office, errors.NotYourIdentity,
                lambda: office.staff.suspend(Actor("kepala", Role.HEAD), me, "coup"),
                "kepala", me, "operating-system user")
        assert office.staff.whoami().member is not None


def test_a_login_the_register_does_not_know_is_refused(office: Office) -> None:
    host = office.identity
    assert isinstance(host, SignedIn)
    host.logins.add("stranger")  # authenticated by the host, but never enrolled
    refused(office, errors.NotEnrolled, lambda: request(office, Actor("stranger", Role.HEAD)),
            "stranger is not in the staff register")


def test_a_role_the_register_does_not_grant_is_refused(office: Office) -> None:
    refused(office, errors.RoleNotGranted, lambda: request(office, Actor(COURIER.id, Role.OPERATOR)),
            COURIER.id, "does not hold the role operator", "courier")
    refused(office, errors.RoleNotGranted,
            lambda: office.destroy_spoiled(Actor(COURIER.id, Role.HEAD), record="BA/1", method="burn",
                                           witnesses=["A B:x", "C D:y"], all_spoiled=True))
    # ...and in a role it holds, a courier still may not destroy blanks.
    refused(office, errors.RoleNotPermitted,
            lambda: office.destroy_spoiled(COURIER, record="BA/1", method="burn",
                                           witnesses=["A B:x", "C D:y"], all_spoiled=True),
            "kurir.test acting as courier may not destroy spoiled blanks", "head")


def test_a_login_without_a_role_is_refused(office: Office) -> None:
    office.staff.revoke(HEAD, AUDITOR.id, Role.AUDITOR)
    refused(office, errors.NoRoleHeld, lambda: office.staff.members(AUDITOR), "auditor holds no role")


def test_a_suspended_login_can_do_nothing(office: Office) -> None:
    card = request(office)
    office.staff.suspend(HEAD, OPERATOR.id, "investigation")
    refused(office, errors.LoginSuspended, lambda: request(office, OPERATOR, 2),
            "op.test is suspended (investigation)")
    refused(office, errors.LoginSuspended, lambda: office.confirm_print_readiness(OPERATOR, card.id))
    refused(office, errors.LoginSuspended, lambda: office.card(card.id, OPERATOR, full=True))
    refused(office, errors.LoginSuspended, lambda: office.count_blanks(OPERATOR, 0))
    office.staff.reinstate(HEAD, OPERATOR.id, "cleared")
    assert office.confirm_print_readiness(OPERATOR, card.id).status == "READY_TO_PRINT"


def test_a_refusal_at_the_door_reads_no_card(office: Office) -> None:
    card = request(office)
    office.staff.suspend(HEAD, OPERATOR.id, "investigation")
    loads: list[object] = []
    original = office.store.load
    office.store.load = lambda *a, **k: loads.append(a) or original(*a, **k)  # type: ignore[method-assign]
    office.store.forget()  # nothing cached: any read would show
    with pytest.raises(errors.LoginSuspended):
        office.cancel(OPERATOR, card.id, "withdrawn")
    # Only the member's own record was read (fresh), never the card.
    assert all(a[0] != card.id for a in loads)


# --- a stale cache never grants what the store no longer grants ------------------------
def two_processes(url: str) -> tuple[Office, Office]:
    """Two offices on one store, as two processes of the office would be."""
    first = staffed_office(url, clock=FakeClock())
    return first, staffed_office(url, clock=FakeClock())


def test_a_suspension_in_another_process_stops_the_very_next_command(shared_store_url: str) -> None:
    here, there = two_processes(shared_store_url)
    with here, there:
        stock(here)
        card = request(here).id  # `here` caches op.test's record, active
        there.staff.suspend(HEAD, OPERATOR.id, "investigation")
        before = here.last_position()
        with pytest.raises(errors.LoginSuspended, match="investigation"):
            here.confirm_print_readiness(OPERATOR, card)  # decided on the stale cache...
        assert here.last_position() == before  # ...the write's own check refused it
        with pytest.raises(errors.LoginSuspended):
            here.card(card, OPERATOR, full=True)  # a read of personal data too
        there.staff.reinstate(HEAD, OPERATOR.id, "cleared")
        assert here.confirm_print_readiness(OPERATOR, card).status == "READY_TO_PRINT"


def test_a_role_revoked_in_another_process_is_refused_at_once(shared_store_url: str) -> None:
    here, there = two_processes(shared_store_url)
    with here, there:
        request(here)
        there.staff.revoke(HEAD, OPERATOR.id, Role.OPERATOR)
        refused(here, errors.NoRoleHeld, lambda: request(here, OPERATOR, 2))


def test_a_role_granted_in_another_process_is_honoured(shared_store_url: str) -> None:
    here, there = two_processes(shared_store_url)
    with here, there:
        with pytest.raises(errors.RoleNotGranted):
            here.staff.members(Actor(COURIER.id, Role.AUDITOR))  # cached: courier only
        there.staff.grant(HEAD, COURIER.id, Role.AUDITOR)
        assert here.staff.members(Actor(COURIER.id, Role.AUDITOR))
        # A change that leaves the grant standing (another role) lets the write through.
        request(here)
        there.staff.grant(HEAD, OPERATOR.id, Role.COURIER)
        assert request(here, OPERATOR, 2).status == "REQUESTED"


def test_two_heads_demoting_each_other_at_once_leave_one_head(shared_store_url: str) -> None:
    """Each decides on a roster where both are heads; the store lets one in, and the
    other, decided again, finds the office would have no head left."""
    here, there = two_processes(shared_store_url)
    with here, there:
        wakil = Actor("wakil", Role.HEAD)
        for office in (here, there):
            host = office.identity
            assert isinstance(host, SignedIn)
            host.logins.add(wakil.id)
        here.staff.enrol(HEAD, wakil.id, name="Wakil Kepala", roles=["head"])
        there.staff.roster()  # both now cache the roster with two heads
        there.staff.members(wakil)
        here.staff.revoke(HEAD, wakil.id, Role.HEAD)
        # Refused either way: decided again on the fresh roster (no head would be left), or
        # stopped by the write's own check of wakil's record (wakil is no head any more).
        with pytest.raises((errors.LastHead, errors.RoleNotGranted, errors.NoRoleHeld)):
            there.staff.revoke(wakil, HEAD.id, Role.HEAD)
        roster = there.staff.roster()
        assert roster is not None and roster.heads == {HEAD.id}


def test_a_grant_guards_only_its_own_store_and_thread(office: Office) -> None:
    office.count_blanks(OPERATOR, 0)
    held = authority.current(office.store)
    assert held is not None and held.stream  # the door's grant, for this office's writes
    with staffed_office("memory://") as other:
        assert authority.current(other.store) is not None  # its own door's latest grant...
        assert authority.current(office.store) is None  # ...never guards another office
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(authority.current(office.store)))
    thread.start()
    thread.join()
    assert seen == [None]  # nor is another thread's write


def test_nothing_is_written_by_a_refused_staff_change(office: Office) -> None:
    before = written(office)
    for call in (lambda: office.staff.enrol(OPERATOR, "baru", name="Baru", roles=["operator"]),
                 lambda: office.staff.revoke(HEAD, HEAD.id, Role.HEAD),
                 lambda: office.staff.suspend(HEAD, HEAD.id, "leave"),
                 lambda: office.staff.grant(HEAD, "nobody", Role.COURIER),
                 lambda: office.staff.enrol(HEAD, "3517091203850001", name="Nik", roles=["head"])):
        with pytest.raises(errors.DomainError):
            call()
    assert written(office) == before
