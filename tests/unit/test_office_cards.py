"""The card use cases through `Office`, on the in-memory store and a fake clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from testkit.fakes import FakeClock
from testkit.people import COURIER, JABON, NGUDIREJO, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.adapters.clocks import SystemClock
from ektp.application.errors import InvalidCardReference, VillageOutsideRegency
from ektp.application.office import Office
from ektp.domain import errors

NIK = make_nik()


@pytest.fixture
def office() -> Iterator[Office]:
    with staffed_office("memory://", clock=FakeClock()) as office:
        stock(office)
        yield office


def stock(office: Office) -> None:
    """Blanks to allocate from (a card takes its blank from the ledger's stock)."""
    office.receive_blanks(OPERATOR, bast="BAST/T/1", source="ministry", ranges=["3517170001-3517170100"])


def request(office: Office, nik: str = NIK, village: str = JABON) -> str:
    return str(office.request_card(OPERATOR, nik=nik, name="Ahmad Fauzi", kk=kk_for(nik),
                                   village=village, rt="2", rw="1").id)


def deliver(office: Office, card: str) -> None:
    office.confirm_print_readiness(OPERATOR, card)
    office.allocate_blank(OPERATOR, card, "3517170001")
    office.record_printed(OPERATOR, card)
    office.dispatch(OPERATOR, card, "kurir.test")
    office.hand_over(COURIER, card, recipient="owner", verified_by="ktp")


def stored_count(office: Office) -> int:
    return office.last_position()


def test_a_card_goes_from_request_to_hand_over(office: Office) -> None:
    card = request(office)
    deliver(office, card)
    view = office.card(card)
    assert (view.status, view.version, view.recipient) == ("HANDED_OVER", 6, "owner")
    assert [e.event for e in office.card_history(card)] == [
        "Requested", "PrintReadinessConfirmed", "BlankAllocated", "Printed", "Dispatched", "HandedOver"]


def test_card_is_found_by_the_nik_of_its_open_request(office: Office) -> None:
    card = request(office)
    assert str(office.card(NIK).id) == card
    assert str(office.card(f"{NIK[:6]}.{NIK[6:12]}.{NIK[12:]}").id) == card


def test_one_open_request_per_nik(office: Office) -> None:
    card = request(office)
    before = stored_count(office)
    with pytest.raises(errors.DuplicateOpenRequest) as refused:
        request(office)
    assert NIK not in str(refused.value) and card in str(refused.value)
    assert stored_count(office) == before


def test_the_nik_is_free_again_once_the_card_is_closed(office: Office) -> None:
    first = request(office)
    deliver(office, first)
    # The NIK still finds its card after the hand-over (issue 15: its latest, any status).
    assert (str(office.card(NIK).id), office.card(NIK).status) == (first, "HANDED_OVER")
    second = request(office)
    assert second != first and str(office.card(NIK).id) == second
    office.cancel(OPERATOR, second, "applied twice")
    assert request(office) not in (first, second)


def test_a_refused_command_writes_nothing(office: Office) -> None:
    card = request(office)
    before = stored_count(office)
    with pytest.raises(errors.BlankBeforePrintReadiness):
        office.allocate_blank(OPERATOR, card, "3517170001")
    with pytest.raises(errors.InvalidSerial):
        office.allocate_blank(OPERATOR, card, "12")
    assert stored_count(office) == before
    assert office.card(card).version == 1


def test_requests_outside_the_regency_are_refused(office: Office) -> None:
    with pytest.raises(VillageOutsideRegency, match="35.17"):
        request(office, village="35.78.01.1001")


def test_bad_card_references(office: Office) -> None:
    with pytest.raises(InvalidCardReference):
        office.card("not-a-card")
    with pytest.raises(errors.CardNotFound):
        office.card("6f1c3c4e-2a8b-4d7e-9a31-000000000000")
    with pytest.raises(errors.CardNotFound):
        office.card(make_nik(serial=77))
    with pytest.raises(errors.InvalidNik):
        office.card("3517000000000000")


def test_history_never_shows_a_full_nik(office: Office) -> None:
    card = request(office)
    deliver(office, card)
    summaries = " ".join(e.summary for e in office.card_history(card))
    assert NIK not in summaries and "3517********0001" in summaries


def test_list_filters_by_status_and_village(office: Office) -> None:
    a = request(office)
    office.services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    b = request(office, make_nik(region="351708", serial=2), NGUDIREJO)
    office.confirm_print_readiness(OPERATOR, b)
    assert [str(c.id) for c in office.list_cards()] == [a, b]
    assert [str(c.id) for c in office.list_cards(status="ready-to-print")] == [b]
    assert [str(c.id) for c in office.list_cards(village=JABON)] == [a]
    with pytest.raises(errors.InvalidChoice):
        office.list_cards(status="SHIPPED")


class InterferingClock(SystemClock):
    """Lets another clerk change the card while this command is deciding."""

    def __init__(self, interfere: Callable[[], object]) -> None:
        self.interfere: Callable[[], object] | None = None
        self._pending = interfere

    def arm(self) -> None:
        self.interfere, self._pending = self._pending, self.interfere  # type: ignore[assignment]

    def now(self) -> dt.datetime:
        if self.interfere is not None:
            interfere, self.interfere = self.interfere, None
            interfere()
        return super().now()


def test_a_change_between_reading_and_writing_is_a_concurrent_change(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    with staffed_office(url) as first:
        card = request(first)
    with staffed_office(url) as other:
        clock = InterferingClock(lambda: other.confirm_print_readiness(OPERATOR, card))
        with staffed_office(url, clock=clock) as office:
            clock.arm()
            before = stored_count(office)
            with pytest.raises(errors.ConcurrentChange, match="try again"):
                office.cancel(OPERATOR, card, "withdrawn")
            assert stored_count(office) == before + 1  # only the other clerk's event
            assert office.card(card).status == "READY_TO_PRINT"


def test_a_state_cached_before_another_process_wrote_is_retried_fresh(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stale.db'}"
    with staffed_office(url) as office, staffed_office(url) as other:
        stock(other)
        card = request(office)  # `office` now caches the card at REQUESTED
        other.confirm_print_readiness(OPERATOR, card)
        # Decided on the stale cache this would be refused (no PRR yet); it is retried fresh.
        assert office.allocate_blank(OPERATOR, card, "3517170001").status == "BLANK_ALLOCATED"
        other.allocate_blank  # the other office's cache is stale too:
        with pytest.raises(errors.ActionNotAllowed):
            other.confirm_print_readiness(OPERATOR, card)
        assert other.card(card).version == 3
