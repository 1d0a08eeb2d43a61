"""Side-by-side timing: run competitors interleaved, several rounds, report medians
and ratios. Absolute times drift on a shared machine; ratios from one run hold."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def interleaved(competitors: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Call each competitor once per round, in rotating order; collect the seconds each reports."""
    names = list(competitors)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            seconds[name].append(competitors[name]())
    return seconds


def median(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)


def wall_time(argv: Sequence[str], **kwargs: object) -> float:
    """Seconds one process takes from start to exit (it must succeed)."""
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started


def report(title: str, rows: list[tuple[str, str]]) -> None:
    """Print a titled two-column block."""
    print(f"\n== {title}")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
