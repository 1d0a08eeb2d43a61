"""A dispatched courier's round made through the ``ektp`` command line, for tests that
fill in its sheet."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from testkit.cli import new_database, run


def dispatched_round(db: Path, owners: Mapping[str, str], kk: str,
                     village: str = "35.17.08.2014") -> tuple[str, list[str]]:
    """Printed cards for `owners` (NIK -> name, all of family card `kk`, RT 1, 2, ... of
    `village`) on a dispatched manifest of courier kurir.anto; its id and the cards. The
    office database is created first, as an office does (`ektp db init`)."""
    if not db.exists():
        new_database(db)
    received = run("blanks", "receive", "--bast", "BAST/1", "--source", "ministry",
                   "--range", "3517170001-3517170100", db=db)
    assert received.code == 0, received.err
    cards = []
    for rt, (nik, name) in enumerate(owners.items(), start=1):
        made = run("card", "request", "--nik", nik, "--name", name, "--kk", kk,
                   "--village", village, "--rt", str(rt), "--rw", "1", db=db)
        assert made.code == 0, made.err
        card = made.out.strip()
        for step in (["ready", card], ["allocate", card], ["print", card]):
            assert run("card", *step, db=db).code == 0
        cards.append(card)
    manifest = run("manifest", "open", "--courier", "kurir.anto", "--date", "2017-11-14",
                   "--village", village, db=db).out.strip()
    assert run("manifest", "assign", manifest, "--all-ready", db=db).code == 0
    assert run("manifest", "dispatch", manifest, "--seal", "SEGEL-1", db=db).code == 0
    return manifest, cards
