"""Serial ranges and interval sets: parsing, validation, and set arithmetic
checked against Python's own sets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ektp.domain import errors
from ektp.domain.blank_stock.interval_set import IntervalSet
from ektp.domain.blank_stock.serial_range import MAX_RANGE, SerialRange, parse_ranges, range_count


def test_a_range_is_from_to_with_leading_zeros_kept() -> None:
    r = SerialRange.parse(" 0035170001-0035170100 ")
    assert (r.first, r.last, r.width, r.count) == ("0035170001", "0035170100", 10, 100)
    assert str(r) == "0035170001-0035170100" and "0035170050" in r and "35170050" not in r
    assert SerialRange.parse("3517170001") == SerialRange.single("3517170001")
    assert list(SerialRange.parse("000998-001001").serials()) == ["000998", "000999", "001000", "001001"]


@pytest.mark.parametrize(("text", "error", "words"), [
    ("3517170100-3517170001", errors.InvalidSerialRange, "reversed"),
    ("3517170001-35171701", errors.InvalidSerialRange, "same number of digits"),
    ("100000-9999999", errors.InvalidSerialRange, "same number of digits"),
    (f"1000000000-{1000000000 + MAX_RANGE}", errors.InvalidSerialRange, "more than"),
    ("12-20", errors.InvalidSerial, "6 to 16 digits"),
    ("3517170001--3517170002", errors.InvalidSerial, "6 to 16 digits"),
    ("35171700O1-3517170002", errors.InvalidSerial, "6 to 16 digits"),
])
def test_malformed_ranges_are_refused(text: str, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        SerialRange.parse(text)


def test_ranges_given_together_may_not_overlap() -> None:
    with pytest.raises(errors.OverlappingRanges, match="3517170001-3517170010 and 3517170010-3517170020"):
        parse_ranges(["3517170010-3517170020", "3517170001-3517170010"])
    with pytest.raises(errors.OverlappingRanges):
        parse_ranges(["3517170001-3517170100", "3517170050"])
    with pytest.raises(errors.InvalidSerialRange, match="at least one"):
        parse_ranges([])
    # adjacent ranges and ranges of other widths are fine
    ranges = parse_ranges(["3517170001-3517170010", "3517170011-3517170020", "351717001-351717005"])
    assert range_count(ranges) == 25


serial_numbers = st.integers(0, 60)
sets_of_numbers = st.frozensets(serial_numbers, max_size=30)


def _serials(numbers: frozenset[int], width: int = 7) -> set[str]:
    return {f"{n:0{width}d}" for n in numbers}


def _as_set(s: IntervalSet) -> set[str]:
    return set(s.serials())


@given(a=sets_of_numbers, b=sets_of_numbers, c=sets_of_numbers)
def test_interval_sets_behave_like_sets(a: frozenset[int], b: frozenset[int], c: frozenset[int]) -> None:
    # two widths, so serials of different widths never merge or compare equal
    sa, sb = _serials(a) | _serials(c, 8), _serials(b)
    ia, ib = IntervalSet.of_serials(sa), IntervalSet.of_serials(sb)
    assert _as_set(ia) == sa and ia.count == len(sa)
    assert _as_set(ia.union(ib)) == sa | sb
    assert _as_set(ia.difference(ib)) == sa - sb
    assert _as_set(ia.intersection(ib)) == sa & sb
    assert ia.contains_all(ib) == (sb <= sa)
    assert ia.first() == (min(sa, key=lambda s: (len(s), s)) if sa else None)
    assert ia.first_missing(ib) == (min(sb - sa) if sb - sa else None)
    for serial in sorted(sa | sb):
        assert (serial in ia) == (serial in sa)
    assert IntervalSet.of(ia.ranges()) == ia  # intervals stay merged: one per run
    runs = sum(1 for w, lo, hi in ia.intervals)
    assert runs == len({(len(s), int(s)) for s in sa if (len(s), int(s) - 1) not in
                        {(len(t), int(t)) for t in sa}})


def test_a_consignment_is_one_interval_however_large() -> None:
    stock = IntervalSet.of(parse_ranges(["3517170001-3517210000"]))
    assert stock.count == 40_000 and len(stock.intervals) == 1
    assert len(stock.without_serial("3517170001").intervals) == 1
    assert len(stock.without_serial("3517180000").intervals) == 2


@given(a=sets_of_numbers, extra=serial_numbers)
def test_adding_or_removing_one_serial_matches_the_general_operations(a: frozenset[int], extra: int) -> None:
    serials = _serials(a) | _serials(frozenset({3}), 8)
    s = IntervalSet.of_serials(serials)
    serial = f"{extra:07d}"
    assert s.with_serial(serial) == s.union(IntervalSet.of_serials([serial]))
    assert s.without_serial(serial) == s.difference(IntervalSet.of_serials([serial]))
    assert s.with_serial(serial).count == len(serials | {serial})
    assert s.without_serial(serial).count == len(serials - {serial})
