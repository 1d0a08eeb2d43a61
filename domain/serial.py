"""Blank serials: the number printed on (and encoded in) every card blank."""

from __future__ import annotations

import re

from ektp.domain.messages import N_
from ektp.domain.errors import InvalidSerial

# Patterns kept as text: `re` compiles each on first use (and caches it), not when
# this module is imported (every command imports it; most never use them).
_SERIAL = r"[0-9]{6,16}"


def parse_serial(text: str) -> str:
    """Validate a blank serial: 6 to 16 digits, leading zeros significant."""
    raw = text.strip()
    if not (raw.isascii() and re.fullmatch(_SERIAL, raw)):
        raise InvalidSerial(value=raw[:24], reason=N_("a serial is 6 to 16 digits"))
    return raw
