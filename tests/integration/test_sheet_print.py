"""The courier's HTML sheet printed by headless Chromium: A4 pages, a long manifest
running onto the pages its fixed layout says (`sheet_pages`). Skipped only where chromium is not installed (Debian:
apt-get install chromium). To look at the result: scripts/render-sheet FILE.html."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from ektp.application.manifest.views import ManifestView, Sheet, SheetRow
from ektp.entrypoints.cli.sheet_render import sheet_html
from ektp.entrypoints.documents.pages import sheet_pages

ROOT = Path(__file__).resolve().parents[2]
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


def long_sheet(rows: int) -> Sheet:
    manifest = ManifestView(
        id=uuid.UUID(int=7), status="DISPATCHED", version=3, courier="kurir.anto",
        date=dt.date(2017, 11, 14), villages=("35.17.08.2014", "35.17.09.2018"), cards=(),
        opened_by="op.wulan", opened_at=dt.datetime(2017, 11, 14, tzinfo=dt.timezone.utc),
        seal_number="SEGEL-0042", dispatched_by="op.wulan", dispatched_at=None,
        dispatched_count=rows, seal_intact=None, returned_by=None, returned_at=None,
        record_number=None, closed_at=None,
    )
    body = tuple(
        SheetRow(number=n, card_id=uuid.UUID(int=n), kecamatan="35.17.08" if n <= rows // 2 else "35.17.09",
                 kecamatan_name="Diwek" if n <= rows // 2 else "Jombang", village="35.17.08.2014",
                 village_name="Ngudirejo" if n <= rows // 2 else "Jabon", rt=f"{n % 9 + 1:03d}",
                 rw="001", nik=f"3517********{n:04d}", name="Bambang Sutrisno Wicaksono Adi")
        for n in range(1, rows + 1))
    return Sheet(manifest, ("35.17.08.2014 Ngudirejo, Kec. Diwek", "35.17.09.2018 Jabon, Kec. Jombang"),
                 body, "Dispendukcapil Kabupaten Jombang")


@pytest.mark.skipif(BROWSER is None, reason="chromium is not installed")
def test_a_long_sheet_prints_on_several_a4_pages(tmp_path: Path) -> None:
    page = tmp_path / "sheet.html"
    page.write_text(sheet_html(long_sheet(12)), encoding="utf-8")
    done = subprocess.run([str(ROOT / "scripts" / "render-sheet"), str(page), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "sheet.pdf").read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)
    assert boxes and all([round(float(x)) for x in box.split()] == [0, 0, 595, 842] for box in boxes)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == sheet_pages(12) == 4, pages
    png = (tmp_path / "sheet.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
