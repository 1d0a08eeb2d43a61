"""Real operating-system accounts for tests that need several people at an SQLite office.

On SQLite the OS user running ``ektp`` is the staff login, so a test in which a
courier records results runs ``ektp`` as the courier's own OS account
(``runuser -u kurir.anto -- ektp ...``). `os_accounts` creates the accounts and
a group that may open the test databases, and removes them afterwards (CI runs
as root; elsewhere the tests that need it are skipped, saying why).

Those accounts must be able to run this interpreter and read the project, so
every folder on the way to them that others cannot traverse (``/root`` is 0700)
gets the others' execute bit (traverse, not list) for the session, and its
mode back at the end.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs

PROJECT = Path(__file__).resolve().parents[2]
# The accounts the CLI tests act as, besides the user running the tests.
LOGINS = ("kurir.anto", "kurir.lain", "op.hadi", "auditor.bpk")


class AccountsUnavailable(RuntimeError):
    """This test run cannot create OS accounts (not root, or no useradd)."""


@attrs.frozen
class Accounts:
    """The accounts made for this run: their logins, the group, and a folder of that group."""

    logins: tuple[str, ...]
    group: str
    folder: Path

    def shared_folder(self) -> Path:
        """A new folder of the group, setgid, where a database may be shared."""
        folder = Path(tempfile.mkdtemp(prefix="db-", dir=self.folder))
        shutil.chown(folder, group=self.group)
        os.chmod(folder, 0o2770)
        return folder


def _traversable(paths: list[Path]) -> list[tuple[Path, int]]:
    """Give others the execute bit on every ancestor folder of `paths` that lacks it."""
    changed: list[tuple[Path, int]] = []
    for path in paths:
        for folder in [*reversed(path.parents)]:
            mode = stat.S_IMODE(folder.stat().st_mode)
            if not mode & stat.S_IXOTH and all(folder != f for f, _ in changed):
                changed.append((folder, mode))
                os.chmod(folder, mode | stat.S_IXOTH)
    return changed


@contextmanager
def os_accounts(logins: tuple[str, ...] = LOGINS) -> Iterator[Accounts]:
    """Create `logins` and a group for them; remove both when done."""
    if os.geteuid() != 0:
        raise AccountsUnavailable("creating OS accounts needs root (CI runs as root)")
    if shutil.which("useradd") is None or shutil.which("runuser") is None:
        raise AccountsUnavailable("useradd and runuser are needed")
    import grp
    import pwd

    for login in logins:
        try:
            pwd.getpwnam(login)
        except KeyError:
            continue
        raise AccountsUnavailable(f"an OS account {login} exists already: not ours to use")
    group = f"ektp-t{os.getpid()}"
    made: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="ektp-accounts-"))
    os.chmod(folder, 0o711)
    changed = _traversable([Path(os.path.realpath(sys.executable)), Path(sys.executable), PROJECT,
                            folder])
    try:
        subprocess.run(["groupadd", group], check=True, capture_output=True)
        for login in logins:
            subprocess.run(["useradd", "-M", "-N", "-g", "users", "-G", group, "-s",
                            "/usr/sbin/nologin", login], check=True, capture_output=True)
            made.append(login)
        assert all(login in grp.getgrnam(group).gr_mem for login in logins)
        yield Accounts(tuple(logins), group, folder)
    finally:
        for login in made:
            subprocess.run(["userdel", login], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
        for path, mode in reversed(changed):
            os.chmod(path, mode)
