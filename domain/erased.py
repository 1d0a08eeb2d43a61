"""A personal field whose data subject's key was destroyed (issue 14's erasure).

Each resident's NIK, KK number, name and phone number (and a proxy's NIK, KK and name,
in a hand-over) is stored encrypted under a key of that person's own (`ektp.adapters.event_store.subjects`).
Once ``ektp personal-data erase`` has destroyed the key, the field reads back as an
`Erased` value instead of the data: the event still loads, the card still replays to
the same status, and the field keeps its *leaf form*, the pseudonymised form the
journal's leaf was computed from when the event was written (``MASKED~HMAC`` for a
number, ``STARS~HMAC`` for a phone, the initials for a name), so every journal leaf, proof and export stays
byte-identical.

`Erased` is a `str` (its text is ``[erased]``): the event and state fields it stands
in are typed `str`, and every display of one then shows the erasure rather than
failing; `is_erased` tells it apart, and the masking helpers show its masked form.
"""

from __future__ import annotations

from typing import Any

ERASED_TEXT = "[erased]"


class Erased(str):
    """An erased personal field: shows as ``[erased]``; `leaf` is its journal-leaf form."""

    leaf: str

    def __new__(cls, leaf: str) -> Erased:  # noqa: D102 - the text is always ERASED_TEXT
        value = super().__new__(cls, ERASED_TEXT)
        value.leaf = leaf
        return value

    def __repr__(self) -> str:
        return f"Erased({self.leaf!r})"

    def __reduce__(self) -> Any:
        return (Erased, (self.leaf,))

    @property
    def masked(self) -> str:
        """What stays shown of an erased number: its masked form (``3517********0001``),
        the part of the leaf form before its pseudonym; ``[erased]`` for a name."""
        masked, tilde, _ = self.leaf.partition("~")
        return masked if tilde else ERASED_TEXT


def is_erased(value: object) -> bool:
    """Whether `value` is an erased field."""
    return isinstance(value, Erased)
