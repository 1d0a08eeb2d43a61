"""Names beside codes, as people read them: ``35.17.08.2014 Ngudirejo, Kec. Diwek``;
and the accent- and case-insensitive key that name searches compare."""

from __future__ import annotations

from ektp.application.kernel.references import search_key
from ektp.application.ports.region_directory import Region, RegionDirectory, RegionKind

__all__ = ["name_of", "region_label", "search_key", "village_label"]

_SHORT = {RegionKind.KECAMATAN: "Kec.", RegionKind.DISTRIK: "Distrik"}


def name_of(directory: RegionDirectory, code: str) -> str:
    """The region's name, or ``(unknown)``."""
    region = directory.get(code)
    return region.name if region else "(unknown)"


def village_label(directory: RegionDirectory, code: str) -> str:
    """``35.17.08.2014 Ngudirejo, Kec. Diwek`` (the code alone if it is unknown)."""
    village = directory.get(code)
    if village is None:
        return code
    kecamatan = directory.get(code[:8])
    where = f", {_SHORT.get(kecamatan.kind, 'Kec.')} {kecamatan.name}" if kecamatan else ""
    return f"{code} {village.name}{where}"


def region_label(region: Region) -> str:
    """``35.17.08 Kec. Diwek``, ``35.17 Kabupaten Jombang``, ``35.17.08.2014 Desa Ngudirejo``."""
    prefix = _SHORT.get(region.kind)
    if region.kind in (RegionKind.DESA, RegionKind.KELURAHAN, RegionKind.DESA_ADAT):
        prefix = region.kind.value.title()
    return f"{region.code} {prefix + ' ' if prefix else ''}{region.name}"
