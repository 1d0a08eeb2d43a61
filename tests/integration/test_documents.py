"""``ektp card receipt`` and ``ektp manifest handover-record``: the office's papers as A4
HTML (and PDF when Chromium is installed), run in process through ``ektp``'s own `main`
(its one-line errors and exit codes included) on a SQLite office."""

from __future__ import annotations

import json
import re
import uuid
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from testkit.staff import me, staff_file

from ektp.application.card.receipt import short_code
from ektp.application.manifest.results_file import read_results
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.cli import exit_codes
from ektp.entrypoints.cli.main import main
from ektp.entrypoints.composition import open_office
from ektp.entrypoints.documents.pages import qr_svg, status_payload

NIK = "3517081409820003"
NAME = "Siti Nur Lestari"
KK = "3517080101901230"
VILLAGE = "35.17.08.2014"
OTHER_NIK = "3517084804010004"
THIRD_NIK = "3517081203850005"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """A SQLite office with three printed cards on a dispatched manifest whose courier
    (the OS user running the tests) reported one handed over and one not at home: the
    file, the first card's id and the manifest's id."""
    db = staff_file(tmp_path_factory.mktemp("docs") / "office.db")
    operator, courier = Actor(me(), Role.OPERATOR), Actor(me(), Role.COURIER)
    with open_office(f"sqlite:///{db}") as o:
        o.staff.grant(Actor(me(), Role.HEAD), me(), Role.COURIER)
        o.receive_blanks(operator, bast="BAST/1", source="ministry",
                         ranges=["3517170001-3517170010"])
        cards = []
        for nik, name in ((NIK, NAME), (OTHER_NIK, "Dewi Lestari"), (THIRD_NIK, "Budi Santoso")):
            card = str(o.request_card(operator, nik=nik, name=name, kk=KK, village=VILLAGE,
                                      rt="1", rw="1").id)
            o.confirm_print_readiness(operator, card)
            o.allocate_blank(operator, card)
            o.record_printed(operator, card)
            cards.append(card)
        manifest = str(o.manifests.open_manifest(operator, courier=me(), date="2026-11-14",
                                                 villages=[VILLAGE]).id)
        o.manifests.assign_cards(operator, manifest, cards)
        o.manifests.dispatch_manifest(operator, manifest, "SEGEL-7")
        header = "card,outcome,recipient,relationship,verified-by,evidence,reason"
        o.manifests.record_results(courier, manifest, read_results(
            f"{header}\n{cards[0]},handed-over,owner,,ktp,TTD-1,\n"
            f"{cards[1]},attempt-failed,,,,,not-at-home\n"))
    yield db, cards[0], manifest


def ektp(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    """Run ``ektp --db DB --as operator ARGS`` in this process: exit code, out, err."""
    with pytest.raises(SystemExit) as done:
        main(["--db", f"sqlite:///{db}", "--as", "operator", *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def assert_no_personal_data(page: str) -> None:
    for nik in (NIK, OTHER_NIK, THIRD_NIK):
        assert nik not in page
    for name in ("Siti", "Lestari", "Dewi", "Budi", "Santoso"):
        assert name not in page
    assert not re.search(r"[0-9]{15,}", page.replace("-", ""))


def test_the_receipt_shows_the_short_code_masked_nik_initials_and_a_qr_code(
        capsys: pytest.CaptureFixture[str], office: tuple[Path, str, str]) -> None:
    db, card, _ = office
    code = card.replace("-", "")[:8]
    rc, page, err = ektp(capsys, db, "card", "receipt", card)
    assert rc == 0, err
    assert "Tanda Terima Pengajuan" in page and 'lang="id"' in page
    assert f"Kode kartu</td><td>: {code}<" in page
    assert "3517********0003" in page and "S.N.L." in page
    assert "Ngudirejo" in page and "Dispendukcapil" in page
    assert qr_svg(status_payload(code)) in page  # segno's SVG of exactly that payload
    assert '<svg' in page and 'class="segno"' in page
    assert_no_personal_data(page)


def test_the_short_code_is_a_card_reference(capsys: pytest.CaptureFixture[str],
                                            office: tuple[Path, str, str]) -> None:
    db, card, _ = office
    code = card.replace("-", "")[:8]
    rc, by_code, _ = ektp(capsys, db, "card", "receipt", code)
    assert rc == 0 and code in by_code
    rc, shown, err = ektp(capsys, db, "--json", *status_payload(code).split()[1:])
    assert rc == 0, err
    assert json.loads(shown)["card"] == card  # the QR code's command answers for this very card
    rc, line, err = ektp(capsys, db, *status_payload(code).split()[1:])
    assert rc == 0 and line.startswith(f"3517********0003: card {code} handed over since ")


def test_the_qr_payload_names_the_short_code() -> None:
    assert status_payload("1a2b3c4d") == "ektp status 1a2b3c4d"
    svg = qr_svg("ektp status 1a2b3c4d")
    assert svg.startswith("<svg") and "ektp status 1a2b3c4d" in svg  # its title
    assert qr_svg("ektp status 1a2b3c4e") != svg
    assert short_code(uuid.UUID("1a2b3c4d-0000-4000-8000-000000000000")) == "1a2b3c4d"


def test_the_handover_record_lists_every_card_masked_with_counts_and_signatures(
        capsys: pytest.CaptureFixture[str], office: tuple[Path, str, str]) -> None:
    db, card, manifest = office
    rc, page, err = ektp(capsys, db, "manifest", "handover-record", manifest)
    assert rc == 0, err
    assert "Berita Acara Serah Terima" in page
    assert manifest.replace("-", "")[:8] in page and me() in page and "14-11-2026" in page
    assert card.replace("-", "")[:8] in page and "3517********0003" in page and "S.N.L." in page
    assert "3517********0004" in page and "D.L." in page and "B.S." in page
    assert "Ngudirejo" in page and "SEGEL-7" in page and "DISPATCHED" not in page
    assert page.count("<tr><td>") == 3  # one row per card
    for outcome in ("diserahkan", "gagal diantar", "dibawa kurir"):
        assert f"<td>{outcome}</td></tr>" in page  # each card's row
        assert f'<td class="label">{outcome}</td><td>: 1<' in page  # and its count
    assert "Jumlah kartu</td><td>: 3<" in page
    for who in ("Kurir", "Petugas penerima kembali", "Kepala Dinas"):
        assert f"<div>{who}<div" in page
    assert_no_personal_data(page)


def test_an_existing_output_file_is_refused_without_force(
        capsys: pytest.CaptureFixture[str], office: tuple[Path, str, str], tmp_path: Path) -> None:
    db, card, manifest = office
    target = tmp_path / "receipt.html"
    target.write_text("kept")
    rc, out, err = ektp(capsys, db, "card", "receipt", card, "--output", str(target))
    assert rc == exit_codes.BAD_INPUT and out == "" and len(err.strip().splitlines()) == 1
    assert "--force" in err and target.read_text() == "kept"
    rc, _, err = ektp(capsys, db, "card", "receipt", card, "--output", str(target), "--force")
    assert rc == 0, err
    assert "Tanda Terima" in target.read_text() and (target.stat().st_mode & 0o077) == 0
    record = tmp_path / "record.html"
    rc, _, err = ektp(capsys, db, "manifest", "handover-record", manifest, "--output", str(record))
    assert rc == 0 and "Berita Acara" in record.read_text()
    rc, _, err = ektp(capsys, db, "manifest", "handover-record", manifest, "--output", str(record))
    assert rc == exit_codes.BAD_INPUT and "--force" in err


@pytest.mark.parametrize("command", [("card", "receipt", "ffffffff"),
                                     ("manifest", "handover-record", "ffffffff")])
def test_an_unknown_card_or_manifest_is_one_line(
        capsys: pytest.CaptureFixture[str], office: tuple[Path, str, str],
        command: tuple[str, ...]) -> None:
    rc, out, err = ektp(capsys, office[0], *command)
    assert rc == exit_codes.NOT_FOUND, err
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_without_chromium_a_pdf_is_a_one_line_unavailable(
        capsys: pytest.CaptureFixture[str], office: tuple[Path, str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ektp.adapters.pdf.find_browser", lambda: None)
    target = tmp_path / "receipt.pdf"
    rc, out, err = ektp(capsys, office[0], "card", "receipt", office[1], "--format", "pdf",
                        "--output", str(target))
    assert rc == exit_codes.UNAVAILABLE and out == "" and len(err.strip().splitlines()) == 1
    assert "chromium" in err and not target.exists()


def _pages(pdf: bytes) -> list[tuple[float, ...]]:
    """The MediaBox of every page object of a PDF (Chromium writes them uncompressed)."""
    boxes = []
    for obj in re.findall(rb"/Type\s*/Page\b(?!s).*?endobj", pdf, re.S):
        box = re.search(rb"/MediaBox\s*\[\s*([-0-9. ]+)\]", obj)
        assert box is not None
        boxes.append(tuple(float(v) for v in box.group(1).split()))
    return boxes


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Chromium is not installed (scripts/test installs it; "
                           "test_papers_print requires it)")
def test_the_receipt_prints_to_one_a4_page(
        capsys: pytest.CaptureFixture[str], office: tuple[Path, str, str], tmp_path: Path) -> None:
    target = tmp_path / "receipt.pdf"
    rc, _, err = ektp(capsys, office[0], "card", "receipt", office[1], "--format", "pdf",
                      "--output", str(target))
    assert rc == 0, err
    pages = _pages(target.read_bytes())
    assert len(pages) == 1
    x0, y0, x1, y1 = pages[0]
    # A4 is 210 x 297 mm: 595.28 x 841.89 points.
    assert abs((x1 - x0) - 595.28) < 1.5 and abs((y1 - y0) - 841.89) < 1.5


def test_every_status_has_its_indonesian_words() -> None:
    from ektp.domain.card.vocabulary import CardStatus
    from ektp.domain.manifest.vocabulary import ManifestStatus
    from ektp.entrypoints.documents import words

    assert set(words.STATUS) == {s.value for s in CardStatus}
    assert set(words.MANIFEST_STATUS) == {s.value for s in ManifestStatus}
    assert set(words.OUTCOME) >= {"waiting", "out", "attempt-failed", "handed-over", "returned",
                                  "checked-in"}


def test_with_json_the_papers_give_their_masked_data(capsys: pytest.CaptureFixture[str],
                                                     office: tuple[Path, str, str]) -> None:
    import json

    db, card, manifest = office
    with pytest.raises(SystemExit) as done:
        main(["--db", f"sqlite:///{db}", "--as", "operator", "--json", "card", "receipt", card])
    out, _ = capsys.readouterr()
    assert done.value.code in (0, None)
    data = json.loads(out)
    assert data["short_code"] == card.replace("-", "")[:8] and data["nik"] == "3517********0003"
    assert data["initials"] == "S.N.L." and NIK not in out and NAME not in out
    with pytest.raises(SystemExit):
        main(["--db", f"sqlite:///{db}", "--as", "operator", "--json", "manifest",
              "handover-record", manifest])
    out, _ = capsys.readouterr()
    assert json.loads(out)["cards"][0]["nik"] == "3517********0003" and NIK not in out


def test_a_pdf_is_never_written_to_a_terminal(capsys: pytest.CaptureFixture[str],
                                              office: tuple[Path, str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    for command in (("card", "receipt", office[1]), ("manifest", "handover-record", office[2])):
        rc, out, err = ektp(capsys, office[0], *command, "--format", "pdf")
        assert rc == exit_codes.BAD_INPUT and out == "" and "--output" in err
        assert len(err.strip().splitlines()) == 1
