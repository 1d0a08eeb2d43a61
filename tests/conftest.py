"""Fixtures shared by every test: the throwaway PostgreSQL server and fresh databases."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from testkit.accounts import Accounts, AccountsUnavailable, os_accounts
from testkit.postgres import PostgresUnavailable, create_database, throwaway_cluster

_names = itertools.count()


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


@pytest.fixture(scope="session")
def accounts() -> Iterator[Accounts]:
    """Real OS accounts for the run (`testkit.accounts`); skipped, saying why, when this
    run cannot create them (CI runs as root and always can)."""
    try:
        with os_accounts() as made:
            yield made
    except AccountsUnavailable as missing:
        pytest.skip(f"needs real OS accounts: {missing}")
