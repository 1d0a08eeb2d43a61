"""The SQLite file's permissions: only its owner (or, at the office's choice, one group)
may open it, from its first byte on.

On SQLite the operating system is the only gatekeeper: whoever can open the
file can read every NIK in it and write anything. So the file is created here,
mode 0600, before SQLite writes to it (``O_EXCL``: never an existing file), or
0660 with a group named at ``ektp db init --group``; the mode is set on the
open descriptor, not through the process-wide umask. SQLite gives the ``-wal``
and ``-shm`` files it creates beside the database the database file's own
permission bits, whatever the umask, so they follow. Their *group* is the
creating user's unless the folder passes its own on (the setgid bit): a
shared file therefore lives in a folder of its group with the setgid bit
(``install -d -m 2770 -g GROUP FOLDER``), which `share_with` insists on.
"""

from __future__ import annotations

from ektp.application.kernel.i18n import _
import os
import stat

PRIVATE = 0o600
SHARED = 0o660
SIDE_FILES = ("-wal", "-shm", "-journal")


class FilePermissionProblem(Exception):
    """The file or its folder cannot be made private or shared as asked (one sentence)."""


def create_private(path: str) -> None:
    """Create `path`, empty, private (an empty file is an empty SQLite database), through
    the one module that writes files (`ektp.adapters.files`)."""
    from ektp.adapters.files import create_empty

    try:
        create_empty(path)
    except FileExistsError:
        pass  # another process made it first, the same way


def group_id(group: str) -> int:
    """The id of the OS group `group`."""
    import grp

    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise FilePermissionProblem(_(
            "there is no group {group!r} on this machine (create it: groupadd {group})").format(
                group=group)) from None


def share_with(path: str, group: str) -> None:
    """Make `path` (created if missing) and its side files 0660 and of `group`; its
    folder must belong to `group` and have the setgid bit (see the module docstring)."""
    gid = group_id(group)
    folder = os.path.dirname(os.path.abspath(path))
    info = os.stat(folder)
    if info.st_gid != gid or not info.st_mode & stat.S_ISGID:
        raise FilePermissionProblem(
            _(
                "the folder {folder} must belong to group {group} and pass it on to new files (the "
                "WAL files SQLite creates beside the database): chgrp {group} {folder} && chmod "
                "g+rwxs,o-rwx {folder}").format(
                    folder=folder, group=group))
    if not os.path.exists(path):
        create_private(path)
    for name in (path, *(path + suffix for suffix in SIDE_FILES)):
        if os.path.exists(name):
            _set(name, gid, SHARED)


def make_private(path: str) -> str:
    """An existing file (``db init`` without ``--group``, e.g. on a file an earlier ektp made
    with the umask's mode): its side files follow it. Others lose every permission; the
    group keeps its own only where the file is shared the way `share_with` shares it (0660
    in a setgid folder of the file's group), else the file becomes 0600. Returns a line
    saying what the file's permissions are now."""
    info = os.stat(path)
    folder = os.stat(os.path.dirname(os.path.abspath(path)))
    shared = (stat.S_IMODE(info.st_mode) & 0o060 == 0o060 and folder.st_gid == info.st_gid
              and bool(folder.st_mode & stat.S_ISGID))
    target = SHARED if shared else PRIVATE
    for name in (path, *(path + suffix for suffix in SIDE_FILES)):
        if os.path.exists(name) and stat.S_IMODE(os.stat(name).st_mode) != target:
            _set(name, -1, target)
    if shared:
        import grp

        return f"database file shared with group {grp.getgrgid(info.st_gid).gr_name} (mode 0660)"
    return "database file private to its owner (mode 0600)"


def _set(name: str, gid: int, mode: int) -> None:
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        if gid != -1:
            os.fchown(fd, -1, gid)
        os.fchmod(fd, mode)
    except PermissionError:
        raise FilePermissionProblem(
            _("cannot change the permissions of {name}: only its owner can").format(
                name=name)) from None
    finally:
        os.close(fd)


def describe(path: str) -> tuple[str, str, str]:
    """(owner, group, mode as 0o600) of `path`, for ``ektp db check``."""
    import grp
    import pwd

    info = os.stat(path)
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = str(info.st_gid)
    return owner, group, oct(stat.S_IMODE(info.st_mode))
