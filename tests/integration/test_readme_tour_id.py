"""README.md's Indonesian tour runs as written, and prints what it shows (issue 15):
every ``console`` block, in order, on a fresh folder with no locale chosen, so that the
new office's own language (Indonesian) speaks. A line of `...` parts matches anything
there (card ids, times, logins, paths)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
END = "@@ektp-tour-end "


def steps(text: str) -> list[tuple[str, list[str]]]:
    """(command, the output lines shown under it) of every ``console`` block."""
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                assert found, f"output before any command: {line!r}"
                found[-1][1].append(line)
    return found


def matches(shown: str, printed: str) -> bool:
    """Whether `printed` is the line `shown`, where each `...` stands for any text."""
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return re.fullmatch(pattern, printed) is not None


def test_the_indonesian_tour_prints_what_the_readme_shows(tmp_path: Path) -> None:
    tour = steps(README.read_text())
    assert len(tour) > 10 and tour[0][0] == "source .venv/bin/activate"
    script = ["set -uo pipefail"]
    for command, _shown in tour:
        if command == "source .venv/bin/activate":  # the test's interpreter's bin is on PATH
            command = ":"
        # Each command's output (stderr too: a refusal shows there), then its end marker.
        script.append(f"{{ {command} ; }} 2>&1; echo \"{END}$?\"")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EKTP_", "LC_")) and k not in ("LANGUAGE", "LANG")}
    env["LANG"] = "C.UTF-8"  # no language chosen: the office's configuration decides
    env["XDG_CONFIG_HOME"] = str(tmp_path / ".config")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    outputs = done.stdout.split(END)
    assert len(outputs) == len(tour) + 1, done.stdout[-3000:] + done.stderr[-3000:]
    for (command, shown), printed in zip(tour, outputs, strict=False):
        lines = printed.split("\n")
        lines = lines[1:] if lines and lines[0].isdigit() else lines  # the previous exit code
        lines = [line for line in lines if line != ""]
        assert len(lines) == len(shown) and all(map(matches, shown, lines)), (
            f"$ {command}\nREADME shows:\n" + "\n".join(shown) + "\nprinted:\n" + "\n".join(lines))
    assert "Traceback" not in done.stdout


def test_the_matcher_is_strict() -> None:
    assert matches("kartu ...: dicetak", "kartu 1b4e: dicetak")
    assert not matches("kartu ...: dicetak", "card 1b4e: printed")
    assert not matches("menerima 1.500 blangko", "menerima 1,500 blangko")
    assert steps("```console\n$ a\nx\n$ b\n```\n```sh\n$ c\n```") == [("a", ["x"]), ("b", [])]
