"""The card's state, and `evolve`: how each event changes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, assert_never, cast
from uuid import UUID

import attrs

from ektp.domain.card import events as ev
from ektp.domain.card.recipient import Recipient
from ektp.domain.card.vocabulary import CLOSED_STATUSES, CardStatus, RequestReason
from ektp.domain.errors import CardNotFound


@attrs.frozen(slots=False)
class Card:
    """Everything decide needs to know about one card, as of `version`."""

    id: UUID
    version: int
    status: CardStatus
    nik: str
    name: str
    kk: str
    village: str
    rt: str | None
    rw: str | None
    reason: RequestReason
    evidence: str | None
    requested_at: dt.datetime
    modified_at: dt.datetime
    blank_serial: str | None = None
    spoiled_serials: tuple[str, ...] = ()
    printed_at: dt.datetime | None = None
    courier: str | None = None
    dispatched_at: dt.datetime | None = None  # the latest dispatch
    last_attempt_at: dt.datetime | None = None  # when the latest failed attempt happened
    # The manifest the card is on: from its assignment (or its dispatch on the
    # manifest) until it is removed from it, returned, or handed over.
    manifest_id: UUID | None = None
    attempts: int = 0
    returned_at: dt.datetime | None = None
    recipient: Recipient | None = None
    closed_at: dt.datetime | None = None
    dusun: str | None = None  # the hamlet of the address, when it was given
    phone: str | None = None  # the resident's phone number, when known (personal data)

    @property
    def is_open(self) -> bool:
        """True until the card is handed over, cancelled or destroyed."""
        return self.status not in CLOSED_STATUSES


def _next(card: Card | None, event: ev.CardEvent, **changes: Any) -> Card:
    if card is None:
        raise TypeError(f"{type(event).__name__} cannot start a card's history")
    # attrs.evolve re-runs __init__ over every field (about 12 us here, once per
    # command); the state has no converters or validators, so copying its
    # __dict__ with the changes is the same value, built ten times faster.
    state = object.__new__(Card)
    object.__setattr__(state, "__dict__", {
        **card.__dict__, "version": event.originator_version,
        "modified_at": event.timestamp, **changes,
    })
    return state


def _requested(event: ev.Requested, card: Card | None) -> Card:
    return Card(
        id=event.originator_id,
        version=event.originator_version,
        status=CardStatus.REQUESTED,
        nik=event.nik,
        name=event.name,
        kk=event.kk,
        village=event.village,
        rt=event.rt,
        rw=event.rw,
        reason=event.reason,
        evidence=event.evidence,
        dusun=event.dusun,
        phone=event.phone,
        requested_at=event.timestamp,
        modified_at=event.timestamp,
    )


def _print_readiness_confirmed(event: ev.PrintReadinessConfirmed, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.READY_TO_PRINT)


def _blank_allocated(event: ev.BlankAllocated, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.BLANK_ALLOCATED, blank_serial=event.serial)


def _print_failed(event: ev.PrintFailed, card: Card | None) -> Card:
    spoiled = (card.spoiled_serials if card else ()) + (event.serial,)
    return _next(
        card, event, status=CardStatus.READY_TO_PRINT, blank_serial=None, spoiled_serials=spoiled
    )


def _printed(event: ev.Printed, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.PRINTED, printed_at=event.timestamp)


def _assigned_to_manifest(event: ev.AssignedToManifest, card: Card | None) -> Card:
    return _next(card, event, manifest_id=event.manifest_id)


def _removed_from_manifest(event: ev.RemovedFromManifest, card: Card | None) -> Card:
    return _next(card, event, manifest_id=None)


def _dispatched(event: ev.Dispatched, card: Card | None) -> Card:
    return _next(
        card,
        event,
        status=CardStatus.DISPATCHED,
        courier=event.courier,
        dispatched_at=event.timestamp,
        manifest_id=event.manifest_id,
    )


def _delivery_attempt_failed(event: ev.DeliveryAttemptFailed, card: Card | None) -> Card:
    return _next(card, event, attempts=event.attempt, last_attempt_at=event.occurred_at)


def _handed_over(event: ev.HandedOver, card: Card | None) -> Card:
    return _next(
        card,
        event,
        status=CardStatus.HANDED_OVER,
        recipient=event.recipient,
        closed_at=event.occurred_at,
    )


def _returned(event: ev.Returned, card: Card | None) -> Card:
    return _next(
        card,
        event,
        status=CardStatus.RETURNED,
        returned_at=event.timestamp,
        courier=None,
        manifest_id=None,
    )


def _cancelled(event: ev.Cancelled, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.CANCELLED, closed_at=event.timestamp)


def _declared_uncollected(event: ev.DeclaredUncollected, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.UNCOLLECTED)


def _destroyed(event: ev.Destroyed, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.DESTROYED, closed_at=event.timestamp)


def evolve(card: Card | None, event: ev.CardEvent) -> Card:
    """The card after `event` (None before its first event)."""
    # The store hands over events typed by the base class; the match is over the
    # closed union, so that mypy reports (at assert_never) an event class without
    # a case.
    e = cast("ev.AnyCardEvent", event)
    match e:
        case ev.Requested():
            return _requested(e, card)
        case ev.PrintReadinessConfirmed():
            return _print_readiness_confirmed(e, card)
        case ev.BlankAllocated():
            return _blank_allocated(e, card)
        case ev.PrintFailed():
            return _print_failed(e, card)
        case ev.Printed():
            return _printed(e, card)
        case ev.AssignedToManifest():
            return _assigned_to_manifest(e, card)
        case ev.RemovedFromManifest():
            return _removed_from_manifest(e, card)
        case ev.Dispatched():
            return _dispatched(e, card)
        case ev.DeliveryAttemptFailed():
            return _delivery_attempt_failed(e, card)
        case ev.HandedOver():
            return _handed_over(e, card)
        case ev.Returned():
            return _returned(e, card)
        case ev.Cancelled():
            return _cancelled(e, card)
        case ev.DeclaredUncollected():
            return _declared_uncollected(e, card)
        case ev.Destroyed():
            return _destroyed(e, card)
        case _:
            # assert_never is for mypy (it reports an event class of the union
            # without a case above); at run time this is no card event at all:
            # the id names another aggregate's stream (a manifest, say).
            if TYPE_CHECKING:
                assert_never(e)
            raise CardNotFound(ref=f"card {getattr(event, 'originator_id', '?')}")


def project(card: Card | None, events: Iterable[ev.CardEvent]) -> Card | None:
    """Fold `events` over `card`: the projector the event store's repository calls."""
    for event in events:
        card = evolve(card, event)
    return card
