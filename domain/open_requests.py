"""One open request per NIK: a tiny aggregate per NIK that records which card,
if any, holds the NIK open.

Its stream id is derived from the NIK (a keyed HMAC of it, given by the
application's pseudonymiser port: `ektp.application.card.registers`), so two clerks requesting for the same
NIK at the same moment write to the same stream at the same version and the
store's optimistic concurrency lets exactly one of them in. The events hold
only the card id, never the NIK. A card that closes (handed over, cancelled,
destroyed) frees its NIK in the same transaction: `freed_by`, whichever use
case closed it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from uuid import UUID, uuid5

import attrs

from ektp.domain.actor import Actor
from ektp.domain.card.state import Card
from ektp.domain.errors import DuplicateOpenRequest
from ektp.domain.event import DomainEvent, to_uuid
from ektp.domain.nik import Nik

_NAMESPACE = UUID("ca89c323-6433-497c-80d9-4530b0cc6d39")  # fixed forever: stream ids depend on it


REGISTER_KIND = "nik-register"  # the pseudonymiser's kind of a register's stream id


@lru_cache(maxsize=4096)
def legacy_register_id(nik: Nik) -> UUID:
    """The stream id `nik`'s register had before ids were keyed (issue 14): a uuid5
    of the NIK, which anyone can compute. Only looked up, never created any more, so
    registers of databases made before keep being found."""
    return uuid5(_NAMESPACE, nik.value)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class NikClaimed(DomainEvent):
    """A card request now holds the NIK open."""

    card_id: UUID = attrs.field(converter=to_uuid)


@attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
class NikReleased(DomainEvent):
    """The card holding the NIK was closed; a new request may follow."""

    card_id: UUID = attrs.field(converter=to_uuid)


@attrs.frozen
class OpenRequest:
    """The register's state: the card holding the NIK open, if any."""

    id: UUID
    version: int
    card_id: UUID | None
    # Every card ever requested for the NIK, oldest first: the register is also how a
    # NIK finds its closed cards, without the NIK in any list.
    claimed: tuple[UUID, ...] = ()


def claim(
    register: OpenRequest | None,
    stream_id: UUID,
    card_id: UUID,
    masked_nik: str,
    actor: Actor,
    at: dt.datetime,
    office: str,
) -> NikClaimed:
    """Claim the NIK for `card_id`, or raise `DuplicateOpenRequest`."""
    if register is not None and register.card_id is not None:
        raise DuplicateOpenRequest(masked=masked_nik, card_id=register.card_id)
    return NikClaimed(
        originator_id=stream_id,
        originator_version=(register.version if register else 0) + 1,
        timestamp=at,
        actor=actor,
        office=office,
        card_id=card_id,
    )


def release(
    register: OpenRequest, card_id: UUID, actor: Actor, at: dt.datetime, office: str
) -> NikReleased | None:
    """Free the NIK when `card_id` closes (nothing to do if it does not hold it)."""
    if register.card_id != card_id:
        return None
    return NikReleased(
        originator_id=register.id,
        originator_version=register.version + 1,
        timestamp=at,
        actor=actor,
        office=office,
        card_id=card_id,
    )


def freed_by(
    register: OpenRequest | None, card: Card, actor: Actor, at: dt.datetime, office: str
) -> NikReleased | None:
    """The NIK's release that `card` (its state after a command) calls for: one when
    the card is closed and still holds the NIK open, else None."""
    if card.is_open or register is None:
        return None
    return release(register, card.id, actor, at, office)


def project(
    register: OpenRequest | None, events: Iterable[NikClaimed | NikReleased]
) -> OpenRequest | None:
    """Fold the register's events."""
    for event in events:
        claimed = register.claimed if register else ()
        if isinstance(event, NikClaimed):
            holder: UUID | None = event.card_id
            claimed = (*claimed, event.card_id)
        else:
            holder = None
        register = OpenRequest(event.originator_id, event.originator_version, holder, claimed)
    return register
