"""A request's dusun through the command line (issue 15): ``card request --dusun``, a
requests file's ``dusun`` column, ``card show`` and the courier's sheets; run in process
through ``ektp``'s own `main` on a SQLite office."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from testkit.staff import me, staff_file

from ektp.domain.actor import Actor, Role
from ektp.entrypoints.cli.main import main
from ektp.entrypoints.composition import open_office

VILLAGE = "35.17.08.2014"  # Ngudirejo
WITH_DUSUN = ("3517081409820003", "Siti Nur Lestari", "3517080101901231")
WITHOUT = ("3517084804010004", "Dewi Lestari", "3517080101901231")


def ektp(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """Run ``ektp --db DB --as operator ARGS`` in this process: exit code, out, err."""
    with pytest.raises(SystemExit) as done:
        main(["--db", f"sqlite:///{db}", "--as", "operator", *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An office whose OS user is operator and courier, with blanks in stock."""
    path = staff_file(tmp_path / "office.db")
    with open_office(f"sqlite:///{path}") as o:
        o.staff.grant(Actor(me(), Role.HEAD), me(), Role.COURIER)
        o.receive_blanks(Actor(me(), Role.OPERATOR), bast="BAST/1", source="ministry",
                         ranges=["3517170001-3517170010"])
    return path


def test_a_requested_dusun_is_on_card_show_and_on_every_courier_sheet(
        capsys: pytest.CaptureFixture[str], db: Path) -> None:
    nik, name, kk = WITH_DUSUN
    rc, out, err = ektp(capsys, db, "card", "request", "--nik", nik, "--name", name, "--kk", kk,
                        "--village", VILLAGE, "--rt", "4", "--rw", "2", "--dusun", "Krajan")
    assert rc == 0, err
    card = out.strip()
    rc, out, err = ektp(capsys, db, "card", "request", "--nik", WITHOUT[0], "--name", WITHOUT[1],
                        "--kk", WITHOUT[2], "--village", VILLAGE)
    assert rc == 0, err
    plain = out.strip()
    rc, shown, _ = ektp(capsys, db, "--lang", "en", "card", "show", card)
    assert rc == 0 and "Dusun Krajan RT 004 RW 002" in shown
    rc, shown, _ = ektp(capsys, db, "--json", "card", "show", card)
    assert json.loads(shown)["dusun"] == "Krajan"
    operator = Actor(me(), Role.OPERATOR)
    with open_office(f"sqlite:///{db}") as o:
        for c in (card, plain):
            o.confirm_print_readiness(operator, c)
            o.allocate_blank(operator, c)
            o.record_printed(operator, c)
        manifest = str(o.manifests.open_manifest(operator, courier=me(), date="2026-11-14",
                                                 villages=[VILLAGE]).id)
        o.manifests.assign_cards(operator, manifest, [card, plain])
    rc, page, err = ektp(capsys, db, "manifest", "sheet", manifest, "--format", "html")
    assert rc == 0, err
    assert page.count("Dusun: Krajan") == 1  # the known dusun, written in
    assert page.count("Dusun:") == 2  # and the other card's line left blank to write on
    rc, sheet, err = ektp(capsys, db, "manifest", "sheet", manifest, "--format", "csv")
    assert rc == 0, err
    addresses = [row["address"] for row in csv.DictReader(io.StringIO(sheet))]
    assert any("Dusun Krajan RT 004 RW 002" in a for a in addresses)
    assert sum("Dusun" in a for a in addresses) == 1


def test_a_requests_file_takes_a_dusun_column_and_refuses_a_bad_one(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    rows = [["nik", "name", "kk", "village", "dusun"], [*WITH_DUSUN, VILLAGE, "Krajan"],
            [*WITHOUT, VILLAGE, ""]]
    path.write_text("".join(",".join(r) + "\n" for r in rows))
    rc, out, err = ektp(capsys, db, "--json", "card", "import", str(path))
    assert rc == 0, err
    assert json.loads(out)["recorded"] == 2
    rc, shown, _ = ektp(capsys, db, "--json", "card", "show", WITH_DUSUN[0])
    assert json.loads(shown)["dusun"] == "Krajan"
    rc, shown, _ = ektp(capsys, db, "--json", "card", "show", WITHOUT[0])
    assert json.loads(shown)["dusun"] is None
    # The same file again records nothing new.
    rc, again, err = ektp(capsys, db, "--json", "card", "import", str(path))
    assert rc == 0, err
    assert (json.loads(again)["recorded"], json.loads(again)["already_recorded"]) == (0, 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("nik,name,kk,village,dusun\n3517081203850005,Budi Santoso,3517080101901231,"
                   f"{VILLAGE},{'K' * 65}\n")
    rc, out, err = ektp(capsys, db, "--lang", "en", "card", "import", str(bad))
    assert rc != 0 and "dusun" in err and "Traceback" not in err
