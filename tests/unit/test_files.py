"""The file rules of `ektp.adapters.files`, as properties: whatever lies at the target
(nothing, a file, a symbolic link to a precious file or to nowhere, a folder, an SQLite
database, a hard link to the office database) and whether or not `force` is given, a
write either leaves exactly the new bytes in a private regular file, or is refused and
changes nothing at all in the folder or behind any link."""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp.adapters import files
from ektp.application.errors import FileRefused

PLANTS = ["nothing", "file", "symlink", "dangling", "folder", "sqlite", "database", "database-link"]


def _snapshot(root: Path) -> dict[str, object]:
    """Everything under `root`: each entry's kind, mode and bytes (links by their target)."""
    seen: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            seen[str(path)] = ("link", os.readlink(path))
        elif stat.S_ISDIR(info.st_mode):
            seen[str(path)] = ("folder", stat.S_IMODE(info.st_mode))
        else:
            seen[str(path)] = ("file", stat.S_IMODE(info.st_mode), path.read_bytes())
    return seen


def _plant(root: Path, what: str) -> tuple[Path, Path]:
    """A folder with the office database and a precious file, and `what` at the target."""
    office, target = root / "office.db", root / "out" / "sheet.csv"
    sqlite3.connect(office).execute("CREATE TABLE t (x)").connection.close()
    (root / "precious").write_bytes(b"precious\n")
    target.parent.mkdir()
    if what == "file":
        target.write_bytes(b"old sheet\n")
    elif what == "symlink":
        target.symlink_to(root / "precious")
    elif what == "dangling":
        target.symlink_to(root / "made-through-a-link")
    elif what == "folder":
        target.mkdir()
    elif what == "sqlite":
        sqlite3.connect(target).execute("CREATE TABLE u (y)").connection.close()
    elif what == "database":
        os.link(office, target)
    elif what == "database-link":
        target.symlink_to(office)
    return office, target


@settings(max_examples=60, deadline=None)
@given(what=st.sampled_from(PLANTS), force=st.booleans(), data=st.binary(max_size=4096))
def test_a_write_is_whole_and_private_or_refused_and_changes_nothing(what: str, force: bool,
                                                                     data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        office, target = _plant(root, what)
        before = _snapshot(root)
        allowed = what == "nothing" or (what == "file" and force)
        try:
            files.write_file(str(target), data, force=force, protected=files.protected_paths(str(office)))
        except FileRefused:
            assert not allowed, what
            assert _snapshot(root) == before
            return
        assert allowed, what
        assert target.read_bytes() == data and not target.is_symlink()
        assert stat.S_IMODE(os.lstat(target).st_mode) == 0o600
        after = _snapshot(root)
        del after[str(target)]
        assert after == {k: v for k, v in before.items() if k != str(target)}


@settings(deadline=None)  # files on a loaded machine: never a timing assertion
@given(rows=st.integers(0, 3), limit=st.integers(1, 64))
def test_read_limited_refuses_exactly_what_is_over_the_limit(rows: int, limit: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.csv"
        data = b"x" * (rows * 20)
        path.write_bytes(data)
        if len(data) > limit:
            with pytest.raises(FileRefused):
                files.read_limited(str(path), limit, "results file")
        else:
            assert files.read_limited(str(path), limit, "results file") == data


def test_claim_empty_folder(tmp_path: Path) -> None:
    made = tmp_path / "new"
    assert files.claim_empty_folder(str(made)) is True
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert files.claim_empty_folder(str(made)) is False  # empty and ours: accepted
    (made / "x").write_text("")
    with pytest.raises(FileRefused, match="not empty"):
        files.claim_empty_folder(str(made))
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(FileRefused, match="symbolic link"):
        files.claim_empty_folder(str(tmp_path / "link"))
    assert not (tmp_path / "elsewhere").exists()


def test_a_secret_file_open_to_others_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret\nignored\n")
    secret.chmod(0o600)
    assert files.read_secret(str(secret), "password file") == "s3cret"
    for mode in (0o640, 0o604, 0o620):
        secret.chmod(mode)
        with pytest.raises(FileRefused, match="chmod 600") as refused:
            files.read_secret(str(secret), "password file")
        assert "s3cret" not in refused.value.message
    secret.chmod(0o600)
    (tmp_path / "link").symlink_to(secret)
    with pytest.raises(FileRefused, match="symbolic link"):
        files.read_secret(str(tmp_path / "link"), "password file")
