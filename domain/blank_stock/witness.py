"""Witnesses to a destruction (berita acara pemusnahan): a name and a role each."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ektp.domain.messages import N_
from ektp.domain.errors import InvalidWitness, TooFewWitnesses
from ektp.domain.text import parse_name, parse_reference

MIN_WITNESSES = 2


@attrs.frozen
class Witness:
    """A person who saw the blanks destroyed, and in which capacity."""

    name: str
    role: str

    @classmethod
    def parse(cls, text: str) -> Witness:
        """Read ``NAME:ROLE`` (e.g. ``Budi Santoso:inspektorat``)."""
        name, colon, role = text.rpartition(":")
        if not colon or not name.strip() or not role.strip():
            raise InvalidWitness(reason=N_("write each witness as NAME:ROLE"))
        return cls(parse_name(name, "witness name"), parse_reference(role, "witness role"))

    @classmethod
    def coerce(cls, value: Witness | Mapping[str, Any]) -> Witness:
        """Accept a Witness or its stored form ``{"name": ..., "role": ...}``."""
        return value if isinstance(value, Witness) else cls(str(value["name"]), str(value["role"]))


def parse_witnesses(texts: Iterable[str]) -> tuple[Witness, ...]:
    """Read the witnesses of a destruction: at least two different people."""
    witnesses = tuple(Witness.parse(t) for t in texts)
    distinct = {w.name.casefold() for w in witnesses}
    if len(distinct) < MIN_WITNESSES:
        raise TooFewWitnesses(given=len(distinct), needed=MIN_WITNESSES)
    return witnesses


def to_witnesses(value: Iterable[Witness | Mapping[str, Any]]) -> tuple[Witness, ...]:
    """Converter for event fields: stored lists of witnesses come back as a tuple."""
    return tuple(Witness.coerce(v) for v in value)
