"""README.md's tour runs as written: every shell block after the first (the two setup
commands), in order, on a fresh folder, each command succeeding."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.slow
def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks[0].splitlines()[0].startswith("./scripts/demo")
    tour = "\n".join(blocks[1:])
    assert "ektp manifest record" in tour and "ektp audit verify" in tour
    # The tour activates the project's .venv; here the test's own interpreter's bin is on PATH.
    script = "set -euo pipefail\n" + tour.replace("source .venv/bin/activate", ":")
    # No locale chosen: the tour's own `db init --language en` makes the office English
    # (a new office speaks Indonesian: test_readme_tour_id.py runs that tour).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EKTP_", "LC_")) and k not in ("LANGUAGE", "LANG")}
    env["LANG"] = "C.UTF-8"
    env["XDG_CONFIG_HOME"] = str(tmp_path / ".config")  # where `ektp db init` writes, as ~/.config
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert (tmp_path / "export-full" / "events.jsonl").exists() and (tmp_path / "sheet.html").exists()
    assert (tmp_path / ".config" / "ektp" / "config.toml").exists() and (tmp_path / "backup-1.db").exists()
    assert 'language = "en"' in (tmp_path / ".config" / "ektp" / "config.toml").read_text()
