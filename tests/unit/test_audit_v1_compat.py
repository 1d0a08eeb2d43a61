"""ektp-audit/1 exports, written before the journal (tests/data/export-v1), are still
verified, replayed, reconciled and tabled; what they cannot carry is refused clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testkit.audit import MemorySource, export, scenario_office

from ektp.adapters.audit.ed25519 import Ed25519Checker
from ektp.adapters.audit.files import DirectorySource
from ektp.application.audit.checks import all_checks
from ektp.application.audit.line_check import InMemoryStreamVersions
from ektp.application.audit.manifest import parse_manifest
from ektp.application.audit.milestones import card_rows
from ektp.application.audit.note import Checkpoint, sign_checkpoint
from ektp.application.audit.reading import read_lines
from ektp.application.audit.reconcile import ReconcilePolicy, reconcile
from ektp.application.audit.replay import card_events, replay_card
from ektp.application.audit.verify import verify_export
from ektp.application.errors import AuditCheckFailed

DATA = Path(__file__).resolve().parents[1] / "data"
V1 = DATA / "export-v1"


def source() -> DirectorySource:
    return DirectorySource(str(V1))


def test_a_v1_export_verifies_with_its_signature() -> None:
    report = verify_export(source(), InMemoryStreamVersions(),
                           public_key=Ed25519Checker.from_pem(str(DATA / "export-v1.pub")))
    assert report.manifest.format == "ektp-audit/1" and report.authentic
    assert "ektp-audit/1" in report.root
    assert verify_export(source(), InMemoryStreamVersions()).outcome == "integrity-only"


def test_a_v1_export_replays_reconciles_and_tables() -> None:
    manifest = parse_manifest(source().manifest())
    lines = list(read_lines(source(), manifest, InMemoryStreamVersions()))
    first_card = lines[0].stream
    state = replay_card(card_events(iter(lines), first_card, manifest.office))
    assert state is not None and state.status.value == "HANDED_OVER"
    results = {r.name: r.status for r in reconcile(iter(lines), all_checks(ReconcilePolicy()),
                                                   lines[-1].time)}
    assert results["card-histories"] == "ok" and results["blank-conservation"] == "ok"
    assert len(list(card_rows(iter(lines)))) == 8


def test_a_tampered_v1_line_is_refused() -> None:
    events = (V1 / "events.jsonl").read_bytes()
    changed = events.replace(b'"station":"cetak-1"', b'"station":"cetak-9"', 1)
    assert changed != events
    with pytest.raises(AuditCheckFailed, match="altered"):
        verify_export(MemorySource(changed, source().manifest()), InMemoryStreamVersions())


def test_what_v1_cannot_carry_is_refused_clearly(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ektp.adapters.audit.ed25519 import Ed25519Signer

    point = sign_checkpoint(Checkpoint("ektp/35.17", 10, bytes(32)),
                            Ed25519Signer(Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32)))
    with pytest.raises(AuditCheckFailed, match="carry no tree"):
        verify_export(source(), InMemoryStreamVersions(), checkpoints=[point])
    with scenario_office() as office:
        sink = export(office)
        with pytest.raises(AuditCheckFailed, match="hash differently"):
            verify_export(sink.source(), InMemoryStreamVersions(), older=source())
        with pytest.raises(AuditCheckFailed, match="records no journal leaves"):
            export(office, previous=source())
    assert json.loads(source().manifest())["format"] == "ektp-audit/1"
