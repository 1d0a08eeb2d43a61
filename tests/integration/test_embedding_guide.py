"""docs/embedding.md's code blocks run as written, in order, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "embedding.md"


def test_the_guides_python_blocks_run(tmp_path: Path, postgres_url: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EKTP_GUIDE_POSTGRES_URL", postgres_url)
    namespace: dict[str, object] = {"__name__": "guide"}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"embedding.md block {number}", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "guide.db").exists()
