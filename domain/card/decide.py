"""`decide`: the card's rules. Given the state and a command, the new events or a
named refusal. Pure: no clock, no I/O; a refusal leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar, assert_never, cast

import attrs

from ektp.domain.messages import N_
from ektp.domain.actor import Role, require_permission
from ektp.domain.card import commands as cmd
from ektp.domain.card import events as ev
from ektp.domain.card.state import Card
from ektp.domain.card.vocabulary import (
    CANCELLABLE_STATUSES,
    CardStatus,
    HandOverPlace,
    RecipientKind,
    RequestReason,
    SURRENDER_REASONS,
)
from ektp.domain.errors import (
    CourierChecksInOwnCard,
    NotTheCardsCourier,
    ActionNotAllowed,
    AttemptCapReached,
    BlankBeforePrintReadiness,
    CancelAfterPrinting,
    CardNotOnManifest,
    CardOnAnotherManifest,
    CardOnManifest,
    HandOverPlaceNotAllowed,
    HoldingPeriodNotOver,
    MissingEvidence,
    OldCardMismatch,
    OldCardRequired,
    PrintWithoutBlank,
    ProxyDetailsMissing,
    ProxyIsOwner,
    ProxyNotOnSameKk,
    SerialMismatch,
)
from ektp.domain.event import check_happened_at, next_event
from ektp.domain.masking import mask_digits


@attrs.frozen
class CardPolicy:
    """The office's configurable limits."""

    attempt_cap: int = 3
    holding_days: int = 90


E = TypeVar("E", bound=ev.CardEvent)


def decide(
    card: Card | None, command: cmd.CardCommand, policy: CardPolicy = CardPolicy()
) -> list[ev.CardEvent]:
    """The events `command` produces on `card`, or raise the named refusal."""
    # Callers hold commands typed by the base class; the match is over the closed
    # union, so that mypy reports (at assert_never) a command class without a case.
    c = cast("cmd.AnyCardCommand", command)
    require_permission(c.actor, c.action)  # before anything else: roles come first
    match c:
        case cmd.RequestCard():
            return _request(card, c, policy)
        case _ if card is None:
            raise TypeError("only RequestCard may start a card")
        case cmd.ConfirmPrintReadiness():
            return _ready(card, c, policy)
        case cmd.AllocateBlank():
            return _allocate(card, c, policy)
        case cmd.RecordPrinted():
            return _printed(card, c, policy)
        case cmd.RecordPrintFailure():
            return _print_failed(card, c, policy)
        case cmd.AssignToManifest():
            return _assign(card, c, policy)
        case cmd.RemoveFromManifest():
            return _remove(card, c, policy)
        case cmd.Dispatch():
            return _dispatch(card, c, policy)
        case cmd.RecordFailedAttempt():
            return _attempt_failed(card, c, policy)
        case cmd.HandOver():
            return _hand_over(card, c, policy)
        case cmd.ReturnToOffice():
            return _return(card, c, policy)
        case cmd.Cancel():
            return _cancel(card, c, policy)
        case cmd.DeclareUncollected():
            return _uncollected(card, c, policy)
        case cmd.Destroy():
            return _destroy(card, c, policy)
        case _:
            assert_never(c)


def _new(event_type: type[E], card: Card, command: cmd.CardCommand, **facts: Any) -> E:
    return next_event(event_type, card.id, card.version, command, **facts)


def _require_status(card: Card, action: str, *allowed: CardStatus) -> None:
    if card.status not in allowed:
        raise ActionNotAllowed(action=action, card_id=card.id, status=card.status.value)


def _request(card: Card | None, c: cmd.RequestCard, p: CardPolicy) -> list[ev.CardEvent]:
    if card is not None:
        raise ActionNotAllowed(action="request a card", card_id=card.id, status=card.status.value)
    if c.reason is RequestReason.LOST and not c.evidence:
        raise MissingEvidence(reason=N_("lost-card"), needed=N_("the police report number (--evidence)"))
    if c.reason is RequestReason.DAMAGED and not c.evidence:
        raise MissingEvidence(reason=N_("damaged-card"), needed=N_("the old card's serial (--evidence)"))
    return [
        ev.Requested(
            originator_id=c.card_id,
            originator_version=1,
            timestamp=c.at,
            actor=c.actor,
            office=c.office,
            nik=c.nik.value,
            name=c.name,
            kk=c.kk.value,
            village=c.village.value,
            rt=c.rt,
            rw=c.rw,
            reason=c.reason,
            evidence=c.evidence,
            channel=c.channel,
            dusun=c.dusun,
            phone=c.phone,
        )
    ]


def _ready(card: Card | None, c: cmd.ConfirmPrintReadiness, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    _require_status(card, "confirm print readiness", CardStatus.REQUESTED)
    return [_new(ev.PrintReadinessConfirmed, card, c, prr_reference=c.reference)]


def _allocate(card: Card | None, c: cmd.AllocateBlank, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    if card.status is CardStatus.REQUESTED:
        raise BlankBeforePrintReadiness(card_id=card.id)
    _require_status(card, "allocate a blank", CardStatus.READY_TO_PRINT)
    return [_new(ev.BlankAllocated, card, c, serial=c.serial)]


def _allocated_serial(card: Card, action: str, given: str | None) -> str:
    if card.status in (CardStatus.REQUESTED, CardStatus.READY_TO_PRINT):
        raise PrintWithoutBlank(action=action, card_id=card.id)
    _require_status(card, action, CardStatus.BLANK_ALLOCATED)
    assert card.blank_serial is not None
    if given is not None and given != card.blank_serial:
        raise SerialMismatch(given=given, card_id=card.id, allocated=card.blank_serial)
    return card.blank_serial


def _printed(card: Card | None, c: cmd.RecordPrinted, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    serial = _allocated_serial(card, "record printing", c.serial)
    return [_new(ev.Printed, card, c, serial=serial, station=c.station)]


def _print_failed(
    card: Card | None, c: cmd.RecordPrintFailure, p: CardPolicy
) -> list[ev.CardEvent]:
    assert card is not None
    serial = _allocated_serial(card, "record a print failure", c.serial)
    return [_new(ev.PrintFailed, card, c, serial=serial, reason=c.reason)]


# What to do instead when a step tries to go around the manifest the card is on.
_MANIFEST_HINTS = {
    "dispatch a card": "dispatch the manifest ('ektp manifest dispatch')",
    "record a failed delivery attempt": "record it on the manifest ('ektp manifest record')",
    "record a hand-over": "record it on the manifest ('ektp manifest record')",
    "check in a returned card": "check the manifest in ('ektp manifest return')",
}
_NOT_YET_OUT = "remove it from the manifest first ('ektp manifest remove')"


def _require_manifest(card: Card, action: str, manifest_id: object) -> None:
    """A card on a manifest moves only with that manifest; a card on none, only without one."""
    if card.manifest_id == manifest_id:
        return
    if card.manifest_id is None:
        raise CardNotOnManifest(card_id=card.id, manifest_id=manifest_id)
    goes_with_it = card.status is CardStatus.DISPATCHED or action == "dispatch a card"
    hint = _MANIFEST_HINTS.get(action, _NOT_YET_OUT) if goes_with_it else _NOT_YET_OUT
    raise CardOnManifest(action=action, card_id=card.id, manifest_id=card.manifest_id, hint=hint)


def _assign(card: Card | None, c: cmd.AssignToManifest, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    _require_status(card, "assign a card to a manifest", CardStatus.PRINTED, CardStatus.RETURNED)
    if card.manifest_id is not None:
        raise CardOnAnotherManifest(card_id=card.id, other=card.manifest_id)
    if card.attempts >= p.attempt_cap:
        raise AttemptCapReached(card_id=card.id, attempts=card.attempts, cap=p.attempt_cap)
    return [_new(ev.AssignedToManifest, card, c, manifest_id=c.manifest_id)]


def _remove(card: Card | None, c: cmd.RemoveFromManifest, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    if card.manifest_id != c.manifest_id:
        raise CardNotOnManifest(card_id=card.id, manifest_id=c.manifest_id)
    _require_status(card, "remove a card from a manifest", CardStatus.PRINTED, CardStatus.RETURNED)
    return [_new(ev.RemovedFromManifest, card, c, manifest_id=c.manifest_id, reason=c.reason)]


def _dispatch(card: Card | None, c: cmd.Dispatch, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    _require_status(card, "dispatch a card", CardStatus.PRINTED, CardStatus.RETURNED)
    _require_manifest(card, "dispatch a card", c.manifest_id)
    if card.attempts >= p.attempt_cap:
        raise AttemptCapReached(card_id=card.id, attempts=card.attempts, cap=p.attempt_cap)
    return [_new(ev.Dispatched, card, c, courier=c.courier, manifest_id=c.manifest_id)]


def _require_own_courier(card: Card, c: cmd.CardCommand) -> None:
    """A courier records outcomes only for the cards they carry (office staff may for any)."""
    if (c.actor.role is Role.COURIER and card.status is CardStatus.DISPATCHED
            and card.courier is not None and c.actor.id != card.courier):
        raise NotTheCardsCourier(card_id=card.id, courier=card.courier)


def _attempt_failed(
    card: Card | None, c: cmd.RecordFailedAttempt, p: CardPolicy
) -> list[ev.CardEvent]:
    assert card is not None
    _require_status(card, "record a failed delivery attempt", CardStatus.DISPATCHED)
    _require_manifest(card, "record a failed delivery attempt", c.manifest_id)
    _require_own_courier(card, c)
    if card.attempts >= p.attempt_cap:
        raise AttemptCapReached(card_id=card.id, attempts=card.attempts, cap=p.attempt_cap)
    check_happened_at(c.happened_at, c.at, *_delivery_since(card))
    return [
        _new(
            ev.DeliveryAttemptFailed,
            card,
            c,
            attempt=card.attempts + 1,
            reason=c.reason,
            evidence=c.evidence,
            manifest_id=c.manifest_id,
            courier=card.courier,  # who carried it; the actor is who recorded it
            happened_at=c.happened_at,
        )
    ]


def _hand_over(card: Card | None, c: cmd.HandOver, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    _require_status(card, "record a hand-over", CardStatus.DISPATCHED, CardStatus.RETURNED)
    _require_manifest(card, "record a hand-over", c.manifest_id)
    _require_own_courier(card, c)
    if card.status is CardStatus.RETURNED and c.place is not HandOverPlace.OFFICE:
        raise HandOverPlaceNotAllowed(card_id=card.id, status=card.status.value, allowed="at the office")
    if card.status is CardStatus.DISPATCHED:
        if c.place is HandOverPlace.OFFICE:
            raise HandOverPlaceNotAllowed(
                card_id=card.id, status=card.status.value,
                allowed="at the door or the kecamatan (check it in as returned first)",
            )
        if card.attempts >= p.attempt_cap:
            raise AttemptCapReached(card_id=card.id, attempts=card.attempts, cap=p.attempt_cap)
    _check_recipient(card, c)
    _check_old_card(card, c)
    check_happened_at(c.happened_at, c.at, *_delivery_since(card))
    return [
        _new(
            ev.HandedOver,
            card,
            c,
            recipient=c.recipient,
            verified_by=c.verified_by,
            evidence=c.evidence,
            place=c.place,
            old_card_serial=c.old_card_serial,
            manifest_id=c.manifest_id,
            courier=card.courier,  # None for a returned card handed over at the office
            happened_at=c.happened_at,
        )
    ]


def _delivery_since(card: Card) -> tuple[dt.datetime | None, str]:
    """The earliest a courier's time for the card's next delivery step may be: its
    return to the office (a hand-over there), else its previous failed attempt on this
    round, else its dispatch; and how a refusal names that moment."""
    if card.status is CardStatus.RETURNED:
        return card.returned_at, N_("card {card} came back to the office", card=card.id)
    if (card.last_attempt_at is not None and card.dispatched_at is not None
            and card.last_attempt_at >= card.dispatched_at):
        return card.last_attempt_at, N_("the previous delivery attempt of card {card}", card=card.id)
    return card.dispatched_at, N_("card {card} was dispatched", card=card.id)


def _check_recipient(card: Card, c: cmd.HandOver) -> None:
    r = c.recipient
    if r.kind is not RecipientKind.PROXY:
        return
    missing = [
        label
        for label, value in (("NIK", r.nik), ("name", r.name), ("KK number", r.kk),
                             ("relationship", r.relationship))
        if not value
    ]
    if missing:
        raise ProxyDetailsMissing(missing=", ".join(missing))
    if r.nik == card.nik:
        raise ProxyIsOwner()
    if r.kk != card.kk:
        raise ProxyNotOnSameKk(proxy_kk=mask_digits(r.kk or ""), owner_kk=mask_digits(card.kk))


def _check_old_card(card: Card, c: cmd.HandOver) -> None:
    if card.reason not in SURRENDER_REASONS:
        return
    if not c.old_card_serial:
        raise OldCardRequired(card_id=card.id, reason=card.reason.value)
    if card.reason is RequestReason.DAMAGED and card.evidence and c.old_card_serial != card.evidence:
        raise OldCardMismatch(given=c.old_card_serial, expected=card.evidence)


def _return(card: Card | None, c: cmd.ReturnToOffice, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    _require_status(card, "check in a returned card", CardStatus.DISPATCHED)
    _require_manifest(card, "check in a returned card", c.manifest_id)
    if card.courier is not None and c.actor.id == card.courier:
        raise CourierChecksInOwnCard(card_id=card.id, actor=c.actor.id)
    return [_new(ev.Returned, card, c, reason=c.reason, manifest_id=c.manifest_id)]


def _cancel(card: Card | None, c: cmd.Cancel, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    if card.status not in CANCELLABLE_STATUSES:
        if card.is_open:
            raise CancelAfterPrinting(card_id=card.id, status=card.status.value)
        _require_status(card, "cancel a card", *CANCELLABLE_STATUSES)
    return [_new(ev.Cancelled, card, c, reason=c.reason, record_number=c.record_number)]


def _uncollected(
    card: Card | None, c: cmd.DeclareUncollected, p: CardPolicy
) -> list[ev.CardEvent]:
    assert card is not None
    _require_status(card, "declare a card uncollected", CardStatus.RETURNED)
    _require_manifest(card, "declare a card uncollected", None)
    assert card.returned_at is not None
    earliest = card.returned_at + dt.timedelta(days=p.holding_days)
    if c.at < earliest:
        raise HoldingPeriodNotOver(
            card_id=card.id,
            returned_on=card.returned_at.date().isoformat(),
            earliest=earliest.date().isoformat(),
            days=p.holding_days,
        )
    return [_new(ev.DeclaredUncollected, card, c, holding_days=p.holding_days)]


def _destroy(card: Card | None, c: cmd.Destroy, p: CardPolicy) -> list[ev.CardEvent]:
    assert card is not None
    _require_status(card, "destroy a card", CardStatus.UNCOLLECTED)
    return [_new(ev.Destroyed, card, c, reason=c.reason, record_number=c.record_number)]
