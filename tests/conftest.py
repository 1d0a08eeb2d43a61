"""Fixtures shared by every test: the throwaway PostgreSQL server and fresh databases;
and how the run is split between pytest-xdist's workers (scripts/test runs two or more)."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from testkit.accounts import Accounts, AccountsUnavailable, os_accounts
from testkit.keys import TEST_AUDIT_KEY_HEX
from testkit.postgres import PostgresUnavailable, create_database, throwaway_cluster
from testkit.staff import staff_file

from ektp.domain.actor import Role

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
os.chmod(_ISOLATED, 0o755)  # the staff's OS accounts (testkit.accounts) read it too
open(os.path.join(_ISOLATED, "config.toml"), "w").close()
os.environ["EKTP_CONFIG"] = os.path.join(_ISOLATED, "config.toml")
os.environ["XDG_CONFIG_HOME"] = _ISOLATED
os.environ["EKTP_ALLOW_UNSAFE_DURABILITY"] = "1"
# The tests read ektp's English (a new office speaks Indonesian: `db init` writes
# language = "id"); a test of the Indonesian sets LANGUAGE itself, or passes --lang id.
os.environ["LANGUAGE"] = "en"


# The tests that act as several people share the OS accounts of `accounts`: fixed logins
# (testkit.accounts.LOGINS, and docs/operations.md's own sri, wulan and anto), and the
# others' execute bit lent to /root for the session. Two pytest-xdist workers making them at
# once would collide (one finding "exists already" and skipping), so the files of those tests
# run on one worker, as one unit (`pytest_xdist_make_scheduler` below). By file, not by
# xdist_group mark: `--dist loadgroup` does not group on pytest 9.2 (pytest-xdist issue 1386).
ACCOUNTS_GROUP = "os-accounts"
ACCOUNTS_FILES = frozenset({
    "tests/integration/test_cli_cards.py",
    "tests/integration/test_cli_delivery.py",
    "tests/integration/test_cli_hardening.py",
    "tests/integration/test_cli_staff.py",
    "tests/integration/test_operations_guide.py",
})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a test using `accounts` outside ACCOUNTS_FILES (it would run beside them);
    start the slow tests first, so that no long test is left to end a parallel run alone
    while the other workers sit idle."""
    for item in items:
        where = item.nodeid.split("::", 1)[0]
        if "accounts" in getattr(item, "fixturenames", ()) and where not in ACCOUNTS_FILES:
            raise pytest.UsageError(f"{where} uses the OS accounts: add it to ACCOUNTS_FILES "
                                    "in tests/conftest.py")
    # A stable sort: the order is the same in every worker, as xdist requires.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """How scripts/test's workers share the tests, whatever ``--dist`` says: each test
    on its own, to whichever worker is free, except the files of ACCOUNTS_FILES, which go
    to one worker together (the first unit handed out: the largest)."""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerForTheAccounts(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return ACCOUNTS_GROUP if nodeid.split("::", 1)[0] in ACCOUNTS_FILES else nodeid

    return OneWorkerForTheAccounts(config, log)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One throwaway cluster for the whole run (under xdist, one per worker: each has its
    own folder, port and roles). A missing server is a failure, never a skip."""
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


# The other people of the CLI tests, each an OS account of `accounts` (login, name, roles).
CLI_STAFF = (("kurir.anto", "Anto Wibowo", (Role.COURIER,)),
             ("kurir.lain", "Kurir Lain", (Role.COURIER,)),
             ("op.hadi", "Hadi Susanto", (Role.OPERATOR,)),
             ("auditor.bpk", "Auditor Bpk", (Role.AUDITOR,)))


@pytest.fixture
def office_db(tmp_path: Path) -> Path:
    """A new SQLite office whose register was founded by the OS user running the tests
    (its head, and an operator too), private to that user: the CLI acts as them."""
    return staff_file(tmp_path / "office.db")


@pytest.fixture
def shared_db(accounts: Accounts) -> Path:
    """Like `office_db`, but shared with the test accounts' group (as ``db init --group``
    does) in a folder of that group, with the accounts enrolled (`CLI_STAFF`): the CLI
    runs as each of them with ``run(..., actor=LOGIN)``."""
    return staff_file(accounts.shared_folder() / "office.db", CLI_STAFF, group=accounts.group)


@pytest.fixture
def cipher_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new office cipher key file (0600 in a 0700 folder), named by the environment as
    an office names it (EKTP_CIPHER_KEY_FILE): events are encrypted at rest."""
    from ektp.adapters.cipher_key import new_key_file

    path = tmp_path / "keys" / "cipher.key"
    path.parent.mkdir(mode=0o700)
    new_key_file(str(path))
    monkeypatch.setenv("EKTP_CIPHER_KEY_FILE", str(path))
    return path
