"""The embedding API: no global state, closing releases connections, a documented public surface."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
from testkit.people import OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

import ektp.application
import ektp.entrypoints


def request(office: object, serial: int) -> str:
    nik = make_nik(serial=serial)
    return str(office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),  # type: ignore[attr-defined]
                                   village="35.17.09.2018").id)


def test_two_offices_in_one_process_do_not_interfere(tmp_path: Path) -> None:
    with staffed_office(f"sqlite:///{tmp_path / 'a.db'}") as a, staffed_office(f"sqlite:///{tmp_path / 'b.db'}") as b:
        card_a = request(a, 1)
        card_b = request(b, 1)  # the same NIK: a different office, its own register
        a.confirm_print_readiness(OPERATOR, card_a)
        assert [str(c.id) for c in a.list_cards()] == [card_a]
        assert [str(c.id) for c in b.list_cards()] == [card_b]
        assert b.card(card_b).status == "REQUESTED" and a.card(card_a).status == "READY_TO_PRINT"


def _connections(server_url: str, database: str) -> int:
    with psycopg.connect(server_url, autocommit=True) as admin:
        row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (database,)).fetchone()
    return int(row[0]) if row else 0


def test_closing_releases_every_connection(postgres_server: str, postgres_url: str) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    office = staffed_office(postgres_url)
    card = request(office, 1)
    office.confirm_print_readiness(OPERATOR, card)
    assert office.list_cards()  # opens the read models' connections too
    assert _connections(postgres_server, database) > 0
    office.close()
    # A server backend ends shortly after its client hangs up: allow it a moment.
    deadline = time.monotonic() + 10
    while _connections(postgres_server, database) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _connections(postgres_server, database) == 0


def test_the_public_names_resolve_and_are_documented() -> None:
    assert ektp.entrypoints.__all__ == ["open_office"]
    assert ektp.entrypoints.open_office.__doc__
    for name in ektp.application.__all__:
        value = getattr(ektp.application, name)
        assert value.__doc__, name
