"""The card's state, and `evolve`: how each event changes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import singledispatch
from typing import Any
from uuid import UUID

import attrs

from ektp.domain.card import events as ev
from ektp.domain.card.recipient import Recipient
from ektp.domain.card.vocabulary import CLOSED_STATUSES, CardStatus, RequestReason


@attrs.frozen
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
    prr_confirmed: bool = False
    blank_serial: str | None = None
    spoiled_serials: tuple[str, ...] = ()
    printed_at: dt.datetime | None = None
    courier: str | None = None
    manifest_id: UUID | None = None
    attempts: int = 0
    returned_at: dt.datetime | None = None
    recipient: Recipient | None = None
    closed_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        """True until the card is handed over, cancelled or destroyed."""
        return self.status not in CLOSED_STATUSES


@singledispatch
def _apply(event: ev.CardEvent, card: Card | None) -> Card:
    raise TypeError(f"no evolve rule for {type(event).__name__}")


def _next(card: Card | None, event: ev.CardEvent, **changes: Any) -> Card:
    if card is None:
        raise TypeError(f"{type(event).__name__} cannot start a card's history")
    return attrs.evolve(
        card, version=event.originator_version, modified_at=event.timestamp, **changes
    )


@_apply.register
def _(event: ev.Requested, card: Card | None) -> Card:
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
        requested_at=event.timestamp,
        modified_at=event.timestamp,
    )


@_apply.register
def _(event: ev.PrintReadinessConfirmed, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.READY_TO_PRINT, prr_confirmed=True)


@_apply.register
def _(event: ev.BlankAllocated, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.BLANK_ALLOCATED, blank_serial=event.serial)


@_apply.register
def _(event: ev.PrintFailed, card: Card | None) -> Card:
    spoiled = (card.spoiled_serials if card else ()) + (event.serial,)
    return _next(
        card, event, status=CardStatus.READY_TO_PRINT, blank_serial=None, spoiled_serials=spoiled
    )


@_apply.register
def _(event: ev.Printed, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.PRINTED, printed_at=event.timestamp)


@_apply.register
def _(event: ev.Dispatched, card: Card | None) -> Card:
    return _next(
        card,
        event,
        status=CardStatus.DISPATCHED,
        courier=event.courier,
        manifest_id=event.manifest_id,
    )


@_apply.register
def _(event: ev.DeliveryAttemptFailed, card: Card | None) -> Card:
    return _next(card, event, attempts=event.attempt)


@_apply.register
def _(event: ev.HandedOver, card: Card | None) -> Card:
    return _next(
        card,
        event,
        status=CardStatus.HANDED_OVER,
        recipient=event.recipient,
        closed_at=event.timestamp,
    )


@_apply.register
def _(event: ev.Returned, card: Card | None) -> Card:
    return _next(
        card,
        event,
        status=CardStatus.RETURNED,
        returned_at=event.timestamp,
        courier=None,
        manifest_id=None,
    )


@_apply.register
def _(event: ev.Cancelled, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.CANCELLED, closed_at=event.timestamp)


@_apply.register
def _(event: ev.DeclaredUncollected, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.UNCOLLECTED)


@_apply.register
def _(event: ev.Destroyed, card: Card | None) -> Card:
    return _next(card, event, status=CardStatus.DESTROYED, closed_at=event.timestamp)


def evolve(card: Card | None, event: ev.CardEvent) -> Card:
    """The card after `event` (None before its first event)."""
    return _apply(event, card)


def project(card: Card | None, events: Iterable[ev.CardEvent]) -> Card | None:
    """Fold `events` over `card`: the projector the event store's repository calls."""
    for event in events:
        card = _apply(event, card)
    return card
