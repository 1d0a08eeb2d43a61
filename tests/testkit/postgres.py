"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder,
listening on 127.0.0.1 on a free port, stopped and deleted afterwards.

The binaries come from PATH or Debian's /usr/lib/postgresql/*/bin (scripts/test
installs the `postgresql` package when they are missing). PostgreSQL refuses to
run as root, so as root the cluster runs as the `postgres` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_binary(name: str) -> str:
    """The path of a PostgreSQL server binary such as initdb or pg_ctl."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    raise PostgresUnavailable(
        f"{name} not found: install Debian's postgresql package (scripts/test does it)"
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@contextmanager
def throwaway_cluster(durable: bool = False) -> Iterator[str]:
    """Start a cluster; yield the URL of its `postgres` database as user `ektp`.

    Tests run it without fsync (nothing survives the test run anyway);
    benchmarks pass `durable=True` to measure a server configured as in an office.
    """
    folder = Path(tempfile.mkdtemp(prefix="ektp-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        os.chmod(folder, 0o700)
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    subprocess.run(_as_server_user([initdb, "-D", str(data), "-U", "ektp", "-A", "trust",
                                    "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True)
    # One role must give a password, so that bad credentials can be tested.
    hba = data / "pg_hba.conf"
    hba.write_text("host all guarded 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
    log = folder / "server.log"
    # Several test processes (pytest-xdist's workers) each start a cluster at once: a port
    # found free may be taken by another's server before this one binds it; then try anew.
    for attempt in range(5):
        port = free_port()
        options = f"-h 127.0.0.1 -p {port} -k {folder} -c max_connections=200"
        if not durable:
            options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        started = subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l",
                                                  str(log), "-w", "-t", "60", "start"]),
                                 capture_output=True)
        if started.returncode == 0:
            break
        in_use = log.exists() and "could not bind" in log.read_text(errors="replace")
        if not in_use or attempt == 4:
            started.check_returncode()
        log.unlink()
    url = f"postgresql://ektp@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("CREATE ROLE guarded LOGIN PASSWORD 'right-password'")
        yield url
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """Create database `name` on the server; return its URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def wait_until_accepting(url: str, seconds: float = 30) -> None:
    """Block until the server accepts connections."""
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(url).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
