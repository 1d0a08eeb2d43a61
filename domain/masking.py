"""Masking personal numbers for display: a NIK or KK number is shown as
``3517********0001`` wherever the full number is not needed."""

from __future__ import annotations

import re

from ektp.domain.erased import Erased


def mask_digits(digits: str) -> str:
    """Mask a 16-digit number as ``3517********0001``; anything else as stars (an erased
    number as the masked form it keeps, `ektp.domain.erased`)."""
    if isinstance(digits, Erased):
        return digits.masked
    if len(digits) == 16 and digits.isascii() and digits.isdigit():
        return f"{digits[:4]}{'*' * 8}{digits[12:]}"
    return "*" * min(len(digits), 16) if digits else "(empty)"


# Patterns kept as text: `re` compiles each on first use (and caches it), not when
# this module is imported (every command imports it; most never use them).
_LONG_NUMBER = r"[0-9]{15,}"
# A NIK or KK written in four groups, as the courier's CSV sheet asks for it.
_GROUPED_NUMBER = r"(?<![0-9])[0-9]{4}(?:[ \t\u00a0.\-][0-9]{4}){3}(?![0-9])"


def mask_numbers(text: str) -> str:
    """Mask every run of 15 or more digits in `text` (a NIK or KK number, whole or
    nearly) as its first four and last four digits around stars, and every number
    written in four groups of four (``3517 0812 0385 1234``) as ``3517********1234``."""
    text = re.sub(_GROUPED_NUMBER, lambda m: mask_digits(re.sub(r"[^0-9]", "", m.group())), text)
    return re.sub(_LONG_NUMBER, lambda m: m.group()[:4] + "*" * (len(m.group()) - 8) + m.group()[-4:], text)


def initials(name: str) -> str:
    """The initials of a name: ``Siti Nur Jannah`` -> ``S.N.J.`` (how a name is shown where
    it need not be read in full: a pseudonymised export, a manifest or card list); none
    for an erased name."""
    if isinstance(name, Erased):
        return ""
    letters = []
    for word in name.split():
        first = next((ch for ch in word if ch.isalpha()), None)
        if first is not None:
            letters.append(first.upper() + ".")
    return "".join(letters)
