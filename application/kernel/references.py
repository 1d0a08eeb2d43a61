"""What a clerk types for a record: a whole id, or the first characters of one, and
region names where a code is asked (``--village Sengon``).

An id prefix is 8 to 31 hexadecimal digits, hyphens where the id has them or none
(``1b4e28ba``, ``1B4E-28BA``, ``1b4e28ba-2fa1``). Decimal digits alone make a prefix only
up to 12 of them: more are a NIK, or a NIK a spreadsheet cut short, and are read (and
refused, masked) as one, never echoed back as an id. A prefix must name exactly one record: one that
names several is refused with how many it matches, so a clerk types more of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from ektp.application.errors import AmbiguousIdPrefix, AmbiguousRegionName, UnknownRegionName
from ektp.application.kernel.i18n import N_

if TYPE_CHECKING:  # imported when a name is looked up: every command imports this module
    from ektp.application.ports.region_directory import Region, RegionDirectory, RegionLevel

MIN_PREFIX = 8
MAX_DIGITS_ONLY = 12  # a prefix of decimal digits alone is at most this long
# How many matches a lookup asks for: enough to say "several", not all of them.
PREFIX_PROBE = 100
# Patterns kept as text: `re` compiles each on first use (and caches it), not when
# this module is imported (every command imports it; most never use them).
_HEX = r"[0-9a-f]+"
_UUID_HYPHENS = (8, 12, 16, 20)  # where str(UUID) has its hyphens, in hex digits


def id_prefix(text: str) -> str | None:
    """The hex digits of an id prefix as typed, lower case, or None when `text` is no
    prefix: fewer than 8 or more than 31 digits, another character, or more than 12
    decimal digits alone (what a NIK looks like)."""
    raw = text.strip().lower()
    digits = raw.replace("-", "").replace(" ", "")
    if not (MIN_PREFIX <= len(digits) < 32 and re.fullmatch(_HEX, digits)):
        return None
    if digits.isdigit() and len(digits) > MAX_DIGITS_ONLY:
        return None
    return digits


def hyphenated(prefix: str) -> str:
    """The prefix as the start of an id's text form: ``1b4e28ba2f`` -> ``1b4e28ba-2f``."""
    out, start = [], 0
    for cut in _UUID_HYPHENS:
        if len(prefix) <= cut:
            break
        out.append(prefix[start:cut])
        start = cut
    out.append(prefix[start:])
    return "-".join(part for part in out if part)


def only_match(found: Sequence[UUID], prefix: str, what: str) -> UUID | None:
    """The one id `found` holds; None when it holds none; `AmbiguousIdPrefix` (with how
    many match) when several."""
    if len(found) > 1:
        count = f"{len(found)}" if len(found) < PREFIX_PROBE else N_("at least {n}", n=PREFIX_PROBE)
        raise AmbiguousIdPrefix(prefix=prefix, count=count, what=what)
    return found[0] if found else None


# --- region names -----------------------------------------------------------------
_APOSTROPHES = frozenset("'’‘`ʼ")
# Words naming the kind of region, which people type or leave out at will.
_KIND_WORDS = ("kabupaten", "kab", "kota", "kecamatan", "kec", "desa", "kelurahan", "kel", "distrik")


def search_key(text: str) -> str:
    """Lower case, no accents or apostrophes, other punctuation as spaces, without a
    leading kind word: ``Kec. Alang-alang`` -> ``alang alang``, ``Regapu'u`` -> ``regapuu``."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and ch not in _APOSTROPHES
    )
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    if len(words) > 1 and words[0] in _KIND_WORDS:
        words = words[1:]
    return " ".join(words)


def looks_like_code(text: str) -> bool:
    """Digits and dots only: a region code (well-formed or not), never a name."""
    raw = text.strip()
    return bool(raw) and all(ch.isdigit() or ch == "." for ch in raw)


def region_by_name(directory: RegionDirectory, text: str, level: RegionLevel,
                   within: str) -> Region:
    """The one region of `level` inside `within` whose name is `text` (ignoring case,
    accents, punctuation and a kind word such as ``Desa``); `UnknownRegionName` when
    none is, `AmbiguousRegionName` (listing them by code) when several are."""
    from ektp.application.ports.region_directory import RegionLevel

    kind = "village" if level is RegionLevel.VILLAGE else "kecamatan"
    key = search_key(text)
    shown = text.strip()[:40]
    if not key:
        raise UnknownRegionName(kind=kind, name=shown)
    hits = [r for r in directory.search(text, within=within, limit=PREFIX_PROBE)
            if r.level == level and search_key(r.name) == key]
    if not hits:
        raise UnknownRegionName(kind=kind, name=shown)
    if len(hits) > 1:
        codes = ", ".join(f"{r.code} (Kec. {_kecamatan(directory, r)})" if level is RegionLevel.VILLAGE
                          else r.code for r in hits[:6])
        raise AmbiguousRegionName(kind=kind, name=shown, count=len(hits), codes=codes)
    return hits[0]


def _kecamatan(directory: RegionDirectory, village: Region) -> str:
    parent = directory.get(village.code[:8])
    return parent.name if parent else village.code[:8]
