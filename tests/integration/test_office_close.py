"""`Office.close()` in process: what a call after close meets, what a call running
at close gets, and a follower that ends when its office closes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from testkit.fakes import FakeClock
from testkit.people import HEAD, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office
from testkit.stock import stock

from ektp.adapters.audit.files import DirectorySink
from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.store import open_event_store
from ektp.application import OfficeClosed
from ektp.application.config import OfficeConfig
from ektp.application.office import Office
from ektp.application.ports.read_models import ReadModels
from ektp.application.ports.rows import CardRow
from ektp.entrypoints.composition import open_office


def request(office: Office, serial: int) -> str:
    nik = make_nik(serial=serial)
    return str(office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                   village="35.17.09.2018").id)


AFTER_CLOSE: dict[str, Callable[[Office, str], object]] = {
    "request_card": lambda o, c: request(o, 99),
    "confirm_print_readiness": lambda o, c: o.confirm_print_readiness(OPERATOR, c),
    "card": lambda o, c: o.card(c),
    "card_history": lambda o, c: o.card_history(c),
    "blank_stock": lambda o, c: o.blank_stock(),
    "list_cards": lambda o, c: o.list_cards(),
    "daily_report": lambda o, c: o.daily_report(),
    "last_position": lambda o, c: o.last_position(),
    "events_since": lambda o, c: next(iter(o.events_since(0))),
    "follow": lambda o, c: next(iter(o.follow(0))),
    "export_audit": lambda o, c: o.export_audit(HEAD, DirectorySink(str(Path(c))), audit_key=None,
                                                reveal_personal_data=True),
}


@pytest.mark.parametrize("reports_opened", [True, False])
def test_every_call_after_close_fails_with_office_closed(any_store_url: str, tmp_path: Path,
                                                          reports_opened: bool) -> None:
    office = staffed_office(any_store_url)
    stock(office, 5)
    card = request(office, 1)
    if reports_opened:
        assert office.list_cards()
    office.close()
    for name, call in AFTER_CLOSE.items():
        argument = str(tmp_path / "export") if name == "export_audit" else card
        with pytest.raises(OfficeClosed):
            call(office, argument)
    office.close()  # closing again does nothing
    assert not (tmp_path / "export").exists()
    if any_store_url != "memory://":  # nothing the refused calls asked for was written
        with staffed_office(any_store_url) as again:
            assert [row.status for row in again.list_cards()] == ["REQUESTED"]


class HeldReadModels(ReadModels):
    """Read models whose `cards` waits until the test lets it go; remembers being closed."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.go_on = threading.Event()
        self.busy = self.closed = self.closed_while_inside = False

    def cards(self, status: str | None = None, village: str | None = None) -> tuple[CardRow, ...]:
        self.busy = True
        self.inside.set()
        self.go_on.wait()
        self.busy = False
        return ()

    def close(self) -> None:
        self.closed_while_inside = self.busy
        self.closed = True

    # The rest of the port is not used here.
    def ensure_schema(self) -> None: raise AssertionError  # noqa: E704
    def missing_tables(self) -> tuple[str, ...]: raise AssertionError  # noqa: E704
    def describe(self) -> tuple[str, str, str]: raise AssertionError  # noqa: E704
    def catch_up(self, name: str | None = None) -> int: raise AssertionError  # noqa: E704
    def status(self) -> Any: raise AssertionError  # noqa: E704
    def rebuild(self, name: str | None = None) -> int: raise AssertionError  # noqa: E704
    def manifests(self, status: str | None = None) -> Any: raise AssertionError  # noqa: E704
    def card_page(self, **query: Any) -> Any: raise AssertionError  # noqa: E704
    def ids_with_prefix(self, kind: str, prefix: str, limit: int) -> Any: raise AssertionError  # noqa: E704
    def backlog(self, now: Any) -> Any: raise AssertionError  # noqa: E704
    def daily(self, day: Any) -> Any: raise AssertionError  # noqa: E704
    def daily_span(self, first: Any, last: Any) -> Any: raise AssertionError  # noqa: E704
    def uncollected(self, kecamatan: Any = None) -> Any: raise AssertionError  # noqa: E704
    def villages(self) -> Any: raise AssertionError  # noqa: E704
    def delivery_facts(self, start: Any, end: Any) -> Any: raise AssertionError  # noqa: E704


def held_office() -> tuple[Office, HeldReadModels]:
    held = HeldReadModels()
    office = Office(open_event_store(DatabaseUrl.parse("memory://")), FakeClock(), OfficeConfig(),
                    lambda: held)
    return office, held


def call_in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_call_running_at_close_finishes_before_its_connections_close() -> None:
    office, held = held_office()
    reader, got = call_in_thread(office.list_cards)
    assert held.inside.wait(30)
    closer, closed = call_in_thread(lambda: office.close(wait=None))
    closer.join(0.2)
    assert closer.is_alive() and not held.closed  # close waits for the call inside
    held.go_on.set()
    reader.join(30)
    closer.join(30)
    assert got == [()] and closed == [None]  # the running call got its answer
    assert held.closed and not held.closed_while_inside


def test_a_close_that_stops_waiting_leaves_closing_to_the_call_still_running() -> None:
    office, held = held_office()
    reader, got = call_in_thread(office.list_cards)
    assert held.inside.wait(30)
    office.close(wait=0.01)  # returns while the call is still inside
    assert not held.closed
    with pytest.raises(OfficeClosed):
        office.last_position()
    held.go_on.set()
    reader.join(30)
    assert got == [()]
    assert held.closed and not held.closed_while_inside  # closed by the last call out


def test_a_follower_ends_when_its_office_closes(shared_store_url: str) -> None:
    office = staffed_office(shared_store_url)
    start = office.last_position()  # after the staff register's own events
    for serial in range(1, 4):
        request(office, serial)
    seen: list[int] = []
    caught_up = threading.Event()

    def follow() -> str:
        # An hour between polls: only close can end this in time.
        for record in office.follow(start, poll_seconds=3600):
            seen.append(record.position)
            if len(seen) == 6:  # three cards: a Requested and a NIK claim each
                caught_up.set()
        return "ended"

    follower, ending = call_in_thread(follow)
    assert caught_up.wait(30)
    office.close()
    follower.join(30)
    assert not follower.is_alive()
    assert ending == ["ended"] and len(seen) == 6


def test_a_host_that_stops_iterating_does_not_keep_close_waiting(shared_store_url: str) -> None:
    """The gate is held for a page, never across a yield."""
    office = staffed_office(shared_store_url)
    start = office.last_position()  # after the staff register's own events
    request(office, 1)  # two events: the card's request and its NIK's claim
    records = iter(office.events_since(start))
    follower = iter(office.follow(start))
    next(records), next(follower)  # the host holds an event of each and goes away
    closer, _ = call_in_thread(lambda: office.close(wait=None))  # forever, if they held the gate
    closer.join(30)
    assert not closer.is_alive()
    assert len(list(records)) == len(list(follower)) == 1  # the rest of their page, no error
    with pytest.raises(OfficeClosed):
        next(iter(office.events_since(0)))
