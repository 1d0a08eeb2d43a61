"""``ektp blanks destruction-record``: the berita acara pemusnahan as HTML and JSON, run in
process through ``ektp``'s own `main` on the office of `testkit.papers` (the PDF and its
pages: tests/integration/test_papers_print.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testkit.papers import RECORD, PapersOffice, papers_office

from ektp.entrypoints.cli import exit_codes
from ektp.entrypoints.cli.main import main
from ektp.entrypoints.documents import words


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> PapersOffice:
    return papers_office(tmp_path_factory.mktemp("destruction"))


def ektp(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """Run ``ektp --db DB --as head ARGS`` in this process: exit code, out, err."""
    with pytest.raises(SystemExit) as done:
        main(["--db", f"sqlite:///{db}", "--as", "head", *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_the_record_lists_every_blank_and_card_destroyed_with_the_witnesses(
        capsys: pytest.CaptureFixture[str], office: PapersOffice) -> None:
    rc, page, err = ektp(capsys, office.db, "blanks", "destruction-record", "--date", "2018-02-10")
    assert rc == 0, err
    assert 'lang="id"' in page and words.DESTRUCTION_TITLE in page
    assert "tanggal 10-02-2018" in page and "Jumlah seluruhnya</td><td>: 3<" in page
    code = office.destroyed.replace("-", "")[:8]
    assert page.count("<tr><td>") == 3 + 1  # three destroyed, one sitting
    for shown in ("3517170019", "3517170020", code, RECORD, "rusak fisik", "dibakar",
                  "tidak diambil dalam masa simpan", "Budi Santoso (inspektorat)",
                  "Saksi: Sri Wahyuni (kecamatan)", "Kepala Dinas"):
        assert shown in page, shown
    assert "Dewi" not in page and "3517084804010004" not in page  # no resident named


def test_with_json_the_same_data(capsys: pytest.CaptureFixture[str], office: PapersOffice) -> None:
    rc, out, err = ektp(capsys, office.db, "--json", "blanks", "destruction-record",
                        "--from", "2018-02-01", "--to", "2018-02-28")
    assert rc == 0, err
    data = json.loads(out)
    assert (data["from"], data["to"]) == ("2018-02-01", "2018-02-28")
    destroyed = sorted((d["kind"], d["serial"], d["reason"]) for d in data["destroyed"])
    assert destroyed[0][0] == "blank" and [d[1] for d in destroyed[:2]] == ["3517170019", "3517170020"]
    assert destroyed[2][0] == "card" and destroyed[2][2] == "tidak diambil dalam masa simpan"
    (sitting,) = data["records"]
    assert sitting["record"] == RECORD and sitting["method"] == "burn" and sitting["count"] == 3
    assert [w["name"] for w in sitting["witnesses"]] == ["Budi Santoso", "Sri Wahyuni"]


def test_a_span_without_destruction_says_so(capsys: pytest.CaptureFixture[str],
                                            office: PapersOffice) -> None:
    rc, page, _ = ektp(capsys, office.db, "blanks", "destruction-record", "--from", "2017-11-01",
                       "--to", "2017-11-30")
    assert rc == 0 and words.DESTRUCTION_NOTHING in page and "3517170019" not in page
    assert words.SIGNATURE_NAME_LINE in page


@pytest.mark.parametrize("args", [
    ("--date", "2018-02-10", "--from", "2018-02-01"),
    ("--to", "2018-02-28"),
    ("--from", "2018-03-01", "--to", "2018-02-01"),
    ("--date", "2999-01-01"),
    ("--date", "10-02-2018"),
])
def test_a_bad_span_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                          office: PapersOffice, args: tuple[str, ...]) -> None:
    rc, out, err = ektp(capsys, office.db, "blanks", "destruction-record", *args)
    assert rc == exit_codes.BAD_INPUT and out == "" and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_an_existing_output_is_refused_without_force(capsys: pytest.CaptureFixture[str],
                                                     office: PapersOffice, tmp_path: Path) -> None:
    target = tmp_path / "pemusnahan.html"
    target.write_text("kept")
    rc, _, err = ektp(capsys, office.db, "blanks", "destruction-record", "--date", "2018-02-10",
                      "--output", str(target))
    assert rc == exit_codes.BAD_INPUT and "--force" in err and target.read_text() == "kept"
    rc, _, err = ektp(capsys, office.db, "blanks", "destruction-record", "--date", "2018-02-10",
                      "--output", str(target), "--force")
    assert rc == 0 and words.DESTRUCTION_TITLE in target.read_text()
    assert (target.stat().st_mode & 0o077) == 0
