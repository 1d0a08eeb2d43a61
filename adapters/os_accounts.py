"""Operating-system accounts for the staff of an SQLite office.

On SQLite the OS user running ``ektp`` is the staff login, and the database
file's permissions decide who may open it at all (`event_store.sqlite_file`).
ektp never creates OS accounts (that is the machine administrator's job, with
their own tools); enrolling, suspending and reinstating a member only say
what the account still needs, in one line each.
"""

from __future__ import annotations

import os
import stat

from ektp.application.kernel.i18n import _
from ektp.application.ports.staff_accounts import StaffAccounts


class OsAccounts(StaffAccounts):
    """What the OS account of each member of the register at `path` still needs."""

    def __init__(self, path: str) -> None:
        self._path = path

    def enrolled(self, login: str) -> tuple[str, ...]:
        """Whether `login` exists here and may open the file; how to fix it if not."""
        import grp
        import pwd

        try:
            account = pwd.getpwnam(login)
        except KeyError:
            return (_("there is no operating-system account {login} on this machine: "
                    "the administrator creates it (adduser {login})").format(login=login),)
        try:
            info = os.stat(self._path)
        except OSError:
            return ()
        if account.pw_uid == info.st_uid:
            return ()
        mode = stat.S_IMODE(info.st_mode)
        if not mode & 0o060:
            return (_("the database file is private to its owner: share it with a group "
                    "(ektp db init --group GROUP) so that {login} can open it").format(login=login),)
        group = grp.getgrgid(info.st_gid)
        if account.pw_gid == info.st_gid or login in group.gr_mem:
            return ()
        return (_("{login} is not in group {gr_name}, which may open the database file: "
                "usermod -aG {gr_name} {login}").format(login=login, gr_name=group.gr_name),)

    def suspended(self, login: str) -> tuple[str, ...]:
        """A suspended member's account may still open the file with other tools."""
        import grp

        try:
            info = os.stat(self._path)
            group = grp.getgrgid(info.st_gid)
        except (OSError, KeyError):
            return ()
        if not stat.S_IMODE(info.st_mode) & 0o060 or login not in group.gr_mem:
            return ()
        group_name = group.gr_name
        return (_("ektp refuses {login} every command; to stop {login} opening the file with "
                "other tools too: gpasswd -d {login} {group_name}").format(login=login, group_name=group_name),)

    def reinstated(self, login: str) -> tuple[str, ...]:
        """Nothing more than the register."""
        return ()
