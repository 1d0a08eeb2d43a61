"""Export and verify on a real store (SQLite and PostgreSQL); every kind of tampering
is caught and named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from testkit.audit import HEAD, KEY, MemorySource, forge, objects, scenario_office
from testkit.staff import me

from ektp.adapters.audit.files import DirectorySink, DirectorySource
from ektp.adapters.audit.ed25519 import Ed25519Checker, Ed25519Signer, generate_key_pair
from ektp.application.audit.canonical import ZERO_HASH, canonical
from ektp.application.audit.line_check import InMemoryStreamVersions
from ektp.application.audit.manifest import parse_manifest
from ektp.application.audit.verify import VerifyReport, verify_export
from ektp.application.errors import AuditCheckFailed, AuditOutputExists
from ektp.application.office import Office


def export_to(office: Office, folder: Path, **options: object) -> None:
    options.setdefault("audit_key", KEY)
    office.export_audit(HEAD, DirectorySink(str(folder)), **options)  # type: ignore[arg-type]


# The scenario is a host program (the demo's counter signs its staff in): the store records
# its events as inserted by the OS user running it (SQLite) or the test server's login.
HOSTS = frozenset({me(), "ektp"})


def verify(folder: Path, **options: object) -> VerifyReport:
    options.setdefault("host_logins", HOSTS)
    return verify_export(DirectorySource(str(folder)), InMemoryStreamVersions(), **options)  # type: ignore[arg-type]


def round_trip(url: str, tmp_path: Path) -> None:
    """Export the scenario from the store at `url`, check it, re-export it identically,
    continue it after more events, and check the continuation chains to it."""
    keys = tmp_path / "key.pem", tmp_path / "key.pub"
    generate_key_pair(str(keys[0]), str(keys[1]))
    signer, checker = Ed25519Signer.from_pem(str(keys[0])), Ed25519Checker.from_pem(str(keys[1]))
    with scenario_office(url) as office:
        export_to(office, tmp_path / "a", signer=signer)
        export_to(office, tmp_path / "b", signer=signer)
        report = verify(tmp_path / "a", public_key=checker)
        assert report.signature == "valid"
        first = report.manifest
        exported = list(office.events_since(0))
        assert first.start_hash == ZERO_HASH and first.count == len(exported) > 50
        for name in ("events.jsonl", "manifest.json", "manifest.sig"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        lines = objects((tmp_path / "a" / "events.jsonl").read_bytes())
        seqs = [line["seq"] for line in lines]
        assert seqs == sorted(set(seqs))
        # ektp-audit/2: every stored event is a line and a leaf, numbered 0, 1, 2...
        assert [line["leaf"] for line in lines] == list(range(len(lines)))
        assert first.tree_size == len(lines) and first.root
        assert {line["aggregate"] for line in lines} == {"card", "manifest", "blank-stock",
                                                         "nik-register", "staff"}
        nik_streams = {line["stream"] for line in lines if line["aggregate"] == "nik-register"}
        assert not nik_streams & {str(r.stream_id) for r in exported}  # pseudonymised stream ids

        office.cancel(HEAD, office.request_card(
            HEAD, nik="3517091203850009", name="Warga Baru", kk="3517090101100009",
            village="35.17.09.2018").id, "resident withdrew")
        export_to(office, tmp_path / "c", previous=DirectorySource(str(tmp_path / "a")))
        export_to(office, tmp_path / "full")
    later = verify(tmp_path / "c").manifest
    assert later.start_hash == first.end_hash and later.first_seq > first.last_seq
    assert later.count == 4  # request and claim, cancel and release
    assert later.start_size == first.tree_size and later.tree_size == first.tree_size + 4
    assert "continues" in (verify(tmp_path / "c", older=DirectorySource(str(tmp_path / "a"))).against or "")
    assert "contains" in (verify(tmp_path / "full", older=DirectorySource(str(tmp_path / "a"))).against or "")
    assert parse_manifest((tmp_path / "full" / "manifest.json").read_bytes()).end_hash == later.end_hash


def test_round_trip(shared_store_url: str, tmp_path: Path) -> None:
    round_trip(shared_store_url, tmp_path)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("audit")
    generate_key_pair(str(folder / "key.pem"), str(folder / "key.pub"))
    with scenario_office(f"sqlite:///{folder / 'office.db'}") as office:
        export_to(office, folder / "export", signer=Ed25519Signer.from_pem(str(folder / "key.pem")))
    return folder


@pytest.fixture
def copy(exported: Path, tmp_path: Path) -> Path:
    target = tmp_path / "export"
    shutil.copytree(exported / "export", target)
    return target


def _lines(folder: Path) -> list[bytes]:
    return (folder / "events.jsonl").read_bytes().splitlines(keepends=True)


def _write(folder: Path, lines: list[bytes]) -> None:
    (folder / "events.jsonl").write_bytes(b"".join(lines))


def _fails(folder: Path, where: str, reason: str = "", **options: object) -> None:
    with pytest.raises(AuditCheckFailed) as caught:
        verify(folder, **options)
    assert caught.value.facts["where"] == where, caught.value.message
    assert reason in caught.value.message


def test_untouched_export_verifies(copy: Path, exported: Path) -> None:
    assert verify(copy, public_key=Ed25519Checker.from_pem(str(exported / "key.pub"))).signature == "valid"


def test_changed_field(copy: Path) -> None:
    lines = _lines(copy)
    n = next(i for i, line in enumerate(lines) if b'"village":"35.17.0' in line)
    lines[n] = lines[n].replace(b'"village":"35.17.0', b'"village":"35.17.1')
    assert lines[n] != _lines(copy)[n]
    _write(copy, lines)
    _fails(copy, f"events.jsonl line {n + 1}", "altered")


def test_deleted_line(copy: Path) -> None:
    lines = _lines(copy)
    del lines[6]
    _write(copy, lines)
    _fails(copy, "events.jsonl line 7", "prev")


def test_inserted_line(copy: Path) -> None:
    lines = _lines(copy)
    objs = objects(b"".join(lines))
    k = next(i for i, o in enumerate(objs) if i >= 2 and o["aggregate"] == "card")
    fake = dict(objs[k], seq=objs[k]["seq"], version=2, type="PrintReadinessConfirmed",
                data={"prr_reference": None}, prev=objs[k]["hash"])
    events, _ = forge([fake], start_hash=objs[k]["hash"], renumber=False)
    lines.insert(k + 1, events)
    _write(copy, lines)
    _fails(copy, f"events.jsonl line {k + 2}", "seq")


def test_two_lines_swapped(copy: Path) -> None:
    lines = _lines(copy)
    lines[10], lines[11] = lines[11], lines[10]
    _write(copy, lines)
    _fails(copy, "events.jsonl line 11", "prev")


def test_truncated_mid_line(copy: Path) -> None:
    data = (copy / "events.jsonl").read_bytes()
    cut = sum(len(line) for line in _lines(copy)[:20]) + 30
    (copy / "events.jsonl").write_bytes(data[:cut])
    _fails(copy, "events.jsonl line 21", "newline")


def test_truncated_at_a_line_end(copy: Path) -> None:
    _write(copy, _lines(copy)[:20])
    _fails(copy, "events.jsonl line 21", "ends after 20 lines")


def test_edited_manifest(copy: Path, exported: Path) -> None:
    manifest = json.loads((copy / "manifest.json").read_bytes())
    manifest["count"] = 40
    (copy / "manifest.json").write_bytes(json.dumps(manifest).encode())
    _fails(copy, "manifest.json", "tree_size is not start_size + count")
    manifest["tree_size"] = 40  # the forger makes the manifest agree with itself
    (copy / "manifest.json").write_bytes(json.dumps(manifest).encode())
    _fails(copy, "events.jsonl line 41", "counts only 40")
    _fails(copy, "manifest.sig", "does not match",
           public_key=Ed25519Checker.from_pem(str(exported / "key.pub")))


def test_wrong_key(copy: Path, tmp_path: Path) -> None:
    generate_key_pair(str(tmp_path / "other.pem"), str(tmp_path / "other.pub"))
    _fails(copy, "manifest.sig", "wrong key", public_key=Ed25519Checker.from_pem(str(tmp_path / "other.pub")))


def test_missing_signature_when_a_key_is_given(copy: Path, exported: Path) -> None:
    (copy / "manifest.sig").unlink()
    _fails(copy, "manifest.sig", "no signature", public_key=Ed25519Checker.from_pem(str(exported / "key.pub")))


def test_older_export_rewritten(copy: Path, tmp_path: Path) -> None:
    """A consistent forgery verifies alone, but not against the older export it rewrote."""
    objs = objects((copy / "events.jsonl").read_bytes())
    older = tmp_path / "older"
    older.mkdir()
    head_events, head_manifest = forge(objs[:30], parse_manifest((copy / "manifest.json").read_bytes()))
    (older / "events.jsonl").write_bytes(head_events)
    (older / "manifest.json").write_bytes(head_manifest)
    assert verify(older).manifest.count == 30

    objs[12]["data"] = dict(objs[12]["data"], station="cetak-9") if "station" in objs[12]["data"] \
        else dict(objs[12]["data"], reference="PRR-FORGED")
    events, manifest = forge(objs, parse_manifest((copy / "manifest.json").read_bytes()))
    (copy / "events.jsonl").write_bytes(events)
    (copy / "manifest.json").write_bytes(manifest)
    (copy / "manifest.sig").unlink()
    assert verify(copy).manifest.count == len(objs)  # alone, a consistent forgery passes
    with pytest.raises(AuditCheckFailed) as caught:
        verify(copy, older=DirectorySource(str(older)))
    assert caught.value.facts["where"] == "events.jsonl line 30"
    assert "differs from the older export" in caught.value.message


def test_an_export_folder_is_never_overwritten(copy: Path) -> None:
    with pytest.raises(AuditOutputExists):
        DirectorySink(str(copy))


def test_memory_source_matches_files(copy: Path) -> None:
    source = MemorySource((copy / "events.jsonl").read_bytes(), (copy / "manifest.json").read_bytes())
    report = verify_export(source, InMemoryStreamVersions(), host_logins=HOSTS)
    assert canonical(report.manifest.as_dict()) == parse_manifest(
        (copy / "manifest.json").read_bytes()).canonical()


def test_edited_created_without_a_signature(copy: Path) -> None:
    manifest = json.loads((copy / "manifest.json").read_bytes())
    manifest["created"] = "2030-01-01T00:00:00.000000Z"
    (copy / "manifest.json").write_bytes(json.dumps(manifest).encode())
    _fails(copy, "manifest.json", "created")


class _BrokenSigner(Ed25519Signer):
    def sign(self, message: bytes) -> bytes:
        raise OSError("the signing device went away")


def test_a_failed_export_leaves_nothing_behind(tmp_path: Path) -> None:
    with scenario_office(f"sqlite:///{tmp_path / 'office.db'}") as office, pytest.raises(OSError):
        export_to(office, tmp_path / "out", signer=_BrokenSigner(None))  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()
