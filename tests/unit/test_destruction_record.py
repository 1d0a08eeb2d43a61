"""The destruction record's fold (`ektp.application.blank_stock.destruction`): which
serials and cards it lists, with which reasons and witnesses, for which span."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given
from hypothesis import strategies as st

from ektp.application.blank_stock.destruction import BLANK, CARD, destruction_record
from ektp.domain.actor import Actor, Role
from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.serial_range import SerialRange
from ektp.domain.blank_stock.witness import Witness
from ektp.domain.card import events as ce

LEDGER = uuid.UUID(int=1)
HEAD = Actor("kadis", Role.HEAD)
T0 = dt.datetime(2018, 2, 1, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)
WITNESSES = (Witness("Budi Santoso", "inspektorat"), Witness("Sri Wahyuni", "kecamatan"))


def _stamp(version: int, at: dt.datetime) -> dict[str, object]:
    return {"originator_id": LEDGER, "originator_version": version, "timestamp": at,
            "actor": HEAD, "office": "35.17"}


def spoiled(version: int, serial: str, at: dt.datetime, reason: str = "physical-damage",
            card: uuid.UUID | None = None) -> ev.BlankSpoiled:
    return ev.BlankSpoiled(**_stamp(version, at), serial=serial, reason=reason, card_id=card)


def destroyed(version: int, first: str, last: str, at: dt.datetime, record: str = "BA/1",
              count: int = 0) -> ev.SpoiledDestroyed:
    return ev.SpoiledDestroyed(**_stamp(version, at), record_number=record, method="burn",
                               witnesses=WITNESSES, ranges=(SerialRange(first, last),), count=count)


def test_a_destruction_lists_its_spoiled_serials_with_the_reason_they_were_spoiled() -> None:
    card = uuid.UUID("1a2b3c4d-0000-4000-8000-000000000000")
    ledger = [spoiled(1, "3517170003", T0, "print-failed", card), spoiled(2, "3517170005", T0),
              destroyed(3, "3517170001", "3517170009", T0 + 2 * DAY, count=2)]
    record = destruction_record(ledger, [], T0, T0 + 7 * DAY, T0.date(), T0.date(), "Kantor")
    assert [(i.kind, i.serial, i.reason, i.card_code) for i in record.items] == [
        (BLANK, "3517170003", "print-failed", "1a2b3c4d"), (BLANK, "3517170005", "physical-damage", None)]
    (sitting,) = record.sittings
    assert (sitting.record_number, sitting.method, sitting.count, sitting.by) == ("BA/1", "burn", 2, "kadis")
    assert sitting.witnesses == (("Budi Santoso", "inspektorat"), ("Sri Wahyuni", "kecamatan"))


def test_a_card_destroyed_under_the_same_record_joins_its_sitting() -> None:
    card = uuid.UUID("99990000-0000-4000-8000-000000000000")
    gone = ce.Destroyed(originator_id=card, originator_version=12, timestamp=T0 + DAY, actor=HEAD,
                        office="35.17", reason="tidak diambil", record_number="BA/1")
    other = ce.Destroyed(originator_id=uuid.uuid4(), originator_version=12, timestamp=T0 + 20 * DAY,
                         actor=HEAD, office="35.17", reason="x", record_number="BA/2")
    ledger = [spoiled(1, "3517170003", T0), destroyed(2, "3517170003", "3517170003", T0 + DAY)]
    record = destruction_record(ledger, [(gone, "3517170001"), (other, None)], T0, T0 + 7 * DAY,
                                T0.date(), T0.date(), "Kantor")
    assert [(i.kind, i.serial, i.card_code) for i in record.items] == [
        (BLANK, "3517170003", None), (CARD, "3517170001", "99990000")]
    (sitting,) = record.sittings  # BA/2 is outside the span
    assert sitting.count == 2 and sitting.witnesses


@given(spoilt=st.sets(st.integers(1, 40), max_size=15), lo=st.integers(1, 40),
       span=st.integers(0, 40), earlier=st.sets(st.integers(1, 40), max_size=5))
def test_the_record_lists_exactly_the_spoiled_serials_a_destruction_in_the_span_destroyed(
        spoilt: set[int], lo: int, span: int, earlier: set[int]) -> None:
    hi = min(40, lo + span)
    serial = "35171700{:02d}".format
    ledger: list[ev.LedgerEvent] = [spoiled(n, serial(s), T0) for n, s in enumerate(sorted(earlier), 1)]
    v = len(ledger)
    # Destroyed before the span: those are not this record's.
    ledger.append(destroyed(v + 1, serial(1), serial(40), T0 - DAY, record="BA/0"))
    ledger += [spoiled(v + 2 + n, serial(s), T0) for n, s in enumerate(sorted(spoilt))]
    ledger.append(destroyed(v + 2 + len(spoilt), serial(lo), serial(hi), T0 + DAY))
    record = destruction_record(ledger, [], T0, T0 + 7 * DAY, T0.date(), T0.date(), "Kantor")
    assert [i.serial for i in record.items] == [serial(s) for s in sorted(spoilt) if lo <= s <= hi]
    assert all(i.record_number == "BA/1" for i in record.items)
