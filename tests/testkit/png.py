"""Reading the grey PNG pages ``pdftoppm -gray -png`` writes, with the standard library
alone (zlib and the PNG row filters): the size of a page and where its ink is."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import attrs

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@attrs.frozen
class Page:
    """A page's grey pixels (0 black .. 255 white), row by row."""

    width: int
    height: int
    rows: tuple[bytes, ...]

    def ink(self, darker_than: int = 200) -> tuple[int, int, int, int] | None:
        """The box (left, top, right, bottom, inclusive) of every pixel darker than
        `darker_than`, or None on a blank page."""
        top = bottom = None
        left, right = self.width, -1
        table = bytes(1 if v < darker_than else 0 for v in range(256))
        for y, row in enumerate(self.rows):
            marks = row.translate(table)
            first = marks.find(1)
            if first < 0:
                continue
            top = y if top is None else top
            bottom = y
            left = min(left, first)
            right = max(right, marks.rfind(1))
        if top is None or bottom is None:
            return None
        return left, top, right, bottom

    def dark_share(self, darker_than: int = 128) -> float:
        """The share of the page's pixels darker than `darker_than`."""
        table = bytes(1 if v < darker_than else 0 for v in range(256))
        return sum(row.translate(table).count(1) for row in self.rows) / (self.width * self.height)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_grey_png(path: Path) -> Page:
    """The grey pixels of an 8-bit greyscale or RGB, non-interlaced PNG (of RGB, the red
    channel: ``pdftoppm -gray`` writes grey in all three)."""
    data = path.read_bytes()
    assert data[:8] == _SIGNATURE, f"{path} is no PNG"
    at, idat = 8, b""
    width = height = 0
    bpp = 1
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (0, 2) and interlace == 0, (depth, colour, interlace)
            bpp = 1 if colour == 0 else 3
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    rows: list[bytes] = []
    stride = width * bpp
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
        elif kind == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + previous[x]) >> 1)) & 0xFF
        elif kind == 4:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                corner = previous[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + _paeth(left, previous[x], corner)) & 0xFF
        else:
            assert kind == 0, kind
        previous = bytes(line)
        rows.append(previous[::bpp])
    return Page(width, height, tuple(rows))
