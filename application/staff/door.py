"""`StaffDoor`: who is calling, checked against the staff register at every use case.

`Services.authorise` calls it first. A call names its `Actor` (login and role),
which is a claim; the door admits it only when

1. the identity provider established an identity for the call, and its login
   is the actor's (nobody acts as someone they are not);
2. that login is enrolled in the register and not suspended; and
3. the register grants it the role the actor acts in.

(`Services.authorise` then checks that the role may do the action.) Each
refusal names the login and what it lacks.

The member's record is read through the store's cache. A write leaves the
door's `Grant` for the store, which writes only if the record is still what
the door saw (`kernel.authority`); so a cached record that a suspension in
another process made stale can never let a write through, and the door need
not read the register fresh before each command. A read that shows personal
data has no write to carry the grant, so for those actions (`READ_ACTIONS`)
the door checks the record's version in the store first; so does every
action on a store whose recorder cannot check a guard.
"""

from __future__ import annotations

from uuid import UUID

from ektp.application.kernel import authority
from ektp.application.kernel.store import Store
from ektp.application.ports.identity import Identity, IdentityProvider
from ektp.domain.actor import READ_ACTIONS, Actor, Role, parse_role
from ektp.domain.errors import (
    AccessRefused,
    ConcurrentChange,
    DomainError,
    IdentityRequired,
    LoginSuspended,
    NoRoleHeld,
    NotEnrolled,
    NotYourIdentity,
    RoleChoiceNeeded,
    RoleNotGranted,
)
from ektp.domain.staff.state import StaffMember, member_id, project
from ektp.domain.staff.vocabulary import role_list

NO_PROVIDER = "this office was opened without an identity provider"


class StaffDoor:
    """The identity and register checks of `Services.authorise` (see the module docstring)."""

    def __init__(self, store: Store, office: str, identity: IdentityProvider | None) -> None:
        self._store = store
        self._office = office
        self.identity = identity

    @property
    def description(self) -> str:
        """How this office establishes identities."""
        return self.identity.description if self.identity is not None else NO_PROVIDER

    def established(self, claimed: str | None) -> Identity:
        """The identity established for a call naming `claimed` (None: whoever calls)."""
        identity = self.identity.identify(claimed) if self.identity is not None else None
        if identity is None:
            raise IdentityRequired(login=claimed or "the caller", how=self.description)
        return identity

    def verify(self, actor: Actor) -> Identity:
        """The established identity, which must be the actor's login."""
        identity = self.established(actor.id)
        if identity.login != actor.id:
            raise NotYourIdentity(claimed=actor.id, login=identity.login,
                                  how=identity.established_by)
        return identity

    def __call__(self, actor: Actor, action: str) -> None:
        """Admit `actor` for `action`, leaving the grant for its write; or the refusal."""
        self.admit(actor, action)

    def admit(self, actor: Actor, action: str, *, fresh: bool = False) -> StaffMember:
        """The member `actor` is, once verified; leaves the door's grant (see above)."""
        self.verify(actor)
        stream = member_id(self._office, actor.id)
        store = self._store
        check_version = fresh or action in READ_ACTIONS or not store.guards_writes
        member = self._member(stream, check_version)
        refused = refusal(member, actor)
        if refused is not None and not check_version:
            # The cache may be behind a grant made meanwhile: ask the store.
            member = self._member(stream, True)
            refused = refusal(member, actor)
        if refused is not None:
            raise refused
        assert member is not None
        authority.hold(authority.Grant(store, stream, member.version,
                                       lambda: self._renew(actor, action)))
        return member

    def acting(self, as_role: str | Role | None = None) -> Actor:
        """The caller as the `Actor` a command names: the established login, in the role
        `as_role`, or in the one role the register grants it (``RoleChoiceNeeded`` when it
        holds several: a missing choice, like a missing option).

        Nothing else is refused here: the door of the use case checks the actor after
        the command's typed values (a typo is exit 2 whoever types it). A login the
        register does not know, or one holding no role, is named with the role
        operator, which the door refuses for what the login lacks.
        """
        identity = self.established(None)
        member = self.member(identity.login)
        roles = member.ordered_roles if member is not None else ()
        if as_role is not None:
            role = as_role if isinstance(as_role, Role) else parse_role(as_role)
        elif len(roles) > 1:
            raise RoleChoiceNeeded(login=identity.login, held=role_list(roles))
        else:
            role = roles[0] if roles else Role.OPERATOR
        return Actor(identity.login, role)

    def member(self, login: str, *, fresh: bool = False) -> StaffMember | None:
        """The register's record of `login` (None if not enrolled)."""
        return self._member(member_id(self._office, login), fresh)

    def _member(self, stream: UUID, check_version: bool) -> StaffMember | None:
        store = self._store
        cached = store.cached(stream)
        if not isinstance(cached, StaffMember):  # not cached (MISSING): read it
            return store.load(stream, project)
        if not check_version:
            return cached
        # One statement, no decoding: is the cached record still the stored one?
        if store.version_of(stream) == cached.version:
            return cached
        return store.load(stream, project, fresh=True)

    def _renew(self, actor: Actor, action: str) -> DomainError:
        """After a write found the record moved: the door again, on the record read fresh."""
        try:
            self.admit(actor, action, fresh=True)
        except AccessRefused as refused:
            return refused
        return ConcurrentChange(ref=f"staff record of {actor.id}")


def refusal(member: StaffMember | None, actor: Actor) -> AccessRefused | None:
    """Why the register does not admit `actor`, or None."""
    if member is None:
        return NotEnrolled(login=actor.id)
    if member.suspended:
        return LoginSuspended(login=actor.id, reason=member.suspended_reason or "no reason given")
    if not member.roles:
        return NoRoleHeld(login=actor.id)
    if actor.role not in member.roles:
        return RoleNotGranted(login=actor.id, role=actor.role.value, held=role_list(member.roles))
    return None
