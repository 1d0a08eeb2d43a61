"""docs/audit-format.md tells the truth: its worked example and its sketch verifier."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

from testkit.audit import KEY, export, scenario_office

from ektp.application.audit.canonical import canonical
from ektp.application.audit.personal import Pseudonymiser

DOC = (Path(__file__).resolve().parents[2] / "docs" / "audit-format.md").read_text()


def test_the_worked_example_line_hashes_as_stated() -> None:
    line = DOC.split("<!-- example-line -->\n```\n", 1)[1].split("\n", 1)[0]
    obj = json.loads(line)
    assert canonical(obj).decode() == line
    claimed = obj.pop("hash")
    assert hashlib.sha256(canonical(obj)).hexdigest() == claimed
    assert f"Its SHA-256 is `{claimed}`" in DOC


def test_the_pseudonym_example() -> None:
    assert Pseudonymiser(KEY).number("3517091203850001") in DOC


def test_the_sketch_verifier_accepts_an_export_and_rejects_a_tampered_one(tmp_path: Path) -> None:
    code = re.search(r"## A verifier of your own.*?```python\n(.*?)```", DOC, re.S)
    assert code is not None
    script = tmp_path / "verify.py"
    script.write_text(code.group(1))
    with scenario_office() as office:
        sink = export(office)
    (tmp_path / "events.jsonl").write_bytes(sink.events)
    (tmp_path / "manifest.json").write_bytes(sink.manifest or b"")
    ok = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout == f"OK {len(sink.events.splitlines())} events\n", ok.stderr
    (tmp_path / "events.jsonl").write_bytes(sink.events.replace(b'"seq":19,', b'"seq":19 ,', 1))
    bad = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True)
    assert bad.returncode != 0
