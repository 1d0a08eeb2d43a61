"""``ektp personal-data export NIK`` (issue 14): what the office holds about one person,
in full, for their own request; head of office only; nothing about anyone else."""

from __future__ import annotations

from pathlib import Path

from testkit.cli import assert_one_line_error, new_database, run
from testkit.people import kk_for, make_nik
from testkit.staff import me

from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office

SUBJECT = (make_nik(serial=41), "Siti Permohonan")
OTHER = (make_nik(serial=42), "Budi Lain")


def test_export_holds_every_card_of_the_nik_and_nothing_of_anyone_else(tmp_path: Path) -> None:
    db = new_database(tmp_path / "office.db")
    operator = Actor(me(), Role.OPERATOR)
    with open_office(f"sqlite:///{db}") as office:
        first = office.request_card(operator, nik=SUBJECT[0], name=SUBJECT[1],
                                    kk=kk_for(SUBJECT[0]), village="35.17.09.2018", rt="2", rw="1")
        office.cards.cancel(operator, first.id, reason="moved before printing")
        second = office.request_card(operator, nik=SUBJECT[0], name=SUBJECT[1],
                                     kk=kk_for(SUBJECT[0]), village="35.17.09.2018")
        office.request_card(operator, nik=OTHER[0], name=OTHER[1], kk=kk_for(OTHER[0]),
                            village="35.17.09.2018")
    exported = run("--json", "personal-data", "export", SUBJECT[0], db=db, role="head")
    assert exported.code == 0, exported.err
    held = exported.json()
    assert held["nik"] == SUBJECT[0] and "proxy" in held["scope"]
    assert [c["id"] for c in held["cards"]] == [str(first.id), str(second.id)]
    assert [c["status"] for c in held["cards"]] == ["CANCELLED", "REQUESTED"]
    assert {c["nik"] for c in held["cards"]} == {SUBJECT[0]}
    assert {c["kk"] for c in held["cards"]} == {kk_for(SUBJECT[0])}
    assert [len(c["history"]) for c in held["cards"]] == [2, 1]
    assert OTHER[0] not in exported.out and OTHER[1] not in exported.out
    text = run("personal-data", "export", SUBJECT[0], db=db, role="head")
    assert text.code == 0 and SUBJECT[0] in text.out and SUBJECT[1] in text.out
    # Only the head of office; a NIK the office does not hold; a NIK that is not one.
    assert_one_line_error(run("personal-data", "export", SUBJECT[0], db=db, role="operator"), 1)
    unknown = run("personal-data", "export", make_nik(serial=43), db=db, role="head")
    assert_one_line_error(unknown, 3)
    assert make_nik(serial=43) not in unknown.err
    assert_one_line_error(run("personal-data", "export", "12345", db=db, role="head"), 2)
    # Each of the two exports shown above was recorded before it was shown; the refused
    # ones were not (UU PDP Art. 31: a record of every processing).
    log = run("--json", "access-log", "--subject", SUBJECT[0], db=db, role="head")
    assert log.code == 0, log.err
    entries = log.json()
    entries = entries["entries"] if isinstance(entries, dict) else entries
    exports = [e for e in entries if e["what"] == "personal-data export"]
    assert len(exports) == 2, entries
    assert SUBJECT[0] not in log.out
    other = run("--json", "access-log", "--subject", OTHER[0], db=db, role="head")
    assert other.code == 0 and "personal-data export" not in other.out
