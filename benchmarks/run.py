"""Run every benchmark and print its ratios: ``.venv/bin/python benchmarks/run.py [NAME...]``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

BENCHMARKS = ["bench_card_writes", "bench_door", "bench_cli_startup", "bench_blanks", "bench_read_models",
              "bench_audit"]

if __name__ == "__main__":
    chosen = sys.argv[1:] or BENCHMARKS
    for name in chosen:
        importlib.import_module(name).run()
