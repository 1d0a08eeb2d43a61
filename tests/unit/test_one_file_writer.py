"""Nothing in ektp writes a file its own way: every create, rename, link and folder goes
through `ektp.adapters.files`, which keeps the rules (private modes, no symbolic links,
never over the office database). This reads the source for the calls that create files
and fails on any outside that module but the few named here, each with its reason."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITES = re.compile(
    r"""open\([^)]*['"](w|x|a)b?\+?['"]|O_CREAT|write_text\(|write_bytes\(|os\.replace\(|"""
    r"""os\.rename\(|makedirs\(|\.mkdir\(|os\.link\(|os\.symlink\(|shutil\.(copy|move)""")
ALLOWED = {
    # /etc/ektp is made 0755 so that every account of a shared workstation reads the
    # configuration in it (its file is still made by ektp.adapters.files).
    ("adapters/office_config.py", "os.makedirs(folder, mode=0o755)"),
    # The export's events file, opened by ektp.adapters.files.open_new, wrapped for buffering.
    ("adapters/audit/files.py", 'self._events = os.fdopen(fd, "wb", buffering=_BUFFER)'),
}


def test_every_file_is_written_through_the_files_adapter() -> None:
    found = set()
    for folder in ("domain", "application", "adapters", "entrypoints"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if relative == "adapters/files.py":
                continue
            for line in path.read_text().splitlines():
                if WRITES.search(line) or 'fdopen(' in line:
                    found.add((relative, line.strip()))
    assert found == ALLOWED, sorted(found - ALLOWED)
