"""The office's staff in tests: who is signed in, and offices with their register.

In-process tests stand in for a host program whose own authentication signed
the test staff in (`SignedIn`, a fake of the identity port): a call naming one
of them is theirs, a call naming anyone else has no identity. `staffed_office`
opens an office that way with the standard test staff (`testkit.people.STAFF`)
enrolled by the head of office. Tests of the identity check itself use the real
providers (the OS user, the database login) instead.

`staff_file` founds an SQLite file's register as the CLI does (the OS user
running the tests is its head, and an operator too), for subprocess tests.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from testkit.people import HEAD, STAFF

from ektp.adapters.identity import os_login
from ektp.application.office import Office
from ektp.application.ports.identity import Identity, IdentityProvider
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office


class SignedIn(IdentityProvider):
    """A host program where these logins are signed in (and nobody else)."""

    def __init__(self, logins: Iterable[str] = tuple(a.id for a, _ in STAFF)) -> None:
        self.logins = set(logins)

    @property
    def description(self) -> str:
        return "the test host program"

    def identify(self, claimed: str | None) -> Identity | None:
        if claimed is not None and claimed in self.logins:
            return Identity(claimed, self.description)
        return None

    def sign_out(self, login: str) -> None:
        """`login`'s session ends: calls naming it have no identity from now on."""
        self.logins.discard(login)


# Where each office's history stood once its staff were enrolled.
_SETUP: weakref.WeakKeyDictionary[Office, int] = weakref.WeakKeyDictionary()


def enrol(office: Office, people: Iterable[tuple[Actor, str]] = STAFF,
          head: Actor = HEAD) -> Office:
    """Found `office`'s register with `head` and enrol `people` (each in their actor's role)."""
    crew = list(people)
    office.staff.found(head, head.id, name=dict((a.id, n) for a, n in crew).get(head.id))
    for actor, name in crew:
        if actor.id != head.id:
            office.staff.enrol(head, actor.id, name=name, roles=[actor.role])
    _SETUP[office] = office.last_position()
    return office


def written(office: Office) -> int:
    """How many events `office` stored since its staff were enrolled (the register's own
    events are the test's setting, not what it tests)."""
    return office.last_position() - _SETUP.get(office, 0)


def staffed_office(url: str = "memory://", *, people: Iterable[tuple[Actor, str]] = STAFF,
                   **options: Any) -> Office:
    """An office at `url` where the test staff are signed in, enrolled unless the
    register is founded already (a second office on the same file: another process)."""
    crew = list(people)
    options.setdefault("identity", SignedIn(a.id for a, _ in crew))
    office = open_office(url, **options)
    return office if office.staff.founded() else enrol(office, crew)


def staff_store(url: str, people: Iterable[tuple[str, str, Iterable[Role]]] = (),
                roles: Iterable[Role] = (Role.OPERATOR,)) -> str:
    """Found the register at `url` as ``ektp db init --head`` would, with the store's own
    identity (the OS user running the tests, or the database login of the URL) as its
    head, holding `roles` too; it enrols `people` (login, name, roles). Returns `url`."""
    with open_office(url) as office:
        me = office.staff.whoami().login
        head = Actor(me, Role.HEAD)
        office.staff.found(head, me, name="Penguji")
        for role in roles:
            office.staff.grant(head, me, role)
        for login, name, their_roles in people:
            office.staff.enrol(head, login, name=name, roles=list(their_roles))
    return url


def staff_file(path: Path, people: Iterable[tuple[str, str, Iterable[Role]]] = (),
               group: str | None = None) -> Path:
    """`staff_store` for the SQLite file `path` (created if missing, shared with the OS
    group `group` if given, as ``db init --group`` does)."""
    from ektp.adapters.event_store.sqlite_file import share_with

    if group is not None:
        share_with(str(path), group)
    staff_store(f"sqlite:///{path}", people)
    return path


def me() -> str:
    """The OS login running the tests."""
    login = os_login()
    assert login is not None
    return login
