"""The manifest's rules (domain.md, "Delivery manifest"; issue 4), as given/when/then
on decide and evolve, and the card's side of them."""

from __future__ import annotations

import uuid

import pytest
from testkit.card_steps import base, card_in, failed_attempt, hand_over
from testkit.manifest_steps import (
    CARD_A,
    CARD_B,
    MANIFEST_ID,
    apply,
    assign,
    check_in,
    close,
    dispatch,
    opened,
    out_with,
    report,
    then,
)
from testkit.people import AUDITOR, COURIER, HEAD, JABON, NGUDIREJO, OPERATOR

from ektp.domain import errors
from ektp.domain.actor import Actor, Role
from ektp.domain.card import commands as card_cmd
from ektp.domain.card import events as card_ev
from ektp.domain.card.decide import CardPolicy
from ektp.domain.card.decide import decide as decide_card
from ektp.domain.card.state import Card
from ektp.domain.card.state import project as project_card
from ektp.domain.card.vocabulary import CardStatus, HandOverPlace
from ektp.domain.manifest import commands as cmd
from ektp.domain.manifest import events as ev
from ektp.domain.manifest.decide import decide
from ektp.domain.manifest.vocabulary import ManifestStatus, Outcome

M = MANIFEST_ID
OTHER = uuid.UUID(int=99)


# --- the manifest ---------------------------------------------------------------
def test_opening_records_courier_date_and_sorted_villages() -> None:
    manifest = opened((NGUDIREJO, JABON, NGUDIREJO))
    assert manifest.status is ManifestStatus.OPEN and manifest.version == 1
    assert manifest.villages == (NGUDIREJO, JABON)  # sorted, once each
    assert manifest.courier == COURIER.id and manifest.opened_by == OPERATOR.id


def test_only_cards_of_its_villages_are_assigned() -> None:
    manifest = opened((JABON,))
    with pytest.raises(errors.VillageNotOnManifest, match=NGUDIREJO):
        decide(manifest, assign(village=NGUDIREJO))
    (assigned,) = then(manifest, assign())
    assert isinstance(assigned, ev.CardAssigned) and assigned.card_id == CARD_A


def test_cards_are_assigned_and_removed_only_while_open() -> None:
    manifest = out_with(CARD_A)
    with pytest.raises(errors.ManifestActionNotAllowed, match="DISPATCHED"):
        decide(manifest, assign(CARD_B))
    with pytest.raises(errors.ManifestActionNotAllowed):
        decide(manifest, cmd.RemoveCard(**base(), card_id=CARD_A))


def test_removing_a_card_not_on_the_manifest_is_refused() -> None:
    manifest = apply(opened(), assign())
    with pytest.raises(errors.CardNotOnManifest):
        decide(manifest, cmd.RemoveCard(**base(), card_id=CARD_B))
    after = apply(manifest, cmd.RemoveCard(**base(), card_id=CARD_A, reason="wrong route"))
    assert not after.entries


def test_an_empty_manifest_is_not_dispatched() -> None:
    with pytest.raises(errors.EmptyManifest):
        decide(opened(), dispatch())


def test_dispatch_counts_the_cards_and_keeps_the_seal() -> None:
    manifest = apply(opened(), assign(CARD_A), assign(CARD_B))
    (dispatched,) = then(manifest, dispatch("SEGEL-9"))
    assert isinstance(dispatched, ev.Dispatched)
    assert (dispatched.card_count, dispatched.seal_number) == (2, "SEGEL-9")
    assert dispatched.actor == OPERATOR  # the dispatching officer


def test_results_are_recorded_only_while_the_courier_is_out() -> None:
    with pytest.raises(errors.ManifestActionNotAllowed, match="OPEN"):
        decide(apply(opened(), assign()), report(Outcome.HANDED_OVER))
    back = apply(out_with(CARD_A), check_in())
    with pytest.raises(errors.ManifestActionNotAllowed, match="RETURNED"):
        decide(back, report(Outcome.HANDED_OVER))


def test_a_card_not_on_the_manifest_gets_no_result() -> None:
    with pytest.raises(errors.CardNotOnManifest):
        decide(out_with(CARD_A), report(Outcome.HANDED_OVER, card=CARD_B))


def test_nothing_more_is_recorded_after_a_final_outcome() -> None:
    manifest = apply(out_with(CARD_A, CARD_B), report(Outcome.HANDED_OVER),
                     report(Outcome.RETURNED, card=CARD_B, reason="road flooded"))
    for card in (CARD_A, CARD_B):
        with pytest.raises(errors.OutcomeAlreadyFinal):
            decide(manifest, report(Outcome.ATTEMPT_FAILED, card=card, reason="not-at-home"))


def test_failed_attempts_may_repeat_before_the_final_outcome() -> None:
    manifest = apply(out_with(CARD_A), report(Outcome.ATTEMPT_FAILED, reason="not-at-home"),
                     report(Outcome.ATTEMPT_FAILED, reason="not-at-home"))
    assert [r.outcome for r in manifest.entries[CARD_A].reports] == [Outcome.ATTEMPT_FAILED] * 2
    assert then(manifest, report(Outcome.HANDED_OVER, recipient="owner"))


def test_a_courier_records_only_on_their_own_manifest() -> None:
    other_courier = Actor("kurir.lain", Role.COURIER)
    with pytest.raises(errors.NotTheCouriersManifest):
        decide(out_with(CARD_A), report(Outcome.HANDED_OVER, actor=other_courier))
    assert then(out_with(CARD_A), report(Outcome.HANDED_OVER, actor=OPERATOR))


def test_the_returning_check_in_is_not_done_by_the_courier() -> None:
    manifest = out_with(CARD_A)
    courier_as_officer = Actor(COURIER.id.upper(), Role.OPERATOR)
    with pytest.raises(errors.CourierChecksInOwnReturn):
        decide(manifest, check_in(courier_as_officer))
    with pytest.raises(errors.RoleNotPermitted):
        decide(manifest, check_in(Actor("kurir.lain", Role.COURIER)))


def test_the_check_in_returns_every_card_not_handed_over() -> None:
    manifest = apply(out_with(CARD_A, CARD_B), report(Outcome.HANDED_OVER))
    (returned,) = then(manifest, check_in(seal_intact=False))
    assert isinstance(returned, ev.Returned)
    assert returned.returned_cards == (CARD_B,) and returned.seal_intact is False
    after = apply(manifest, check_in())
    assert after.entries[CARD_B].returned and not after.entries[CARD_A].returned
    assert after.returned_by == OPERATOR.id


def test_it_closes_only_when_every_dispatched_card_is_handed_over_or_returned() -> None:
    manifest = apply(out_with(CARD_A, CARD_B), report(Outcome.HANDED_OVER))
    with pytest.raises(errors.ManifestNotSettled, match="1 of its 2"):
        decide(manifest, close())
    settled = apply(manifest, check_in())
    (closed,) = then(settled, close())
    assert isinstance(closed, ev.Closed) and closed.record_number == "BAST/1"
    assert apply(settled, close()).status is ManifestStatus.CLOSED


def test_all_handed_over_closes_without_a_check_in() -> None:
    manifest = apply(out_with(CARD_A), report(Outcome.HANDED_OVER))
    assert apply(manifest, close()).status is ManifestStatus.CLOSED


def test_an_open_manifest_closes_only_when_empty() -> None:
    with pytest.raises(errors.ManifestActionNotAllowed, match="still has cards"):
        decide(apply(opened(), assign()), close())
    assert apply(opened(), close()).status is ManifestStatus.CLOSED


def test_a_closed_manifest_takes_no_more_commands() -> None:
    closed = apply(opened(), close())
    for command in (assign(), dispatch(), close(), check_in()):
        with pytest.raises(errors.ManifestActionNotAllowed, match="CLOSED"):
            decide(closed, command)


def test_roles() -> None:
    with pytest.raises(errors.RoleNotPermitted):
        decide(opened(), cmd.AssignCard(**base(COURIER), card_id=CARD_A, village=JABON))
    with pytest.raises(errors.RoleNotPermitted):
        decide(out_with(CARD_A), report(Outcome.HANDED_OVER, actor=AUDITOR))
    with pytest.raises(errors.RoleNotPermitted):
        decide(opened(), cmd.CloseManifest(**base(COURIER), record_number="x"))
    assert apply(opened(), close(HEAD)).status is ManifestStatus.CLOSED


def test_version_equals_event_count() -> None:
    manifest = apply(out_with(CARD_A, CARD_B), report(Outcome.ATTEMPT_FAILED, reason="moved"),
                     report(Outcome.HANDED_OVER, card=CARD_B), check_in(), close())
    assert manifest.version == 1 + 2 + 1 + 2 + 1 + 1


# --- the card's side ------------------------------------------------------------
def _on(card: Card, manifest_id: uuid.UUID = M) -> Card:
    after = project_card(card, decide_card(card, card_cmd.AssignToManifest(**base(), manifest_id=manifest_id)))
    assert after is not None
    return after


def _out(card: Card, manifest_id: uuid.UUID = M) -> Card:
    command = card_cmd.Dispatch(**base(), courier=COURIER.id, manifest_id=manifest_id)
    after = project_card(card, decide_card(card, command))
    assert after is not None
    return after


@pytest.mark.parametrize("status", ["REQUESTED", "READY_TO_PRINT", "BLANK_ALLOCATED", "DISPATCHED"])
def test_only_printed_or_returned_cards_are_assigned(status: str) -> None:
    with pytest.raises(errors.ActionNotAllowed):
        decide_card(card_in(status), card_cmd.AssignToManifest(**base(), manifest_id=M))


def test_a_returned_card_can_go_on_a_new_manifest() -> None:
    card = card_in("DISPATCHED")
    card = project_card(card, decide_card(card, card_cmd.ReturnToOffice(**base(), reason="x")))  # type: ignore[assignment]
    assert _on(card).manifest_id == M


def test_a_card_is_on_at_most_one_manifest() -> None:
    card = _on(card_in("PRINTED"))
    with pytest.raises(errors.CardOnAnotherManifest, match=str(M)):
        decide_card(card, card_cmd.AssignToManifest(**base(), manifest_id=OTHER))
    removed = project_card(card, decide_card(card, card_cmd.RemoveFromManifest(**base(), manifest_id=M)))
    assert removed is not None and removed.manifest_id is None
    assert _on(removed, OTHER).manifest_id == OTHER


def test_removing_from_the_wrong_manifest_or_after_dispatch_is_refused() -> None:
    card = _on(card_in("PRINTED"))
    with pytest.raises(errors.CardNotOnManifest):
        decide_card(card, card_cmd.RemoveFromManifest(**base(), manifest_id=OTHER))
    with pytest.raises(errors.ActionNotAllowed):
        decide_card(_out(card), card_cmd.RemoveFromManifest(**base(), manifest_id=M))


def test_a_card_on_a_manifest_leaves_only_with_it() -> None:
    card = _on(card_in("PRINTED"))
    with pytest.raises(errors.CardOnManifest, match="dispatch the manifest"):
        decide_card(card, card_cmd.Dispatch(**base(), courier="k"))
    with pytest.raises(errors.CardOnManifest):
        decide_card(card, card_cmd.Dispatch(**base(), courier="k", manifest_id=OTHER))
    with pytest.raises(errors.CardNotOnManifest):
        decide_card(card_in("PRINTED"), card_cmd.Dispatch(**base(), courier="k", manifest_id=M))
    (dispatched,) = decide_card(card, card_cmd.Dispatch(**base(), courier="k", manifest_id=M))
    assert isinstance(dispatched, card_ev.Dispatched) and dispatched.manifest_id == M


def test_a_card_handed_over_off_manifest_is_refused() -> None:
    card = _out(_on(card_in("PRINTED")))
    with pytest.raises(errors.CardOnManifest, match="manifest record"):
        decide_card(card, hand_over())
    with pytest.raises(errors.CardOnManifest):
        decide_card(card, failed_attempt())
    with pytest.raises(errors.CardOnManifest, match="manifest return"):
        decide_card(card, card_cmd.ReturnToOffice(**base(), reason="x"))
    on_manifest = card_cmd.HandOver(**{**vars(hand_over()), "manifest_id": M})
    (handed,) = decide_card(card, on_manifest)
    assert isinstance(handed, card_ev.HandedOver) and handed.manifest_id == M


def test_a_card_dispatched_without_a_manifest_is_delivered_without_one() -> None:
    card = card_in("DISPATCHED")
    assert decide_card(card, hand_over())
    on_some_manifest = card_cmd.HandOver(**{**vars(hand_over()), "manifest_id": M})
    with pytest.raises(errors.CardNotOnManifest):
        decide_card(card, on_some_manifest)


def test_a_returned_card_waiting_on_a_manifest_is_not_collected_or_declared_uncollected() -> None:
    card = card_in("DISPATCHED")
    card = project_card(card, decide_card(card, card_cmd.ReturnToOffice(**base(), reason="x")))  # type: ignore[assignment]
    card = _on(card)
    with pytest.raises(errors.CardOnManifest, match="remove it"):
        decide_card(card, hand_over(place=HandOverPlace.OFFICE, actor=OPERATOR))
    with pytest.raises(errors.CardOnManifest):
        decide_card(card, card_cmd.DeclareUncollected(**base(HEAD)), CardPolicy(holding_days=0))


def test_the_attempt_cap_applies_across_manifests() -> None:
    policy = CardPolicy(attempt_cap=2)
    card = card_in("PRINTED")
    for _ in range(2):
        card = _out(_on(card))
        fail = card_cmd.RecordFailedAttempt(**{**vars(failed_attempt()), "manifest_id": M})
        card = project_card(card, decide_card(card, fail, policy))  # type: ignore[assignment]
        card = project_card(card, decide_card(card, card_cmd.ReturnToOffice(**base(), reason="x", manifest_id=M)))  # type: ignore[assignment]
    assert card.attempts == 2 and card.status is CardStatus.RETURNED
    with pytest.raises(errors.AttemptCapReached):
        decide_card(card, card_cmd.AssignToManifest(**base(), manifest_id=OTHER), policy)


def test_a_card_over_the_cap_on_the_round_must_be_returned() -> None:
    policy = CardPolicy(attempt_cap=1)
    card = _out(_on(card_in("PRINTED")))
    fail = card_cmd.RecordFailedAttempt(**{**vars(failed_attempt()), "manifest_id": M})
    card = project_card(card, decide_card(card, fail, policy))  # type: ignore[assignment]
    with pytest.raises(errors.AttemptCapReached):
        decide_card(card, card_cmd.HandOver(**{**vars(hand_over()), "manifest_id": M}), policy)
    assert decide_card(card, card_cmd.ReturnToOffice(**base(), reason="cap", manifest_id=M), policy)


def test_assignment_is_an_event_of_the_card() -> None:
    card = card_in("PRINTED")
    (assigned,) = decide_card(card, card_cmd.AssignToManifest(**base(), manifest_id=M))
    assert isinstance(assigned, card_ev.AssignedToManifest) and assigned.originator_version == 5
    assert _on(card).manifest_id == M and _on(card).status is CardStatus.PRINTED
