"""Histories made through `Office` and replayed from the export alone equal the
live aggregates at every moment (`--as-of`), with the domain's own `project`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from testkit.audit import HEAD, KEY, export
from testkit.fakes import FakeClock
from testkit.people import COURIER, JABON, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.application.audit.line_check import InMemoryStreamVersions
from ektp.application.audit.manifest import parse_manifest
from ektp.application.audit.personal import Pseudonymiser, initials
from ektp.application.audit.reading import read_lines
from ektp.application.audit.replay import card_events, replay_card
from ektp.application.config import OfficeConfig
from ektp.domain.card.state import Card, project
from ektp.domain.errors import DomainError

PROXY_NIK = make_nik(day=10, month=6, year=1993, serial=4)
ACTIONS = ["ready", "allocate", "print", "fail_print", "dispatch", "attempt", "hand_over",
           "hand_over_proxy", "hand_over_office", "return", "cancel", "uncollected", "destroy"]


def act(office: Any, card: Any, action: str, serial: int) -> None:
    """Try one command; a refusal is part of the game."""
    calls = {
        "ready": lambda: office.confirm_print_readiness(OPERATOR, card, reference="PRR-1"),
        "allocate": lambda: office.allocate_blank(OPERATOR, card, f"{serial:010d}"),
        "print": lambda: office.record_printed(OPERATOR, card, station="cetak-1"),
        "fail_print": lambda: office.record_print_failure(OPERATOR, card, "chip-not-encoded"),
        "dispatch": lambda: office.dispatch(OPERATOR, card, "kurir.test"),
        "attempt": lambda: office.record_failed_attempt(COURIER, card, "not-at-home", "FOTO-1"),
        "hand_over": lambda: office.hand_over(COURIER, card, verified_by="ktp"),
        "hand_over_proxy": lambda: office.hand_over(
            COURIER, card, recipient="proxy", verified_by="kk", proxy_nik=PROXY_NIK,
            proxy_name="Hendra Gunawan", proxy_kk=kk_for(make_nik(serial=1)), relationship="spouse"),
        "hand_over_office": lambda: office.hand_over(OPERATOR, card, verified_by="ktp", place="office"),
        "return": lambda: office.return_card(OPERATOR, card, "nobody home"),
        "cancel": lambda: office.cancel(OPERATOR, card, "withdrawn"),
        "uncollected": lambda: office.declare_uncollected(HEAD, card),
        "destroy": lambda: office.destroy(HEAD, card, "uncollected", "BA/1/2026"),
    }
    try:
        calls[action]()
    except DomainError:
        pass


def anonymised(card: Card, key: bytes) -> Card:
    """What a pseudonymised export holds of a live card."""
    p = Pseudonymiser(key)
    recipient = card.recipient
    if recipient is not None and recipient.nik is not None:
        recipient = attrs.evolve(recipient, nik=p.number(recipient.nik), kk=p.number(recipient.kk or ""),
                                 name=initials(recipient.name or ""))
    return attrs.evolve(card, nik=p.number(card.nik), kk=p.number(card.kk), name=initials(card.name),
                        recipient=recipient)


@settings(max_examples=50, deadline=None)
@given(plan=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(ACTIONS),
                               st.integers(1, 10**6), st.integers(0, 4 * 86400 * 10**6)),
                     max_size=30),
       reveal=st.booleans())
def test_replay_equals_the_live_aggregate_at_every_moment(
    plan: list[tuple[int, str, int, int]], reveal: bool
) -> None:
    clock = FakeClock(dt.datetime(2026, 11, 2, 1, 0, 0, 123456, tzinfo=dt.timezone.utc))
    with staffed_office("memory://", clock=clock, config=OfficeConfig(holding_days=1)) as office:
        cards = [office.request_card(OPERATOR, nik=make_nik(serial=n + 1), name="Siti Nur Jannah",
                                     kk=kk_for(make_nik(serial=1)), village=JABON).id for n in range(3)]
        for which, action, serial, micros in plan:
            clock.advance(microseconds=micros)
            act(office, cards[which], action, serial)
        # A revealed export is a bulk display of personal data: it says why (issue 14).
        sink = export(office, reveal_personal_data=reveal,
                      purpose="an auditor's replay" if reveal else None)
        live = {card: list(office.store.events(card)) for card in cards}
    manifest = parse_manifest(sink.manifest or b"")
    for card, events in live.items():
        for moment in sorted({e.timestamp for e in events}) + [None]:
            lines = read_lines(sink.source(), manifest, InMemoryStreamVersions())
            rebuilt = card_events(lines, str(card), manifest.office, moment)
            expected = [e for e in events if moment is None or e.timestamp <= moment]
            state, live_state = replay_card(rebuilt), project(None, expected)
            assert state is not None and live_state is not None
            assert state == (live_state if reveal else anonymised(live_state, KEY))
            if reveal:
                assert rebuilt == expected
            assert [type(e) for e in rebuilt] == [type(e) for e in expected]
