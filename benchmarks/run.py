"""Run every benchmark and print its ratios: ``.venv/bin/python benchmarks/run.py [NAME...]``."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
# Every write journals its event under the office's audit key: the benchmarks' offices
# (opened from the environment) use a fixed one unless one is set.
os.environ.setdefault("EKTP_AUDIT_KEY", bytes(range(32)).hex())

BENCHMARKS = ["bench_card_writes", "bench_door", "bench_cli_startup", "bench_blanks", "bench_import",
              "bench_read_models", "bench_audit", "bench_journal", "bench_cipher"]

if __name__ == "__main__":
    chosen = sys.argv[1:] or BENCHMARKS
    for name in chosen:
        importlib.import_module(name).run()
