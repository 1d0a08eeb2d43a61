"""Serial ranges: ``3517170001-3517170500`` as one value, and their validation.

A range is written FROM-TO with both ends of the same width (leading zeros are
significant, as in `ektp.domain.serial`); a single serial is a range of one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from ektp.domain.messages import N_
from ektp.domain.errors import InvalidSerialRange, OverlappingRanges
from ektp.domain.serial import parse_serial

# A range wider than this is a typo (a consignment is tens of thousands of blanks),
# and refusing it keeps any per-serial audit of the history bounded.
MAX_RANGE = 1_000_000


@attrs.frozen(order=True)
class SerialRange:
    """Every serial from `first` to `last` inclusive; both ends have the same width."""

    first: str
    last: str

    @classmethod
    def of(cls, width: int, lo: int, hi: int) -> SerialRange:
        """The range of `width`-digit serials numbered `lo` to `hi`."""
        return cls(f"{lo:0{width}d}", f"{hi:0{width}d}")

    @classmethod
    def single(cls, serial: str) -> SerialRange:
        """The range holding one serial."""
        return cls(serial, serial)

    @classmethod
    def parse(cls, text: str) -> SerialRange:
        """Read ``FROM-TO`` (or one serial); raise `InvalidSerialRange` naming the fault."""
        raw = text.strip()
        first_text, dash, last_text = raw.partition("-")
        first = parse_serial(first_text)
        last = parse_serial(last_text) if dash else first
        if len(first) != len(last):
            raise InvalidSerialRange(
                value=raw[:40], reason=N_("both ends must have the same number of digits")
            )
        if int(last) < int(first):
            raise InvalidSerialRange(value=raw[:40], reason=N_("it is reversed (FROM is after TO)"))
        if int(last) - int(first) + 1 > MAX_RANGE:
            raise InvalidSerialRange(
                value=raw[:40], reason=N_("it holds more than {limit:,} serials", limit=MAX_RANGE)
            )
        return cls(first, last)

    @property
    def width(self) -> int:
        """How many digits each serial has."""
        return len(self.first)

    @property
    def lo(self) -> int:
        """The first serial as a number."""
        return int(self.first)

    @property
    def hi(self) -> int:
        """The last serial as a number."""
        return int(self.last)

    @property
    def count(self) -> int:
        """How many serials the range holds."""
        return self.hi - self.lo + 1

    def serials(self) -> Iterator[str]:
        """Every serial of the range, in order."""
        width = self.width
        return (f"{n:0{width}d}" for n in range(self.lo, self.hi + 1))

    def __contains__(self, serial: object) -> bool:
        return (
            isinstance(serial, str)
            and len(serial) == self.width
            and self.first <= serial <= self.last
        )

    def __str__(self) -> str:
        return self.first if self.first == self.last else f"{self.first}-{self.last}"


def parse_ranges(texts: Iterable[str]) -> tuple[SerialRange, ...]:
    """Read the ranges typed for one command; refuse none, malformed or overlapping ones."""
    ranges = tuple(SerialRange.parse(text) for text in texts)
    if not ranges:
        raise InvalidSerialRange(value="", reason=N_("give at least one range FROM-TO"))
    ordered = sorted(ranges, key=lambda r: (r.width, r.lo))
    for before, after in zip(ordered, ordered[1:]):
        if before.width == after.width and after.lo <= before.hi:
            raise OverlappingRanges(first=str(before), second=str(after))
    return ranges


def range_count(ranges: Iterable[SerialRange]) -> int:
    """How many serials `ranges` hold together (they do not overlap)."""
    return sum(r.count for r in ranges)


def to_serial_range(value: SerialRange | Mapping[str, Any]) -> SerialRange:
    """A SerialRange from itself or its stored form ``{"first": ..., "last": ...}``."""
    if isinstance(value, SerialRange):
        return value
    return SerialRange(str(value["first"]), str(value["last"]))


def to_serial_ranges(value: Iterable[SerialRange | Mapping[str, Any]]) -> tuple[SerialRange, ...]:
    """Converter for event fields: stored lists of ranges come back as a tuple."""
    return tuple(to_serial_range(v) for v in value)
