"""Who acts: every event records the actor's id and role."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any

import attrs

from ektp.domain.messages import N_
from ektp.domain.errors import InvalidActor, InvalidChoice, InvalidText, RoleNotPermitted

_ACTOR_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@\-]{0,63}")


class Role(enum.StrEnum):
    """The office's roles; what each may do is in `PERMISSIONS`."""

    OPERATOR = "operator"
    COURIER = "courier"
    HEAD = "head"
    AUDITOR = "auditor"


def parse_staff_id(text: str, field: str = "staff id") -> str:
    """Validate a staff id (an actor's, a courier's): 1-64 letters, digits or . _ @ -."""
    staff_id = text.strip()
    if not _ACTOR_ID.fullmatch(staff_id):
        raise InvalidText(field=field, reason=N_("a staff id is 1-64 letters, digits or . _ @ - (no spaces)"))
    return staff_id


def parse_role(text: str) -> Role:
    """Read a role name; raise `InvalidChoice` listing the roles otherwise."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise InvalidChoice(
            field="role", value=text[:20], choices=", ".join(r.value for r in Role)
        ) from None


@attrs.frozen
class Actor:
    """An acting user: a staff id (NIP or login) and a role."""

    id: str
    role: Role = attrs.field(converter=Role)

    @classmethod
    def parse(cls, actor_id: str, role: str) -> Actor:
        """Validate an actor id and role typed at the command line."""
        if not _ACTOR_ID.fullmatch(actor_id.strip()):
            raise InvalidActor(reason=N_("the id must be 1-64 letters, digits or . _ @ -"))
        return cls(actor_id.strip(), parse_role(role))

    @classmethod
    def coerce(cls, value: Actor | Mapping[str, Any]) -> Actor:
        """Accept an Actor or its stored form ``{"id": ..., "role": ...}``."""
        if isinstance(value, Actor):
            return value
        return cls(str(value["id"]), Role(value["role"]))


def to_actor(value: Actor | Mapping[str, Any]) -> Actor:
    """Converter for event fields: an Actor from itself or its stored form."""
    return Actor.coerce(value)


# Which roles may perform which action (action names are the CLI verbs).
_ALL_STAFF = frozenset({Role.OPERATOR, Role.HEAD})
# Roles that may see a full NIK and name where a single record is shown.
SEES_PERSONAL_DATA = frozenset({Role.OPERATOR, Role.HEAD})
PERMISSIONS: Mapping[str, frozenset[Role]] = {
    N_("request a card"): _ALL_STAFF,
    N_("confirm print readiness"): _ALL_STAFF,
    N_("allocate a blank"): _ALL_STAFF,
    N_("record printing"): _ALL_STAFF,
    N_("record a print failure"): _ALL_STAFF,
    N_("dispatch a card"): _ALL_STAFF,
    N_("record a failed delivery attempt"): _ALL_STAFF | {Role.COURIER},
    N_("record a hand-over"): _ALL_STAFF | {Role.COURIER},
    N_("check in a returned card"): _ALL_STAFF,
    N_("cancel a card"): _ALL_STAFF,
    N_("declare a card uncollected"): frozenset({Role.HEAD}),
    N_("destroy a card"): frozenset({Role.HEAD}),
    N_("open a manifest"): _ALL_STAFF,
    N_("assign a card to a manifest"): _ALL_STAFF,
    N_("remove a card from a manifest"): _ALL_STAFF,
    N_("dispatch a manifest"): _ALL_STAFF,
    N_("record delivery results"): _ALL_STAFF | {Role.COURIER},
    N_("check in a returned manifest"): _ALL_STAFF,
    N_("close a manifest"): _ALL_STAFF,
    N_("export the audit trail"): frozenset({Role.OPERATOR, Role.HEAD, Role.AUDITOR}),
    # A checkpoint of the journal, signed with the office's key (issue 13).
    N_("sign a checkpoint"): _ALL_STAFF,
    # One record shown with its full NIK and KK (``card show --full``).
    N_("see a full NIK"): SEES_PERSONAL_DATA,
    # A bulk export of every resident's NIK and name is a far bigger disclosure than
    # one record on screen (SEES_PERSONAL_DATA): only the head of office may make one.
    N_("export personal data in full"): frozenset({Role.HEAD}),
    # The office key re-wraps every data key (`ektp keys rotate`, issue 14).
    N_("rotate the cipher key"): frozenset({Role.HEAD}),
    # Everything held about one person, for their own request (UU PDP's right of access).
    N_("export a resident's personal data"): frozenset({Role.HEAD}),
    # Erasing a resident's personal data (UU PDP Art. 43-44), on request or by the
    # office's retention policy: the head of office, under a signed record.
    N_("erase a resident's personal data"): frozenset({Role.HEAD}),
    # Who processed whose data (the access log, UU PDP Art. 31): the head of office.
    N_("read the access log"): frozenset({Role.HEAD}),
    # The blank ledger. Recording what arrives, what is counted and what comes back
    # is custody work for any staff member; acts that put controlled blanks beyond
    # the office's reach or write them off (lending, destruction, declaring one
    # missing) need the head of office. A card's own blank moves (allocate,
    # print, print failure, cancel) follow the card's permissions above.
    N_("receive blanks"): _ALL_STAFF,
    N_("borrow blanks"): _ALL_STAFF,
    N_("record a loan return"): _ALL_STAFF,
    N_("count the blank stock"): _ALL_STAFF,
    N_("spoil a blank in stock"): _ALL_STAFF,
    N_("lend blanks"): frozenset({Role.HEAD}),
    N_("destroy spoiled blanks"): frozenset({Role.HEAD}),
    N_("report a blank missing"): frozenset({Role.HEAD}),
    # The staff register (domain/staff): only a head of office changes it. The
    # register's first head is enrolled by whoever founds it (``ektp db init
    # --head``: the database owner, or the OS user creating the file), acting as
    # head for that one event, since there is nobody yet to do it.
    N_("found the staff register"): frozenset({Role.HEAD}),
    N_("enrol staff"): frozenset({Role.HEAD}),
    N_("grant a role"): frozenset({Role.HEAD}),
    N_("revoke a role"): frozenset({Role.HEAD}),
    N_("suspend staff"): frozenset({Role.HEAD}),
    N_("reinstate staff"): frozenset({Role.HEAD}),
    # Staff names and NIPs are personal data too; couriers do not need them.
    N_("see the staff register"): frozenset({Role.OPERATOR, Role.HEAD, Role.AUDITOR}),
}

# Actions that only read: nothing they do is written, so no write can carry the
# door's check of the staff register into the store's transaction (see
# `ektp.application.kernel.authority`). The door reads the register fresh for them.
READ_ACTIONS = frozenset({
    "see a full NIK", "export the audit trail", "export personal data in full",
    "see the staff register",
})

# Who may, for a refusal's message: the roles that may do each action, listed.
def roles_for(action: str) -> str:
    """The roles that may do `action`, for a refusal's sentence ("head", "operator/head")."""
    # Role names as typed after --as, in any language; a slash, not an English "or".
    allowed = [role.value for role in Role if role in PERMISSIONS.get(action, frozenset())]
    return "/".join(allowed) if allowed else "-"


def require_permission(actor: Actor, action: str) -> None:
    """Raise `RoleNotPermitted` unless the actor's role may perform `action`."""
    if actor.role not in PERMISSIONS.get(action, frozenset()):
        raise RoleNotPermitted(login=actor.id, role=actor.role.value, action=action,
                               needed=roles_for(action))
