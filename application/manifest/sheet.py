"""The courier's sheet, built from a manifest and its cards."""

from __future__ import annotations

from collections.abc import Sequence

from ektp.application.manifest.views import ManifestView, Sheet, SheetRow
from ektp.application.ports.region_directory import RegionDirectory
from ektp.application.reports.region_names import name_of, village_label
from ektp.domain.card.state import Card
from ektp.domain.masking import mask_digits


def build_sheet(
    manifest: ManifestView, cards: Sequence[Card], regions: RegionDirectory, office_name: str
) -> Sheet:
    """The courier's sheet: cards ordered by kecamatan, village, dusun, RT, RW and name."""
    ordered = sorted(cards, key=lambda c: (c.village[:8], c.village, c.dusun or "", c.rt or "",
                                           c.rw or "", c.name))
    rows = tuple(
        SheetRow(
            number=n, card_id=c.id, kecamatan=c.village[:8],
            kecamatan_name=name_of(regions, c.village[:8]), village=c.village,
            village_name=name_of(regions, c.village), rt=c.rt, rw=c.rw,
            nik=mask_digits(c.nik), name=c.name,
            request_reason=c.reason.value, dusun=c.dusun, phone=c.phone,
        )
        for n, c in enumerate(ordered, start=1)
    )
    labels = tuple(village_label(regions, v) for v in manifest.villages)
    return Sheet(manifest, labels, rows, office_name)
