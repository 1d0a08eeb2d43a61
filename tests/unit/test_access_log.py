"""The access log (issue 14): every display of personal data in full is recorded first,
exported and verified like every other event, and read by the head of office only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit.audit import MemorySink, objects
from testkit.fakes import FakeClock
from testkit.keys import TEST_AUDIT_KEY
from testkit.people import HEAD, JABON, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.application.audit.line_check import InMemoryStreamVersions
from ektp.application.audit.personal import Pseudonymiser
from ektp.application.audit.verify import verify_export
from ektp.application.office import Office
from ektp.domain import errors
from ektp.domain.actor import Actor

NIK = make_nik()
OTHER_NIK = make_nik(serial=2)


@pytest.fixture
def office() -> Iterator[Office]:
    with staffed_office("memory://", clock=FakeClock(), audit_key=TEST_AUDIT_KEY) as office:
        office.receive_blanks(OPERATOR, bast="BAST/T/1", source="ministry",
                              ranges=["3517170001-3517170100"])
        yield office


def request(office: Office, nik: str = NIK) -> str:
    return str(office.request_card(OPERATOR, nik=nik, name="Ahmad Fauzi", kk=kk_for(nik),
                                   village=JABON, rt="2", rw="1").id)


def pseudonym(nik: str) -> str:
    return Pseudonymiser(TEST_AUDIT_KEY).number(nik)


def test_a_full_card_and_a_revealed_export_are_in_the_log_and_the_verified_export(
        office: Office) -> None:
    card = request(office)
    before = office.last_position()
    view = office.cards.card(card, OPERATOR, full=True, purpose="resident at the counter")
    assert view.nik == NIK
    assert office.last_position() == before + 1  # the access, written before the card is returned

    revealed = MemorySink()
    office.export_audit(HEAD, revealed, audit_key=None, reveal_personal_data=True,
                        purpose="court order 12/2026")
    desk = office.access_log
    entries = desk.entries(HEAD, desk.query(subject=NIK))
    assert [(e.staff, e.what, e.purpose) for e in entries] == [
        (OPERATOR.id, "card show --full", "resident at the counter"),
        (HEAD.id, "audit export --reveal-personal-data", "court order 12/2026")]
    assert entries[0].subjects == (pseudonym(NIK),) and entries[1].everyone
    assert NIK not in repr(entries)

    # A pseudonymised export holds both, and verifies.
    sink = MemorySink()
    office.export_audit(HEAD, sink, audit_key=TEST_AUDIT_KEY)
    verify_export(sink.source(), InMemoryStreamVersions())
    accesses = [o for o in objects(sink.events) if o["type"] == "PersonalDataAccessed"]
    assert [o["aggregate"] for o in accesses] == ["personal-data", "personal-data"]
    assert accesses[0]["data"]["subjects"] == [pseudonym(NIK)]
    assert NIK.encode() not in b"".join(
        line for line in sink.events.splitlines() if b"PersonalDataAccessed" in line)
    # The revealed export held its own access too (it is written before the export reads).
    assert b"court order 12/2026" in revealed.events
    verify_export(revealed.source(), InMemoryStreamVersions())


def test_refusals_write_nothing(office: Office) -> None:
    request(office)
    before = office.last_position()
    with pytest.raises(errors.PurposeRequired, match="--purpose"):
        office.export_audit(HEAD, MemorySink(), audit_key=None, reveal_personal_data=True)
    with pytest.raises(errors.AccessRefused):
        office.access_log.entries(OPERATOR)
    with pytest.raises(errors.InvalidDateRange):
        office.access_log.query(start="2026-02-02", end="2026-02-01")
    with pytest.raises(errors.InvalidText):
        office.access_log.query(start="yesterday")
    with pytest.raises(errors.InvalidNik):
        office.access_log.query(subject="123")
    assert office.last_position() == before


def test_a_card_not_shown_in_full_is_not_logged(office: Office) -> None:
    card = request(office)
    before = office.last_position()
    assert office.cards.card(card).nik != NIK
    assert office.last_position() == before
    assert office.access_log.entries(HEAD) == ()


@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([OPERATOR, HEAD]), st.integers(0, 2), st.booleans()),
                min_size=1, max_size=5))
def test_filters_partition_the_log(shows: list[tuple[Actor, int, bool]]) -> None:
    """Whatever was read by whom on which day: the staff filter splits the log into
    disjoint parts that make it whole, and so do the days (--from D --to D); a
    subject's part is exactly the entries naming them (or every resident)."""
    clock = FakeClock()
    with staffed_office("memory://", clock=clock, audit_key=TEST_AUDIT_KEY) as office:
        cards = {nik: request(office, nik) for nik in (NIK, OTHER_NIK)}
        for actor, days, other in shows:
            clock.advance(days=days)
            office.cards.card(cards[OTHER_NIK if other else NIK], actor, full=True)
        desk = office.access_log
        log = desk.entries(HEAD)
        assert len(log) == len(shows)
        by_staff = [desk.entries(HEAD, desk.query(staff=a.id)) for a in (OPERATOR, HEAD)]
        assert sorted(e.at for part in by_staff for e in part) == sorted(e.at for e in log)
        assert sum(len(p) for p in by_staff) == len(log)
        days = sorted({e.at.astimezone(office.config.timezone).date() for e in log})
        by_day = [desk.entries(HEAD, desk.query(start=d, end=d)) for d in days]
        assert sum(len(p) for p in by_day) == len(log)
        for nik in (NIK, OTHER_NIK):
            mine = desk.entries(HEAD, desk.query(subject=nik))
            assert list(mine) == [e for e in log if e.everyone or pseudonym(nik) in e.subjects]
        both = desk.entries(HEAD, desk.query(subject=NIK)) + desk.entries(
            HEAD, desk.query(subject=OTHER_NIK))
        assert len(both) == len(log)  # one subject an access: the subjects partition it too


def test_a_command_on_a_card_returns_it_masked_and_records_no_access(office: Office) -> None:
    # The API returns a full NIK only where the access is recorded (`office.card(full=True)`):
    # the card a command changed comes back masked, even to one who may see it in full.
    card = request(office)
    for actor in (OPERATOR, HEAD):
        before = office.last_position()
        view = office.confirm_print_readiness(actor, card) if actor is OPERATOR else \
            office.allocate_blank(actor, card)
        assert view.nik == NIK[:4] + "********" + NIK[12:] and NIK not in repr(view)
        assert office.access_log.entries(HEAD) == ()
        assert office.last_position() > before
    shown = office.card(card, OPERATOR, full=True)
    assert shown.nik == NIK and len(office.access_log.entries(HEAD)) == 1
