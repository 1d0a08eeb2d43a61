"""What a write relies on: the door's grant, checked again inside the write itself.

The door (`Services.authorise`) admits a caller on the staff register's record
of them, usually from the store's cache: reading the register fresh before
every command would cost a round trip to the database each time. A cached
record may be stale (a head suspended the caller from another process a
moment ago), and a stale cache must never grant what the store no longer
grants. So the door leaves a `Grant` behind, the member's stream and the
version it admitted the caller on, and `Store.put` hands it to the event
store's recorder with the command's events: the recorder writes them only if
that stream is still at that version, inside the same database transaction
(`unchanged=` in `ektp.adapters.event_store`), at no extra round trip. If the
record moved, nothing is written, the recorder raises `GrantChanged`, and the
door is asked again on the register read fresh: its refusal (suspended,
role revoked) is what the caller sees, or, if it still admits them (a role
granted meanwhile), the command is decided again.

The grant lives in a context variable: each thread (and each asyncio task) of
a host program has its own, so one request's grant never guards another's write.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from ektp.domain.errors import DomainError


class Grant:
    """The door admitted the caller on `stream` at `version` of `store`'s register.

    `renew` is the door again, on the register read fresh: its refusal, or (when it
    admits the caller again, leaving a new grant) a conflict to decide the command
    again. (A plain class: one is made per command, and every command imports it.)
    """

    __slots__ = ("store", "stream", "version", "renew")

    def __init__(self, store: object, stream: UUID, version: int,
                 renew: Callable[[], DomainError]) -> None:
        self.store = store
        self.stream = stream
        self.version = version
        self.renew = renew


class GrantChanged(IntegrityError):
    """Raised by a recorder: a stream a write was guarded by is no longer at its version."""


_CURRENT: ContextVar[Grant | None] = ContextVar("ektp_grant", default=None)


def hold(grant: Grant | None) -> None:
    """Leave `grant` for this context's next writes (None: no grant)."""
    _CURRENT.set(grant)


def current(store: object) -> Grant | None:
    """The grant left for `store` in this context, if any."""
    grant = _CURRENT.get()
    return grant if grant is not None and grant.store is store else None
