"""Permissions, checked at the door of every use case before anything is loaded.

Who may do what is the office's table, `ektp.domain.actor.PERMISSIONS` (the
domain's `decide` functions apply it again to every command, so no path around
the application can decide a forbidden event). Reads that show personal data
in full have their own actions in that table ("see a full NIK", "export
personal data in full"): the CLI asks for them, and so must any embedding
program, through the same use cases.
"""

from __future__ import annotations

from ektp.domain.actor import PERMISSIONS, Actor, require_permission
from ektp.domain.errors import ActorRequired

# One card shown with its full NIK and KK (``card show --full``).
SEE_FULL_NIK = "see a full NIK"
# What the office holds about one person, for their request (`personal-data export`).
EXPORT_RESIDENT_DATA = "export a resident's personal data"


def authorise(actor: Actor | None, action: str) -> Actor:
    """`actor`, if their role may do `action`; otherwise the named refusal."""
    if actor is None:
        raise ActorRequired()
    require_permission(actor, action)
    return actor


def may(actor: Actor | None, action: str) -> bool:
    """Whether `actor` may do `action` (False without an actor)."""
    return actor is not None and actor.role in PERMISSIONS.get(action, frozenset())
