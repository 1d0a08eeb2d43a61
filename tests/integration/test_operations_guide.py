"""docs/operations.md runs as written: every shell block, in order, in one shell, on a
fresh home folder, with the office's PostgreSQL server (db.kantor, its administrator
`postgres`) replaced by the test's throwaway one and nothing else changed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "operations.md"


def test_the_administrators_guide_runs_as_written(tmp_path: Path, postgres_server: str) -> None:
    blocks = re.findall(r"```sh\n(.*?)```", GUIDE.read_text(), flags=re.S)
    assert len(blocks) >= 10
    script = "\n".join(blocks)
    for command in ("ektp db init", "ektp db backup", "db restore", "db upgrade", "db check"):
        assert command in script
    host_port = postgres_server.split("@", 1)[1].rsplit("/", 1)[0]
    host, port = host_port.split(":")
    script = (script.replace("-h db.kantor -p 5432 -U postgres", f"-h {host} -p {port} -U ektp")
              .replace("db.kantor:5432", host_port)
              .replace("source .venv/bin/activate", ":"))
    assert "db.kantor" not in script
    home = tmp_path / "home"
    home.mkdir()
    (home / "ektp").symlink_to(ROOT)  # the clone the guide starts in
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EKTP_", "XDG_", "PG"))}
    # The test's server runs with fsync=off: allowed explicitly, as the guide says a
    # throwaway database may be (test_operations.py shows the refusal without it).
    env.update(HOME=str(home), EKTP_ALLOW_UNSAFE_DURABILITY="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}")
    done = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=home, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
    assert "Traceback" not in done.stderr
    office = home / "kantor"
    assert (home / ".config" / "ektp" / "config.toml").exists()
    assert (home / ".config" / "ektp" / "kantor-pg.toml").exists()
    backups = sorted(p.name for p in (office / "backups").iterdir())
    assert len(backups) == 3 and "before-upgrade.db" in backups  # SQLite, PostgreSQL, pre-upgrade
    assert "refused: that backup exists already" in done.stdout
    assert "{'from': 'EKTP_LOCK_TIMEOUT', 'value': 30}" in done.stdout
    assert not (office / "drill.db").exists()
