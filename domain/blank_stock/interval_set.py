"""An immutable set of serials kept as sorted, disjoint, non-adjacent intervals.

A consignment of 40,000 blanks is one interval; allocating the next serial
shortens it. So a set's size follows how fragmented the stock is, not how many
blanks it holds, and copying it on each event (states are immutable, because
the store's cache hands the same state to the next command) stays cheap.
Serials of different widths never merge: ``(width, lo, hi)`` orders by width.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence

from ektp.domain.blank_stock.serial_range import SerialRange

Interval = tuple[int, int, int]  # (width, lo, hi), lo <= hi


def _key(serial: str) -> tuple[int, int]:
    return len(serial), int(serial)


def _normalised(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for width, lo, hi in sorted(intervals):
        if merged:
            w, mlo, mhi = merged[-1]
            if w == width and lo <= mhi + 1:
                merged[-1] = (w, mlo, max(mhi, hi))
                continue
        merged.append((width, lo, hi))
    return tuple(merged)


class IntervalSet:
    """A set of serials; every operation returns a new set."""

    __slots__ = ("_intervals", "_count")

    def __init__(self, intervals: Iterable[Interval] = ()) -> None:
        self._intervals = _normalised(intervals)
        self._count = sum(hi - lo + 1 for _, lo, hi in self._intervals)

    @classmethod
    def _exact(cls, intervals: tuple[Interval, ...], count: int) -> IntervalSet:
        """A set from intervals already sorted, disjoint and merged (no checks)."""
        made = object.__new__(cls)
        made._intervals, made._count = intervals, count
        return made

    @classmethod
    def of(cls, ranges: Iterable[SerialRange]) -> IntervalSet:
        """The set of every serial in `ranges`."""
        return cls((r.width, r.lo, r.hi) for r in ranges)

    @classmethod
    def of_serials(cls, serials: Iterable[str]) -> IntervalSet:
        """The set of these serials (adjacent ones merge into intervals)."""
        return cls((len(s), int(s), int(s)) for s in serials)

    @property
    def intervals(self) -> tuple[Interval, ...]:
        """The ``(width, lo, hi)`` intervals, in order."""
        return self._intervals

    @property
    def count(self) -> int:
        """How many serials the set holds."""
        return self._count

    def __bool__(self) -> bool:
        return bool(self._intervals)

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and other._intervals == self._intervals

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"IntervalSet({', '.join(str(r) for r in self.ranges())})"

    def _index(self, width: int, number: int) -> int:
        """Index of the interval that would hold (width, number), or -1."""
        i = bisect_right(self._intervals, (width, number, float("inf"))) - 1
        if i >= 0:
            w, lo, hi = self._intervals[i]
            if w == width and lo <= number <= hi:
                return i
        return -1

    def __contains__(self, serial: object) -> bool:
        if not isinstance(serial, str):
            return False
        return self._index(*_key(serial)) >= 0

    def ranges(self) -> tuple[SerialRange, ...]:
        """The set as serial ranges."""
        return tuple(SerialRange.of(w, lo, hi) for w, lo, hi in self._intervals)

    def serials(self) -> Iterator[str]:
        """Every serial, in order (for small sets: this expands the intervals)."""
        for r in self.ranges():
            yield from r.serials()

    def first(self) -> str | None:
        """The lowest serial (narrowest width first), or None if empty."""
        if not self._intervals:
            return None
        width, lo, _ = self._intervals[0]
        return f"{lo:0{width}d}"

    def union(self, other: IntervalSet) -> IntervalSet:
        """Serials in either set."""
        if not other._intervals:
            return self
        return IntervalSet(self._intervals + other._intervals)

    def difference(self, other: IntervalSet) -> IntervalSet:
        """Serials in this set and not in `other`."""
        if not other._intervals or not self._intervals:
            return self
        return IntervalSet(_subtract(self._intervals, other._intervals))

    def intersection(self, other: IntervalSet) -> IntervalSet:
        """Serials in both sets."""
        return IntervalSet(_intersect(self._intervals, other._intervals))

    def contains_all(self, other: IntervalSet) -> bool:
        """Whether every serial of `other` is in this set."""
        return not other.difference(self)

    def first_missing(self, other: IntervalSet) -> str | None:
        """The lowest serial of `other` that this set lacks (None if it has them all)."""
        return other.difference(self).first()

    # One serial in or out is what most events do (allocate, print, spoil, release),
    # and a fresh process replays up to a snapshot interval of them: so these two
    # find the interval by bisection and splice tuples, instead of re-normalising
    # every interval, which keeps the cost flat as consignments pile up.
    def with_serial(self, serial: str) -> IntervalSet:
        """This set plus one serial."""
        width, number = _key(serial)
        if self._index(width, number) >= 0:
            return self
        ivs = self._intervals
        i = bisect_right(ivs, (width, number, number))  # first interval after the serial
        before = ivs[i - 1] if i > 0 and ivs[i - 1][0] == width and ivs[i - 1][2] == number - 1 else None
        after = ivs[i] if i < len(ivs) and ivs[i][0] == width and ivs[i][1] == number + 1 else None
        if before and after:
            middle: tuple[Interval, ...] = ((width, before[1], after[2]),)
            spliced = ivs[:i - 1] + middle + ivs[i + 1:]
        elif before:
            spliced = ivs[:i - 1] + ((width, before[1], number),) + ivs[i:]
        elif after:
            spliced = ivs[:i] + ((width, number, after[2]),) + ivs[i + 1:]
        else:
            spliced = ivs[:i] + ((width, number, number),) + ivs[i:]
        return IntervalSet._exact(spliced, self._count + 1)

    def without_serial(self, serial: str) -> IntervalSet:
        """This set minus one serial."""
        width, number = _key(serial)
        i = self._index(width, number)
        if i < 0:
            return self
        _, lo, hi = self._intervals[i]
        parts = tuple(p for p in ((width, lo, number - 1), (width, number + 1, hi)) if p[1] <= p[2])
        return IntervalSet._exact(self._intervals[:i] + parts + self._intervals[i + 1:],
                                  self._count - 1)


def _subtract(mine: Sequence[Interval], theirs: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    j = 0
    for width, lo, hi in mine:
        while j < len(theirs) and (theirs[j][0], theirs[j][2]) < (width, lo):
            j += 1
        k = j
        while lo <= hi and k < len(theirs) and (theirs[k][0], theirs[k][1]) <= (width, hi):
            _, tlo, thi = theirs[k]
            if tlo > lo:
                out.append((width, lo, tlo - 1))
            lo = max(lo, thi + 1)
            k += 1
        if lo <= hi:
            out.append((width, lo, hi))
    return out


def _intersect(mine: Sequence[Interval], theirs: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(mine) and j < len(theirs):
        (w1, lo1, hi1), (w2, lo2, hi2) = mine[i], theirs[j]
        if (w1, hi1) < (w2, lo2):
            i += 1
        elif (w2, hi2) < (w1, lo1):
            j += 1
        else:
            out.append((w1, max(lo1, lo2), min(hi1, hi2)))
            if (w1, hi1) < (w2, hi2):
                i += 1
            else:
                j += 1
    return out


EMPTY_SET = IntervalSet()
