"""Every file and folder ektp writes, written by the same rules (docs/operations.md,
"Files ektp writes"). Nothing in ektp writes a file its own way: sheets, checkpoints,
proofs, keys, audit exports, backups, the configuration and a new SQLite database all
come through here.

- **Private**: a file is created 0600 and a folder 0700, so no other account on the
  machine reads what they hold (NIKs, names, keys). When the office configuration
  names a group (``[files] group``, ``EKTP_FILES_GROUP``) files are 0640 and folders
  0750, owned by that group.
- **Never through a symbolic link**: the last component of a path ektp writes is
  never followed (``O_NOFOLLOW``); a path that is a symbolic link is refused, so a
  link planted where a sheet or an export goes cannot send the write to its target.
- **Never over a file by accident**: a new file is created with ``O_EXCL``. Replacing
  an existing file takes ``--force`` (`write_file`'s `force`), and even then it is
  never the office database (nor its ``-wal``/``-shm``), compared by device and inode
  (``os.path.samefile``) so neither a relative path, a symbolic link nor a hard link
  to it gets through, and never any other SQLite database.
- **Whole or not at all**: the data goes to a temporary file in the target's folder
  (``O_EXCL | O_NOFOLLOW``), flushed to disk, then linked to the new name (which
  fails if anything appeared there meanwhile) or, with ``force``, renamed over the
  old file (a rename replaces the name, never what a link points to). A refused or
  failed write leaves nothing behind.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ektp.application.kernel.i18n import N_, _
from ektp.application.errors import FileRefused

GROUP_VARIABLE = "EKTP_FILES_GROUP"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _group() -> int:
    """The group id files are handed to (-1: none configured)."""
    name = os.environ.get(GROUP_VARIABLE, "").strip()
    if not name:
        return -1
    import grp

    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise FileRefused(path=name, reason=_(
            "there is no group {name!r} ({group_variable} or [files] group)").format(
                name=name, group_variable=GROUP_VARIABLE)) from None


def file_mode() -> int:
    """The mode of a file ektp creates: 0600, or 0640 when a group is configured."""
    return 0o600 if _group() < 0 else 0o640


def folder_mode() -> int:
    """The mode of a folder ektp creates: 0700, or 0750 when a group is configured."""
    return 0o700 if _group() < 0 else 0o750


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _own(fd: int, mode: int) -> None:
    """Give the open file or folder `fd` the office's mode (and group): the umask may
    have taken bits away, and a group is set only by an explicit chown."""
    gid = _group()
    if gid >= 0:
        os.fchown(fd, -1, gid)
    os.fchmod(fd, mode)


# --- checks ------------------------------------------------------------------------
def _same(a: str, b: str) -> bool:
    # By name too: the database's -wal may not exist at this moment (SQLite removes it
    # when the last connection closes) and is created the moment the office opens.
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_sqlite(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        return os.read(fd, len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False
    finally:
        os.close(fd)


def protected_paths(database: str) -> list[str]:
    """The office database `database` and the files SQLite keeps beside it."""
    return [database + suffix for suffix in ("", "-wal", "-shm", "-journal")]


def check_target(path: str, *, force: bool | None, protected: Iterable[str] = (),
                 allow_sqlite: bool = False) -> bool:
    """Whether `path` exists (and may be replaced, which takes `force`); `FileRefused`
    if it is a symbolic link, a folder, a protected file (the office database) or any
    SQLite database (but with `allow_sqlite`: an older backup), or exists without `force`
    (None: the command offers no ``--force``)."""
    if not path or os.path.basename(path) in ("", ".", ".."):
        raise FileRefused(path=path or "''", reason=_("it names no file"))
    for guarded in protected:
        if _same(path, guarded):
            raise FileRefused(path=path, reason=_("it is the office database; it is never overwritten"))
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as error:
        raise FileRefused(path=path, reason=_reason(error)) from None
    if stat.S_ISLNK(found.st_mode):
        raise FileRefused(path=path, reason=_("it is a symbolic link; ektp never writes through one "
                                            "(give the real path)"))
    if stat.S_ISDIR(found.st_mode):
        raise FileRefused(path=path, reason=_("it is a folder"))
    if not stat.S_ISREG(found.st_mode):
        raise FileRefused(path=path, reason=_("it is not a regular file"))
    if not allow_sqlite and _is_sqlite(path):
        raise FileRefused(path=path, reason=_("it is an SQLite database; it is never overwritten"))
    if force is None:
        raise FileRefused(path=path, reason=_("it already exists; it is not overwritten"))
    if not force:
        raise FileRefused(path=path, reason=_("it already exists; give --force to replace it"))
    return True


# --- writing -----------------------------------------------------------------------
def open_new(path: str, *, secret: bool = False) -> int:
    """A new private file at `path`, open for writing (``O_EXCL | O_NOFOLLOW``): an
    existing file or a symbolic link there is an `OSError` (``EEXIST``, ``ELOOP``).
    A `secret` (a key) is 0600 even when the office's files go to a group."""
    fd = os.open(path, _NEW, 0o600)
    try:
        if secret:
            os.fchmod(fd, 0o600)
        else:
            _own(fd, file_mode())
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise
    return fd


def create_empty(path: str) -> None:
    """Create `path` as an empty private file (for a new SQLite database: SQLite then
    gives its ``-wal`` and ``-shm`` files the database file's mode)."""
    os.close(open_new(path))


def temporary_beside(path: str, *, secret: bool = False) -> str:
    """A new private, empty temporary file in `path`'s folder (``.NAME.partial-PID-N``)."""
    folder, name = os.path.split(os.path.abspath(path))
    for n in range(1000):
        candidate = os.path.join(folder, f".{name}.partial-{os.getpid()}-{n}")
        try:
            os.close(open_new(candidate, secret=secret))
        except FileExistsError:
            continue
        return candidate
    raise FileRefused(path=path, reason=_("no temporary file can be made beside it"))


def _sync_folder(path: str) -> None:
    fd = os.open(os.path.dirname(os.path.abspath(path)) or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the file itself is synced
    finally:
        os.close(fd)


def settle(temporary: str, path: str, *, replace: bool) -> None:
    """Give the finished `temporary` the name `path`, durably: a link to a new name
    (``EEXIST`` if anything is there now, even a dangling symbolic link), or with
    `replace` a rename over the old file. The temporary name is gone either way."""
    fd = os.open(temporary, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if replace:
        os.replace(temporary, path)
    else:
        try:
            os.link(temporary, path, follow_symlinks=False)
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            # A file system without hard links (FAT on a USB stick): check, then rename.
            if os.path.lexists(path):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path) from None
            os.replace(temporary, path)
        else:
            os.unlink(temporary)
    _sync_folder(path)


def retire_and_replace(path: str, new: str, retired: str) -> None:
    """Keep the file `path` as the new name `retired` (a link: ``EEXIST`` if anything
    is there), then put the finished file `new` in its place in one rename: `path`
    names the old file or the new one at every moment (`ektp keys rotate`)."""
    os.link(path, retired, follow_symlinks=False)
    settle(new, path, replace=True)


def write_file(path: str, data: bytes, *, force: bool | None = None,
               protected: Iterable[str] = (), secret: bool = False) -> None:
    """Write `data` to the file `path` by the rules above: new unless `force` (None: the
    command has no ``--force``), never a symbolic link, a folder, the `protected` files
    (the office database) or an SQLite database; whole or not at all; a `secret` (a
    key) 0600 whatever group is configured. `FileRefused` says why not."""
    exists = check_target(path, force=force, protected=list(protected))
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileRefused(path=path, reason=_("the folder {folder} does not exist").format(
            folder=folder))
    try:
        temporary = temporary_beside(path, secret=secret)
    except OSError as error:
        raise FileRefused(path=path, reason=_("cannot write it ({error})").format(
            error=_reason(error))) from None
    try:
        fd = os.open(temporary, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        settle(temporary, path, replace=exists)
    except FileExistsError:
        raise FileRefused(path=path, reason=_("it appeared while ektp was writing it; nothing "
                                            "was replaced")) from None
    except OSError as error:
        raise FileRefused(path=path, reason=_("cannot write it ({error})").format(
            error=_reason(error))) from None
    finally:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass


def write_numbered(path: str, data: bytes) -> str:
    """Write `data` to a new file named `path`, else ``STEM-2.EXT``, ``STEM-3.EXT``...
    (the first free name: an earlier run's file is kept); the name used."""
    stem, ext = os.path.splitext(path)
    for n in range(1, 1000):
        candidate = path if n == 1 else f"{stem}-{n}{ext}"
        if os.path.lexists(candidate):
            continue
        try:
            write_file(candidate, data)
        except FileRefused:
            if os.path.lexists(candidate):  # taken meanwhile: try the next name
                continue
            raise
        return candidate
    raise FileRefused(path=path, reason=_("every numbered name beside it is taken"))


# --- folders -----------------------------------------------------------------------
def make_folder(path: str) -> None:
    """Create the folder `path` (and missing parents), private; an existing one is left."""
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        make_folder(parent)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        _own(fd, folder_mode())
    finally:
        os.close(fd)


def claim_empty_folder(path: str) -> bool:
    """Make `path` a new private folder, or accept it if it is an empty folder of this
    user's that no one else can write to; True if it was made here. `FileRefused` for
    anything else: a file, a symbolic link, a folder with anything in it."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        try:
            make_folder(path)
        except OSError as error:
            raise FileRefused(path=path, reason=_("the folder cannot be made ({error})").format(
                error=_reason(error))) from None
        return True
    except OSError as error:
        raise FileRefused(path=path, reason=_reason(error)) from None
    if stat.S_ISLNK(found.st_mode):
        raise FileRefused(path=path, reason=_("it is a symbolic link; give a new folder"))
    if not stat.S_ISDIR(found.st_mode):
        raise FileRefused(path=path, reason=_("it is not a folder"))
    if found.st_uid != os.geteuid() or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise FileRefused(path=path, reason=_("others can write into it; give a new folder"))
    try:
        entries = os.listdir(path)
    except OSError as error:
        raise FileRefused(path=path, reason=_reason(error)) from None
    if entries:
        raise FileRefused(path=path, reason=_("it is not empty; give a new folder"))
    return False


@contextmanager
def new_file_in(folder: str, name: str) -> Iterator[int]:
    """A new private file `name` in `folder` (``O_EXCL | O_NOFOLLOW``), open for writing;
    closed at the end of the block."""
    fd = open_new(os.path.join(folder, name))
    try:
        yield fd
    finally:
        os.close(fd)


# --- reading what people hand in -----------------------------------------------------
def read_limited(path: str, limit: int, what: str) -> bytes:
    """The bytes of the file `path` ('-': standard input), refused with `FileRefused`
    before it is read whole when it holds more than `limit` bytes."""
    import sys

    too_big = f"it is larger than {limit // (1 << 20)} MB, the limit for a {what}; split it"
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise FileRefused(path=_("standard input"), reason=too_big)
        return data
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise FileRefused(path=path, reason=_("cannot read it ({error})").format(
            error=_reason(error))) from None
    try:
        found = os.fstat(fd)
        if stat.S_ISDIR(found.st_mode):
            raise FileRefused(path=path, reason=_("it is a folder"))
        if stat.S_ISREG(found.st_mode) and found.st_size > limit:
            raise FileRefused(path=path, reason=too_big)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # a pipe or a file that grew: counted as it is read
            raise FileRefused(path=path, reason=too_big)
        return b"".join(chunks)
    except OSError as error:
        raise FileRefused(path=path, reason=_("cannot read it ({error})").format(
            error=_reason(error))) from None
    finally:
        os.close(fd)


def read_secret(path: str, what: str) -> str:
    """The first line of the secret file `path` (a password), refused as ssh refuses a
    private key when the file is a symbolic link, not a regular file, or readable or
    writable by anyone but its owner; `what` names it in messages."""
    named = _(what)

    def refuse(problem: str, template: str = N_("the {what} {problem}")) -> FileRefused:
        # `problem` alone too: the cipher key's refusal names its file itself.
        return FileRefused(path=path, reason=_(template).format(what=named, problem=problem),
                           problem=problem)

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        reason = _("it is a symbolic link") if error.errno == errno.ELOOP else _reason(error)
        raise refuse(reason, N_("the {what} cannot be used: {problem}")) from None
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            raise refuse(_("is not a regular file"))
        if found.st_mode & 0o077:
            raise refuse(_("is open to other accounts (mode {mode:04o}); chmod 600 {path}").format(
                mode=stat.S_IMODE(found.st_mode), path=path))
        data = os.read(fd, 4097)
    finally:
        os.close(fd)
    if len(data) > 4096:
        raise refuse(_("is far too large for one"))
    try:
        line = data.decode("utf-8").split("\n", 1)[0].rstrip("\r")
    except UnicodeDecodeError:
        raise refuse(_("is not UTF-8 text")) from None
    if not line:
        raise refuse(_("is empty"))
    return line
