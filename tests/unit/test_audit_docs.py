"""docs/audit-format.md tells the truth: its worked examples (line, leaf, checkpoint,
cosignature, consistency and inclusion proofs), its tables of every aggregate's events
and data keys, and its sketch verifier."""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from testkit.audit import KEY, export, scenario_office

from ektp.adapters.audit.ed25519 import Ed25519Checker
from ektp.application.audit.aggregates import AGGREGATE_PACKAGES, EVENT_MODULES, aggregate_of
from ektp.application.audit.canonical import canonical
from ektp.application.audit.facts import ENVELOPE
from ektp.application.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from ektp.application.audit.note import (
    COSIGNATURE_V1,
    ED25519,
    key_id,
    parse_checkpoint,
    verify_cosignature,
    verify_signed,
)
from ektp.application.audit.personal import Pseudonymiser
from ektp.domain.event import DomainEvent

DOC = (Path(__file__).resolve().parents[2] / "docs" / "audit-format.md").read_text()


def block(marker: str) -> str:
    return DOC.split(f"<!-- {marker} -->\n```\n", 1)[1].split("\n```", 1)[0]


def test_the_worked_example_line_hashes_as_stated() -> None:
    line = block("example-line")
    obj = json.loads(line)
    assert canonical(obj).decode() == line
    claimed = obj.pop("hash")
    assert hashlib.sha256(canonical(obj)).hexdigest() == claimed
    assert f"Its SHA-256 is `{claimed}`" in DOC
    leaf = block("example-leaf")
    del obj["prev"], obj["inserted_by"]
    assert canonical(obj).decode() == leaf
    assert f"is `{leaf_hash(leaf.encode()).hex()}`" in DOC


def _vkey(marker_text: str) -> tuple[str, bytes, int]:
    name, kid, key = marker_text.split("+")
    raw = base64.b64decode(key)
    assert key_id(name, raw[0], raw[1:]).hex() == kid
    return name, raw[1:], raw[0]


def test_the_checkpoint_examples_verify_under_the_stated_keys() -> None:
    vkeys = re.findall(r"`([^`\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+)`", DOC)
    office_name, office_key, kind = _vkey(vkeys[0])
    witness_name, witness_key, witness_kind = _vkey(vkeys[1])
    assert (kind, witness_kind) == (ED25519, COSIGNATURE_V1)
    signed = parse_checkpoint((block("example-checkpoint") + "\n").encode())
    verify_signed(signed, Ed25519Checker.from_raw(office_key), name=office_name)
    cosigned = parse_checkpoint((block("example-cosigned") + "\n").encode())
    verify_signed(cosigned, Ed25519Checker.from_raw(office_key))
    assert verify_cosignature(cosigned, witness_name, Ed25519Checker.from_raw(witness_key)) == 1510650000
    assert cosigned.checkpoint == signed.checkpoint


def test_the_proof_examples_verify() -> None:
    point = parse_checkpoint((block("example-checkpoint") + "\n").encode()).checkpoint
    leaf = block("example-leaf").encode()
    index = json.loads(leaf)["leaf"]
    proof = [base64.b64decode(h) for h in block("example-inclusion").split()]
    verify_inclusion(leaf_hash(leaf), index, point.size, proof, point.root)
    lines = block("example-consistency").split("\n")
    old = int(lines[0].split()[1])
    old_root = base64.b64decode(re.search(rf"tree at {old} leaves has root `([^`]+)`", DOC).group(1))  # type: ignore[union-attr]
    verify_consistency(old, point.size, old_root, point.root, [base64.b64decode(h) for h in lines[1:]])


def test_the_pseudonym_example() -> None:
    assert Pseudonymiser(KEY).number("3517091203850001") in DOC


@pytest.mark.parametrize("aggregate", sorted(AGGREGATE_PACKAGES))
def test_every_event_and_every_data_key_is_documented(aggregate: str) -> None:
    section = DOC.split(f"<!-- events:{aggregate} -->", 1)[1].split("<!-- events:", 1)[0]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| (.*) \|$", section, re.M)}
    module = importlib.import_module(EVENT_MODULES.get(aggregate, AGGREGATE_PACKAGES[aggregate] + ".events"))
    classes = [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, DomainEvent)
               and c.__module__ == module.__name__ and aggregate_of(c) == aggregate
               and [f for f in attrs.fields(c) if f.name not in ENVELOPE]]
    assert classes
    assert sorted(rows) == sorted(c.__name__ for c in classes)
    for cls in classes:
        keys = [f.name for f in attrs.fields(cls) if f.name not in ENVELOPE]
        documented = re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", rows[cls.__name__]))
        assert documented == keys, (cls.__name__, documented, keys)
    assert "<!-- events:staff -->" in DOC  # the marked place for issue 12's staff register


def test_the_sketch_verifier_accepts_an_export_and_rejects_a_tampered_one(tmp_path: Path) -> None:
    code = re.search(r"## A verifier of your own.*?```python\n(.*?)```", DOC, re.S)
    assert code is not None
    script = tmp_path / "verify.py"
    script.write_text(code.group(1))
    with scenario_office() as office:
        sink = export(office)
    manifest = json.loads(sink.manifest or b"")
    (tmp_path / "events.jsonl").write_bytes(sink.events)
    (tmp_path / "manifest.json").write_bytes(sink.manifest or b"")
    ok = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == f"OK {len(sink.events.splitlines())} events, root {manifest['root']}\n"
    (tmp_path / "events.jsonl").write_bytes(sink.events.replace(b'"seq":19,', b'"seq":19 ,', 1))
    bad = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True)
    assert bad.returncode != 0
