"""Find anyone (issue 15), as a clerk types it: a NIK finds its latest card in any status
and all of its cards, an id prefix of 8 or more characters works for CARD and M, a
village or kecamatan by name, a paged card list, and ``ektp status NIK``."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.cli import assert_one_line_error, event_count, new_database, run

JABON, SENGON = "35.17.09.2018", "35.17.09.2009"
NIK = "3517091406750020"


def masked(nik: str) -> str:
    return f"{nik[:4]}********{nik[-4:]}"


def printed(db: Path, nik: str, village: str = JABON, name: str = "Budi Santoso") -> str:
    made = run("card", "request", "--nik", nik, "--name", name, "--kk", nik[:6] + "0101100001",
               "--village", village, db=db)
    assert made.code == 0, made.err
    card = made.out.strip()
    for step in (["ready", card], ["allocate", card], ["print", card]):
        done = run("card", *step, db=db)
        assert done.code == 0, done.err
    return card


@pytest.fixture
def office(tmp_path: Path) -> Path:
    db = new_database(tmp_path / "office.db")
    received = run("blanks", "receive", "--bast", "BAST/1", "--source", "ministry",
                   "--range", "3517170001-3517170100", db=db)
    assert received.code == 0, received.err
    return db


def hand_over(db: Path, card: str) -> None:
    for step in (["dispatch", card, "--courier", "kurir.anto"],
                 ["hand-over", card, "--recipient", "owner", "--verified-by", "ktp"]):
        # The hand-over recorded by an officer on the courier's behalf (the OS user running
        # the tests is the office's head and operator).
        done = run("card", *step, db=db)
        assert done.code == 0, done.err


def test_a_nik_finds_its_card_after_the_hand_over_and_all_its_cards(office: Path) -> None:
    first = printed(office, NIK)
    hand_over(office, first)
    shown = run("--json", "card", "show", NIK, db=office)
    assert shown.code == 0, shown.err
    assert (shown.json()["id"], shown.json()["status"]) == (first, "HANDED_OVER")
    # The card is lost: a second request; the NIK now names the open one.
    second = run("card", "request", "--nik", NIK, "--name", "Budi Santoso", "--kk",
                 NIK[:6] + "0101100001", "--village", JABON, "--reason", "lost",
                 "--evidence", "LP/12/XI/2017", db=office).out.strip()
    assert run("--json", "card", "show", NIK, db=office).json()["id"] == second
    listed = run("--json", "card", "list", "--nik", NIK, db=office).json()
    assert [c["id"] for c in listed] == [first, second]
    text = run("card", "list", "--nik", NIK, db=office).out
    assert masked(NIK) in text and "B.S." in text and "Jabon" in text
    assert NIK not in text and "Budi Santoso" not in text
    other = "3517094506900002"
    assert run("--json", "card", "list", "--nik", other, db=office).json() == []
    missing = run("card", "show", other, db=office)
    assert_one_line_error(missing, 3)
    assert masked(other) in missing.err and other not in missing.err


def test_an_id_prefix_works_for_cards_and_manifests(office: Path) -> None:
    card = printed(office, NIK)
    assert run("--json", "card", "show", card[:8], db=office).json()["id"] == card
    assert run("--json", "card", "show", card[:8].upper(), db=office).json()["id"] == card
    short = f"{card[:4].upper()}-{card[4:8].upper()}"  # as a short code is read out
    assert run("--json", "card", "show", short, db=office).json()["id"] == card
    assert run("--json", "card", "history", card[:13], db=office).code == 0
    manifest = run("manifest", "open", "--courier", "kurir.anto", "--date", "2017-11-14",
                   "--village", JABON, db=office).out.strip()
    assigned = run("--json", "manifest", "assign", manifest[:10], card[:9], db=office)
    assert assigned.code == 0, assigned.err
    assert assigned.json()["cards"][0]["card"] == card
    assert run("--json", "manifest", "show", manifest[:8], db=office).json()["id"] == manifest
    too_short = run("card", "show", card[:7], db=office)
    assert_one_line_error(too_short, 2)
    assert "first 8 or more characters" in too_short.err
    unknown = run("manifest", "show", "00000000", db=office)
    assert_one_line_error(unknown, 3)
    assert "no manifest found for the id prefix 00000000" in unknown.err


def test_a_village_or_kecamatan_by_name_when_unique(office: Path) -> None:
    in_sengon = printed(office, NIK, village="Sengon")
    printed(office, "3517094506900002", village="Desa Jabon")
    shown = run("--json", "card", "show", in_sengon, db=office).json()
    assert shown["village"] == SENGON
    listed = run("--json", "card", "list", "--village", "sengon", db=office).json()
    assert [c["id"] for c in listed] == [in_sengon]
    by_kecamatan = run("--json", "card", "list", "--kecamatan", "Kec. Jombang", db=office).json()
    assert len(by_kecamatan) == 2
    assert len(run("--json", "card", "list", "--kecamatan", "351709", db=office).json()) == 2
    assert run("--json", "card", "list", "--kecamatan", "Diwek", db=office).json() == []
    ambiguous = run("card", "list", "--village", "Kauman", db=office)
    assert_one_line_error(ambiguous, 2)
    assert "villages of this regency are called 'Kauman'" in ambiguous.err and "give the code" in ambiguous.err
    unknown = run("manifest", "open", "--courier", "kurir.anto", "--date", "2017-11-14",
                  "--village", "Atlantis", db=office)
    assert_one_line_error(unknown, 2)
    assert "no village of this regency is called 'Atlantis'" in unknown.err
    opened = run("--json", "manifest", "open", "--courier", "kurir.anto", "--date", "2017-11-14",
                 "--village", "Sengon", db=office)
    assert opened.code == 0 and opened.json()["villages"] == [SENGON]


@pytest.mark.slow
def test_the_card_list_pages_with_a_total(office: Path) -> None:
    cards = [printed(office, f"35170914067500{n:02d}") for n in range(21, 26)]
    page = run("--json", "card", "list", "--limit", "2", "--offset", "2", db=office).json()
    assert (page["total"], page["offset"], page["limit"]) == (5, 2, 2)
    assert [c["id"] for c in page["cards"]] == cards[2:4]
    text = run("card", "list", "--limit", "2", db=office).out
    assert text.rstrip().endswith("cards 1-2 of 5; next page: --offset 2 --limit 2.")
    last = run("card", "list", "--limit", "2", "--offset", "4", db=office).out
    assert last.rstrip().endswith("cards 5-5 of 5.")
    assert "no cards from 11; 5 match in all." in run("card", "list", "--offset", "10",
                                                       db=office).out
    assert len(run("--json", "card", "list", db=office).json()) == 5  # unpaged: the list as before
    assert_one_line_error(run("card", "list", "--limit", "0", db=office), 2)


def test_status_answers_a_resident_in_one_line(office: Path) -> None:
    card = printed(office, NIK)
    printed_line = run("status", NIK, db=office)
    assert printed_line.code == 0, printed_line.err
    (line,) = printed_line.out.splitlines()
    assert line.startswith(f"{masked(NIK)}: card {card[:8]} printed since ")
    assert "waiting for a courier round to Jabon" in line and NIK not in line
    hand_over(office, card)
    (line,) = run("status", NIK, db=office).out.splitlines()
    assert "handed over since" in line and "nothing more to do" in line
    as_json = run("--json", "status", NIK, db=office).json()
    assert (as_json["status"], as_json["card"], as_json["nik"]) == ("HANDED_OVER", card, masked(NIK))
    nobody = run("status", "3517094506900002", db=office)
    assert_one_line_error(nobody, 3)
    bad = run("status", "1234", db=office)
    assert bad.code == 2 and "Traceback" not in bad.err


def test_status_takes_the_short_code_of_a_receipt_and_answers_for_that_very_card(
        office: Path) -> None:
    first = printed(office, NIK)
    hand_over(office, first)
    second = run("card", "request", "--nik", NIK, "--name", "Budi Santoso", "--kk",
                 NIK[:6] + "0101100001", "--village", JABON, "--reason", "lost",
                 "--evidence", "LP/12/XI/2017", db=office).out.strip()
    code = first.replace("-", "")[:8]  # the receipt's short code of the first card
    by_code = run("--json", "status", code, db=office).json()
    assert (by_code["card"], by_code["status"], by_code["cards"]) == (first, "HANDED_OVER", 2)
    assert run("--json", "status", NIK, db=office).json()["card"] == second  # the latest
    (line,) = run("status", second.replace("-", "")[:8], db=office).out.splitlines()
    assert line.startswith(f"{masked(NIK)}: card {second[:8]} requested since ")
    assert NIK not in line and "(2 cards for this NIK" in line
    assert_one_line_error(run("status", "ffffffff", db=office), 3)
    assert_one_line_error(run("status", "nonsense!", db=office), 2)
