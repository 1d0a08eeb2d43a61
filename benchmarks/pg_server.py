"""A throwaway PostgreSQL server for benchmarks, configured durable (fsync on), as
in an office; the same helper the tests use, from tests/testkit."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from testkit.postgres import create_database, throwaway_cluster  # noqa: E402

_names = itertools.count()


@contextmanager
def postgres_databases() -> Iterator[Callable[[], str]]:
    """Start a durable cluster; yield a function that makes a fresh database URL."""
    with throwaway_cluster(durable=True) as server:
        yield lambda: create_database(server, f"bench_{next(_names)}")
