"""A resident's telephone number (issue 15: the courier calls ahead when it is known).

Typed the ways Indonesians write one: ``0812-3456-7890``, ``+62 812 3456 7890``,
``62.812.3456.7890``; each is kept in one form, the national one with its leading 0
(``081234567890``), so the same number always reads the same. A phone number is
personal data (UU PDP): it is stored sealed under the resident's own key like the
NIK, masked on default outputs (`mask_phone`), and never repeated in a refusal.
"""

from __future__ import annotations

import re

from ektp.domain.erased import ERASED_TEXT, Erased
from ektp.domain.errors import InvalidPhone
from ektp.domain.messages import N_

# Digits with the separators people type between groups, after an optional plus sign.
# Patterns kept as text: `re` compiles each on first use (and caches it), not when
# this module is imported (every command imports the card's code; few use a phone).
_TYPED = r"\+?[0-9][0-9 \t\u00a0.\-]*"
_SEPARATORS = r"[ \t\u00a0.\-]"
MIN_DIGITS = 9  # a landline: 0, a two-digit area code (021 Jakarta), six digits
MIN_MOBILE_DIGITS = 10  # a mobile number (08...): 08 and at least eight more
MAX_DIGITS = 13  # the longest Indonesian numbers, national form with the leading 0
COUNTRY = "62"


def parse_phone(text: str | None) -> str | None:
    """The phone number in its national form (``081234567890``), or None when none was
    given (None or blank). Accepted: a leading ``0``, ``62`` or ``+62`` (a ``0`` after
    the country code, as in ``+62 (0)812``, is dropped) and spaces, dashes and dots
    between the digits; 9 to 13 digits in the national form, 10 to 13 for a mobile
    number (08...). `InvalidPhone` otherwise, with why and never the number typed."""
    if text is None or not text.strip():
        return None
    typed = text.strip()
    if not re.fullmatch(_TYPED, typed):
        raise InvalidPhone(reason=N_("it may hold only digits, with spaces, dashes or dots "
                                     "between them and a + before 62"))
    digits = re.sub(_SEPARATORS, "", typed)
    if digits.startswith("+"):
        if not digits.startswith("+" + COUNTRY):
            raise InvalidPhone(reason=N_("a number written with + must be an Indonesian "
                                         "one: +62"))
        digits = digits[1:]
    if digits.startswith(COUNTRY):
        rest = digits[len(COUNTRY):]
        national = rest if rest.startswith("0") else "0" + rest
    elif digits.startswith("0"):
        national = digits
    else:
        raise InvalidPhone(reason=N_("it must start with 0, 62 or +62"))
    if national[1:2] == "0":
        raise InvalidPhone(reason=N_("after its leading 0 an Indonesian number does not "
                                     "start with another 0"))
    if len(national) < MIN_DIGITS:
        raise InvalidPhone(reason=N_("it is too short: an Indonesian number has 9 to 13 "
                                     "digits, counting its leading 0"))
    if len(national) > MAX_DIGITS:
        raise InvalidPhone(reason=N_("it is too long: an Indonesian number has 9 to 13 "
                                     "digits, counting its leading 0"))
    if national.startswith("08") and len(national) < MIN_MOBILE_DIGITS:
        raise InvalidPhone(reason=N_("it is too short for a mobile number: one starting "
                                     "with 08 has 10 to 13 digits"))
    return national


def mask_phone(phone: str) -> str:
    """A phone number as default outputs show it: its first four digits (the operator
    or area) and up to its last four, with four stars (five for 13 digits) between,
    ``0812****7890``; an erased one as ``[erased]``."""
    if isinstance(phone, Erased):
        return ERASED_TEXT
    shown = max(0, min(4, len(phone) - 8))
    return phone[:4] + "*" * (len(phone) - 4 - shown) + phone[len(phone) - shown:]


def group_phone(phone: str) -> str:
    """A phone number in groups of four (``0812 3456 7890``), as the courier dials it
    from the sheet (and a spreadsheet keeps it as text, its leading 0 with it)."""
    if isinstance(phone, Erased):
        return ERASED_TEXT
    return " ".join(phone[i:i + 4] for i in range(0, len(phone), 4))
