"""Fixtures shared by every test: the throwaway PostgreSQL server and fresh databases."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator

import pytest
from testkit.keys import TEST_AUDIT_KEY_HEX
from testkit.postgres import PostgresUnavailable, create_database, throwaway_cluster

# Every write journals its event under the office's audit key: the tests' offices
# (in-process and, through testkit.cli, as subprocesses) use one fixed test key.
os.environ.setdefault("EKTP_AUDIT_KEY", TEST_AUDIT_KEY_HEX)

_names = itertools.count()

# Every test runs with an office configuration of its own, explicitly: an empty file
# (all defaults), never the machine's ~/.config/ektp or /etc/ektp; and with writes
# allowed on the throwaway PostgreSQL cluster, which runs with fsync=off for speed
# (tests/testkit/postgres.py; test_operations.py shows the refusal without it).
# Subprocesses inherit both (testkit.cli.run keeps these two EKTP_ variables).
_ISOLATED = tempfile.mkdtemp(prefix="ektp-tests-config-")
open(os.path.join(_ISOLATED, "config.toml"), "w").close()
os.environ["EKTP_CONFIG"] = os.path.join(_ISOLATED, "config.toml")
os.environ["XDG_CONFIG_HOME"] = _ISOLATED
os.environ["EKTP_ALLOW_UNSAFE_DURABILITY"] = "1"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One throwaway cluster for the whole run. A missing server is a failure, never a skip."""
    try:
        with throwaway_cluster() as url:
            yield url
    except PostgresUnavailable as missing:
        pytest.fail(f"PostgreSQL is required for this test: {missing}")


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the throwaway server."""
    return create_database(postgres_server, f"ektp_test_{next(_names)}")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same test on the in-memory store, a SQLite file and PostgreSQL."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store') / 'office.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=["sqlite", "postgres"])
def shared_store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store several offices (or processes) can open at once: SQLite file, PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store') / 'office.db'}"
    return str(request.getfixturevalue("postgres_url"))
