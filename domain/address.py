"""Where a resident lives: the Kemendagri village code and the RT/RW."""

from __future__ import annotations

import re

import attrs

from ektp.domain.messages import N_
from ektp.domain.errors import InvalidRtRw, InvalidVillageCode

# Patterns kept as text: `re` compiles each on first use (and caches it), not when
# this module is imported (every command imports it; most never use them).
_DOTTED = r"([0-9]{2})\.([0-9]{2})\.([0-9]{2})\.([0-9]{4})"
_PLAIN = r"([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{4})"


@attrs.frozen(order=True)
class VillageCode:
    """A desa/kelurahan code in its dotted 10-digit form, e.g. ``35.17.08.2014``."""

    value: str

    @classmethod
    def parse(cls, text: str) -> VillageCode:
        """Accept ``35.17.08.2014`` or ``3517082014``; raise `InvalidVillageCode` otherwise."""
        raw = text.strip()
        match = re.fullmatch(_DOTTED, raw) or re.fullmatch(_PLAIN, raw)
        if match is None or not raw.isascii():
            raise InvalidVillageCode(
                value=raw[:20], reason=N_("it must look like 35.17.08.2014 (10 digits)")
            )
        parts = match.groups()
        if "00" in parts[:3] or parts[3] == "0000":
            raise InvalidVillageCode(value=raw, reason=N_("no part of a region code is zero"))
        return cls(".".join(parts))

    @property
    def kecamatan(self) -> str:
        """The kecamatan code, e.g. ``35.17.08``."""
        return self.value[:8]

    @property
    def regency(self) -> str:
        """The regency code, e.g. ``35.17``."""
        return self.value[:5]

    def __str__(self) -> str:
        return self.value


def parse_rt_rw(text: str | None, field: str) -> str | None:
    """Normalise an RT or RW number to three digits (``1`` -> ``001``); None stays None."""
    if text is None or text.strip() == "":
        return None
    raw = text.strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 999:
        raise InvalidRtRw(field=field, value=raw[:10])
    return f"{int(raw):03d}"
