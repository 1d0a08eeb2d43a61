"""Reading a word typed by a user as one of a closed set (a StrEnum)."""

from __future__ import annotations

import enum
from typing import TypeVar

from ektp.domain.errors import InvalidChoice

E = TypeVar("E", bound=enum.StrEnum)


def _key(text: str) -> str:
    return text.strip().casefold().replace("_", "-")


def parse_choice(enum_type: type[E], text: str | E, field: str) -> E:
    """Read `text` as one of `enum_type`'s values, ignoring case and - versus _."""
    if isinstance(text, enum_type):
        return text
    wanted = _key(str(text))
    for member in enum_type:
        if _key(member.value) == wanted:
            return member
    raise InvalidChoice(
        field=field, value=str(text)[:30], choices=", ".join(m.value for m in enum_type)
    )
