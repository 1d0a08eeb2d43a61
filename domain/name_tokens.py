"""A person's name as the tokens its blind index is made of (issue 14): the same
name typed in any order of its words, in any case, with or without accents and
punctuation, gives the same tokens, so ``card find`` finds it without the name
itself ever being stored in a read model."""

from __future__ import annotations

import unicodedata


def name_tokens(name: str) -> tuple[str, ...]:
    """The distinct words of `name`, case-folded, accents stripped, punctuation
    dropped, sorted: ``"Nur-Jannah, SITI"`` -> ``("jannah", "nur", "siti")``."""
    # Upper then case-fold, so that letters whose cases do not round-trip (the
    # dotless "ı", "ß") give one form whichever case was typed.
    folded = unicodedata.normalize("NFKD", name.upper().casefold())
    # Marks (accents) go; any other character that is not a letter or digit separates
    # words, so "Nur-Jannah" and "Nur Jannah" are the same two words.
    plain = "".join(ch if ch.isalnum() else " " for ch in folded if not unicodedata.combining(ch))
    return tuple(sorted(set(plain.split())))
