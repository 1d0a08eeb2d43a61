"""Checks for the free text people type: names, reasons, references."""

from __future__ import annotations

import re
import unicodedata

from ektp.domain.messages import N_
from ektp.domain.errors import InvalidName, InvalidText

MAX_NAME = 100
MAX_TEXT = 200
# Digit groups joined by single spaces, dots or dashes: how a NIK or KK number is typed.
# Patterns kept as text: `re` compiles each on first use (and caches it), not when
# this module is imported (every command imports it; most never use them).
_DIGIT_RUN = r"[0-9]+(?:[ .\-][0-9]+)*"
# Letters of any script, spaces and the punctuation found in Indonesian names.
_NAME_PUNCTUATION = set(" .,'-")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def parse_name(text: str, field: str = "name") -> str:
    """Validate and normalise a person's name (NFC, single spaces)."""
    # Phones and word processors type ’ for '; vowel marks (Arabic, Javanese script)
    # are combining characters and belong to the letter before them.
    name = " ".join(unicodedata.normalize("NFC", text.translate(_APOSTROPHES)).split())
    if not name:
        raise InvalidName(field=field, reason=N_("it is empty"))
    if len(name) > MAX_NAME:
        raise InvalidName(field=field, reason=N_("it is longer than {limit} characters", limit=MAX_NAME))
    if not any(ch.isalpha() for ch in name) or any(
        not (ch.isalpha() or ch in _NAME_PUNCTUATION or unicodedata.category(ch).startswith("M"))
        for ch in name
    ):
        raise InvalidName(field=field, reason=N_("only letters, spaces and . , ' - are allowed"))
    return name


def parse_text(text: str, field: str, max_length: int = MAX_TEXT) -> str:
    """Validate a one-line free-text field: not empty, not too long, no control characters."""
    value = " ".join(text.split())
    if not value:
        raise InvalidText(field=field, reason=N_("it is empty"))
    if len(value) > max_length:
        raise InvalidText(field=field, reason=N_("it is longer than {limit} characters", limit=max_length))
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise InvalidText(field=field, reason=N_("it contains control characters"))
    if holds_personal_number(value):
        raise InvalidText(field=field, reason=N_(
            "it holds a 16-digit number, which may be a NIK or KK number: personal data never goes "
            "into free text (it would reach every audit export in full); leave it out"))
    return value


def holds_personal_number(text: str) -> bool:
    """Whether `text` holds what may be a NIK or KK number: a run of 16 or more digits, or
    digit groups joined by single spaces, dots or dashes (``3517 0912 0385 0001``) that
    add up to exactly 16 digits. Longer joined runs (two 10-digit blank serials,
    ``3517170001-3517170005``) are not numbers of a person."""
    for match in re.finditer(_DIGIT_RUN, text):
        groups = re.split(r"[ .\-]", match.group())
        if max(len(g) for g in groups) >= 16 or sum(len(g) for g in groups) == 16:
            return True
    return False


MAX_DUSUN = 64


def parse_dusun(text: str | None) -> str | None:
    """Validate the dusun (hamlet) of an address: free text of at most 64 characters,
    no control characters; None or blank: not given."""
    if text is None or not text.strip():
        return None
    return parse_text(text, "dusun", max_length=MAX_DUSUN)


def parse_reference(text: str, field: str) -> str:
    """Validate a record or document number such as a BAST or police report number."""
    value = parse_text(text, field, max_length=64)
    if not re.fullmatch(r"[\w./\-: ]+", value):
        raise InvalidText(field=field, reason=N_("use letters, digits and . / - : only"))
    return value


# A delivery's evidence names the signed receipt or the photo the office keeps (its
# archive's number): letters, digits and . / - _ :, no spaces, at least one digit. It is
# journalled as written (the leaf holds it verbatim), so it must not be able to hold a
# description of a person ("diterima Ibu Siti"), which no erasure could reach later.
MAX_EVIDENCE = 40
_EVIDENCE = r"[A-Za-z0-9./_:\-]*[0-9][A-Za-z0-9./_:\-]*"


def parse_evidence(text: str, field: str = "evidence") -> str:
    """Validate a delivery's evidence: the number of the signed receipt or photo
    (``TTD-0001``, ``FOTO/2017/11/14-3``), not free text."""
    value = text.strip()
    if not value:
        raise InvalidText(field=field, reason=N_("it is empty"))
    if len(value) > MAX_EVIDENCE or not re.fullmatch(_EVIDENCE, value):
        raise InvalidText(field=field, reason=N_(
            "give the number of the signed receipt or photo (e.g. TTD-0001): up to 40 letters, "
            "digits and . / - _ : with at least one digit, no spaces; not a description of "
            "the person"))
    return value
