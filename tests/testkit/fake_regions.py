"""A small region directory for unit tests: the Jombang villages of the 2017 launch
and a few neighbours. It subclasses the port, so a changed port fails here loudly."""

from __future__ import annotations

from testkit.people import JABON, NGUDIREJO

from ektp.adapters.lokal_regions import region_kind
from ektp.application.ports.region_directory import Region, RegionDirectory
from ektp.application.reports.region_names import search_key

ALANG_ALANG_CARUBAN = "35.17.19.2003"
KEPANJEN = "35.17.09.1006"  # a kelurahan
CUKIR = "35.17.08.2009"

NAMES = {
    "35": "Jawa Timur",
    "35.17": "Kabupaten Jombang",
    "35.78": "Kota Surabaya",
    "35.17.08": "Diwek",
    "35.17.09": "Jombang",
    "35.17.19": "Jogoroto",
    NGUDIREJO: "Ngudirejo",
    CUKIR: "Cukir",
    JABON: "Jabon",
    KEPANJEN: "Kepanjen",
    ALANG_ALANG_CARUBAN: "Alang-alang Caruban",
    "35.78.01": "Karang Pilang",
    "35.78.01.1001": "Karang Pilang",
}


class FakeRegions(RegionDirectory):
    """Regions from the `NAMES` table; counts lookups so tests can see what was loaded."""

    def __init__(self, names: dict[str, str] | None = None) -> None:
        self.names = dict(NAMES if names is None else names)
        self.lookups = 0

    def get(self, code: str) -> Region | None:
        self.lookups += 1
        name = self.names.get(code)
        return Region(code, name, region_kind(code, name)) if name else None

    def children(self, code: str | None = None) -> list[Region]:
        level = 1 if code is None else code.count(".") + 2
        prefix = "" if code is None else code + "."
        return [Region(c, n, region_kind(c, n)) for c, n in sorted(self.names.items())
                if c.startswith(prefix) and c.count(".") + 1 == level]

    def search(self, text: str, within: str | None = None, limit: int = 20) -> list[Region]:
        wanted = search_key(text)
        return [Region(c, n, region_kind(c, n)) for c, n in sorted(self.names.items())
                if wanted and wanted in search_key(n)
                and (within is None or c.startswith(within + "."))][:limit]
