"""The card's rules (domain.md, "Card"), as given/when/then on decide and evolve."""

from __future__ import annotations

import attrs
import pytest
from testkit.card_steps import (
    OWNER_KK,
    OWNER_NIK,
    at,
    base,
    card_in,
    failed_attempt,
    hand_over,
    print_failure,
    request,
    run,
)
from testkit.people import AUDITOR, COURIER, HEAD, OPERATOR, make_nik

from ektp.domain import errors
from ektp.domain.actor import Actor, Role
from ektp.domain.card import commands as cmd
from ektp.domain.card import events as ev
from ektp.domain.card.decide import CardPolicy, decide
from ektp.domain.card.recipient import Recipient
from ektp.domain.card.state import Card, project
from ektp.domain.card.vocabulary import CardStatus, HandOverPlace, RecipientKind, Relationship, RequestReason


def then(card: Card, command: cmd.CardCommand, policy: CardPolicy = CardPolicy()) -> list[ev.CardEvent]:
    events = decide(card, command, policy)
    assert [e.originator_version for e in events] == list(range(card.version + 1, card.version + 1 + len(events)))
    assert all(e.originator_id == card.id and e.actor == command.actor and e.timestamp == command.at for e in events)
    return events


def test_a_request_starts_the_card_with_every_fact() -> None:
    card, events = run([request()])
    (requested,) = events
    assert isinstance(requested, ev.Requested)
    assert (requested.nik, requested.kk, requested.village) == (OWNER_NIK, OWNER_KK, "35.17.09.2018")
    assert card.status is CardStatus.REQUESTED and card.version == 1


def test_a_lost_card_request_needs_the_police_report() -> None:
    with pytest.raises(errors.MissingEvidence, match="police report"):
        decide(None, request(RequestReason.LOST))
    assert run([request(RequestReason.LOST, "LP/1/XI/2026")])[0].evidence == "LP/1/XI/2026"


def test_a_damaged_card_request_needs_the_old_serial() -> None:
    with pytest.raises(errors.MissingEvidence, match="serial"):
        decide(None, request(RequestReason.DAMAGED))


def test_the_happy_path_reaches_each_state_in_order() -> None:
    for status in ("REQUESTED", "READY_TO_PRINT", "BLANK_ALLOCATED", "PRINTED", "DISPATCHED"):
        assert card_in(status).status.value == status


def test_no_blank_before_print_readiness() -> None:
    with pytest.raises(errors.BlankBeforePrintReadiness):
        decide(card_in("REQUESTED"), cmd.AllocateBlank(**base(), serial="3517170001"))


def test_print_needs_an_allocated_blank() -> None:
    for status in ("REQUESTED", "READY_TO_PRINT"):
        with pytest.raises(errors.PrintWithoutBlank):
            decide(card_in(status), cmd.RecordPrinted(**base(), station="s"))
        with pytest.raises(errors.PrintWithoutBlank):
            decide(card_in(status), print_failure())


def test_printing_names_the_allocated_blank_or_is_refused() -> None:
    card = card_in("BLANK_ALLOCATED")
    with pytest.raises(errors.SerialMismatch):
        decide(card, cmd.RecordPrinted(**base(), station="s", serial="3517179999"))
    (printed,) = then(card, cmd.RecordPrinted(**base(), station="s", serial="3517170001"))
    assert isinstance(printed, ev.Printed) and printed.serial == "3517170001"


def test_a_print_failure_spoils_the_blank_and_returns_the_card_to_ready_to_print() -> None:
    card = card_in("BLANK_ALLOCATED")
    events = then(card, print_failure())
    after = project(card, events)
    assert after is not None
    assert after.status is CardStatus.READY_TO_PRINT
    assert after.blank_serial is None and after.spoiled_serials == ("3517170001",)
    again = project(after, then(after, cmd.AllocateBlank(**base(), serial="3517170002")))
    assert again is not None and again.blank_serial == "3517170002"


def test_attempts_are_capped_then_only_a_return_is_allowed() -> None:
    policy = CardPolicy(attempt_cap=2)
    card = card_in("DISPATCHED")
    for _ in range(2):
        card = project(card, then(card, failed_attempt(), policy))  # type: ignore[assignment]
    assert card.attempts == 2
    with pytest.raises(errors.AttemptCapReached):
        decide(card, failed_attempt(), policy)
    with pytest.raises(errors.AttemptCapReached):
        decide(card, hand_over(), policy)
    returned = project(card, then(card, cmd.ReturnToOffice(**base(OPERATOR), reason="not home"), policy))
    assert returned is not None and returned.status is CardStatus.RETURNED
    with pytest.raises(errors.AttemptCapReached):
        decide(returned, cmd.Dispatch(**base(), courier="k"), policy)
    # ... but the owner may still collect it at the office.
    done = project(returned, then(returned, hand_over(place=HandOverPlace.OFFICE, actor=OPERATOR), policy))
    assert done is not None and done.status is CardStatus.HANDED_OVER


def test_a_returned_card_can_be_dispatched_again() -> None:
    card = card_in("DISPATCHED")
    card = project(card, then(card, cmd.ReturnToOffice(**base(), reason="closed house")))  # type: ignore[assignment]
    again = project(card, then(card, cmd.Dispatch(**base(), courier="kurir.2")))
    assert again is not None and again.status is CardStatus.DISPATCHED and again.courier == "kurir.2"


def test_a_returned_card_is_handed_over_only_at_the_office() -> None:
    card = card_in("DISPATCHED")
    card = project(card, then(card, cmd.ReturnToOffice(**base(), reason="x")))  # type: ignore[assignment]
    with pytest.raises(errors.HandOverPlaceNotAllowed):
        decide(card, hand_over(place=HandOverPlace.DOOR))


def test_a_dispatched_card_is_not_handed_over_at_the_office() -> None:
    with pytest.raises(errors.HandOverPlaceNotAllowed):
        decide(card_in("DISPATCHED"), hand_over(place=HandOverPlace.OFFICE))


def _proxy(**overrides: object) -> Recipient:
    fields: dict[str, object] = {
        "nik": make_nik(day=10, month=6, year=1993, serial=4), "name": "Hendra",
        "kk": OWNER_KK, "relationship": Relationship.SPOUSE,
    }
    fields.update(overrides)
    return Recipient(RecipientKind.PROXY, **fields)  # type: ignore[arg-type]


def test_a_proxy_must_share_the_owners_kk() -> None:
    card = card_in("DISPATCHED")
    with pytest.raises(errors.ProxyNotOnSameKk) as refused:
        decide(card, hand_over(_proxy(kk="3517099999990001")))
    assert OWNER_KK not in str(refused.value)
    (handed,) = then(card, hand_over(_proxy()))
    assert isinstance(handed, ev.HandedOver) and handed.recipient.relationship is Relationship.SPOUSE


def test_a_proxy_gives_every_detail_and_is_not_the_owner() -> None:
    card = card_in("DISPATCHED")
    with pytest.raises(errors.ProxyDetailsMissing, match="relationship"):
        decide(card, hand_over(_proxy(relationship=None)))
    with pytest.raises(errors.ProxyIsOwner):
        decide(card, hand_over(_proxy(nik=OWNER_NIK)))


@pytest.mark.parametrize("reason", [RequestReason.DAMAGED, RequestReason.DATA_CHANGE])
def test_damaged_and_data_change_need_the_old_card_at_hand_over(reason: RequestReason) -> None:
    card = card_in("DISPATCHED", reason, "3517160042")
    with pytest.raises(errors.OldCardRequired):
        decide(card, hand_over())
    assert then(card, hand_over(old_card="3517160042"))


def test_the_surrendered_damaged_card_is_the_one_named_at_request() -> None:
    card = card_in("DISPATCHED", RequestReason.DAMAGED, "3517160042")
    with pytest.raises(errors.OldCardMismatch):
        decide(card, hand_over(old_card="3517169999"))


@pytest.mark.parametrize("status", ["REQUESTED", "READY_TO_PRINT", "BLANK_ALLOCATED"])
def test_cancel_before_printing(status: str) -> None:
    card = card_in(status)
    after = project(card, then(card, cmd.Cancel(**base(), reason="moved away")))
    assert after is not None and after.status is CardStatus.CANCELLED and not after.is_open


@pytest.mark.parametrize("status", ["PRINTED", "DISPATCHED"])
def test_no_cancel_after_printing(status: str) -> None:
    with pytest.raises(errors.CancelAfterPrinting):
        decide(card_in(status), cmd.Cancel(**base(), reason="x"))


def test_uncollected_only_after_the_holding_period_then_destroyed() -> None:
    policy = CardPolicy(holding_days=30)
    card = card_in("DISPATCHED")
    card = project(card, then(card, cmd.ReturnToOffice(**base(when=at(days=1)), reason="x"), policy))  # type: ignore[assignment]
    with pytest.raises(errors.HoldingPeriodNotOver):
        decide(card, cmd.DeclareUncollected(**base(HEAD, at(days=30))), policy)
    card = project(card, then(card, cmd.DeclareUncollected(**base(HEAD, at(days=31))), policy))  # type: ignore[assignment]
    assert card.status is CardStatus.UNCOLLECTED and card.is_open
    with pytest.raises(errors.RoleNotPermitted):
        decide(card, cmd.Destroy(**base(OPERATOR), reason="x", record_number="BA/1"))
    gone = project(card, then(card, cmd.Destroy(**base(HEAD), reason="uncollected", record_number="BA/1")))
    assert gone is not None and gone.status is CardStatus.DESTROYED and not gone.is_open


def test_closed_cards_take_no_more_commands() -> None:
    card = card_in("DISPATCHED")
    card = project(card, then(card, hand_over()))  # type: ignore[assignment]
    for command in (failed_attempt(), hand_over(), cmd.ReturnToOffice(**base(), reason="x"),
                    cmd.Cancel(**base(), reason="x"), cmd.Dispatch(**base(), courier="k")):
        with pytest.raises(errors.ActionNotAllowed):
            decide(card, command)


def test_roles_are_checked_before_anything_else() -> None:
    with pytest.raises(errors.RoleNotPermitted):
        decide(None, request(actor=COURIER))
    with pytest.raises(errors.RoleNotPermitted):
        decide(card_in("REQUESTED"), cmd.ConfirmPrintReadiness(**base(AUDITOR)))
    # Couriers do record their own attempts and hand-overs.
    assert decide(card_in("DISPATCHED"), failed_attempt(COURIER))


def test_a_second_request_on_an_existing_card_is_refused() -> None:
    with pytest.raises(errors.ActionNotAllowed):
        decide(card_in("REQUESTED"), request())


def test_refusal_messages_never_contain_a_full_nik_or_kk() -> None:
    card = card_in("DISPATCHED")
    for bad in (_proxy(kk="3517099999990001"), _proxy(nik=OWNER_NIK)):
        try:
            decide(card, hand_over(bad))
        except errors.DomainError as refused:
            assert OWNER_NIK not in str(refused) and OWNER_KK not in str(refused)


def test_evolve_keeps_the_version_equal_to_the_event_count() -> None:
    card, events = run([request(), *[c for c in _all_steps()]])
    assert card.version == len(events)


def _all_steps() -> list[cmd.CardCommand]:
    return [
        cmd.ConfirmPrintReadiness(**base()),
        cmd.AllocateBlank(**base(), serial="3517170001"),
        print_failure(),
        cmd.AllocateBlank(**base(), serial="3517170002"),
        cmd.RecordPrinted(**base(), station="s"),
        cmd.Dispatch(**base(), courier=COURIER.id),
        failed_attempt(),
        cmd.ReturnToOffice(**base(), reason="x"),
        cmd.Dispatch(**base(), courier=COURIER.id),
        hand_over(),
    ]


def test_events_are_frozen_values() -> None:
    (requested,) = run([request()])[1]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        requested.nik = "x"  # type: ignore[misc]


def test_only_the_cards_courier_records_its_delivery_and_another_officer_checks_it_in() -> None:
    card = card_in("DISPATCHED")  # dispatched with courier kurir.test (COURIER)
    stranger = Actor("kurir.lain", Role.COURIER)
    for command in (failed_attempt(stranger), hand_over(actor=stranger)):
        with pytest.raises(errors.NotTheCardsCourier):
            decide(card, command)
    assert then(card, hand_over(actor=COURIER)) and then(card, hand_over(actor=HEAD))
    with pytest.raises(errors.CourierChecksInOwnCard):
        decide(card, cmd.ReturnToOffice(**base(Actor(COURIER.id, Role.OPERATOR)), reason="x"))
    assert then(card, cmd.ReturnToOffice(**base(OPERATOR), reason="x"))
