"""An export's files in a folder: ``events.jsonl``, ``manifest.json``, ``manifest.sig``.

Writing goes to ``*.partial`` files given their names at the end, manifest last, so
an interrupted export leaves no manifest and never passes verification. An export
goes only into a new folder (made 0700 here) or an empty one of this user's that no
one else can write to; every file in it is opened with ``O_EXCL | O_NOFOLLOW`` and
named by a hard link that fails if anything appeared under that name, so a symbolic
link planted in the folder can never send a write to its target (`ektp.adapters.files`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

from ektp.application.kernel.i18n import _
from ektp.adapters.files import settle
from ektp.application.audit.line_check import MAX_LINE
from ektp.application.errors import AuditCheckFailed, AuditFilesUnavailable, AuditOutputExists
from ektp.application.ports.audit_sink import AuditSink
from ektp.application.ports.audit_source import AuditSource

EVENTS, MANIFEST, SIGNATURE = "events.jsonl", "manifest.json", "manifest.sig"
MAX_MANIFEST = 1 << 16
_BUFFER = 1 << 20


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


class DirectorySink(AuditSink):
    """Writes an export into `folder`: a new one (made, private, at the first write) or an
    empty one; `AuditOutputExists` if it holds an export, `FileRefused` if it holds
    anything else."""

    def __init__(self, folder: str) -> None:
        from ektp.adapters.files import claim_empty_folder

        self._folder = folder
        self._events: BinaryIO | None = None
        if not os.path.islink(folder) and any(
                os.path.isfile(self._path(n)) and not os.path.islink(self._path(n))
                for n in (EVENTS, MANIFEST, SIGNATURE)):
            raise AuditOutputExists(path=folder)
        # A folder that exists is checked now; a new one is made at the first write, so
        # that an export refused before it starts (no key, no permission) leaves none.
        self._created = False
        self._claimed = os.path.lexists(folder) and not claim_empty_folder(folder)

    def _path(self, name: str) -> str:
        return os.path.join(self._folder, name)

    def write_events(self, chunk: bytes) -> None:
        """Append lines to events.jsonl.partial."""
        try:
            if self._events is None:
                from ektp.adapters.files import claim_empty_folder, open_new

                if not self._claimed:
                    self._created = claim_empty_folder(self._folder)
                    self._claimed = True
                fd = open_new(self._path(EVENTS + ".partial"))
                self._events = os.fdopen(fd, "wb", buffering=_BUFFER)
            self._events.write(chunk)
        except OSError as error:
            raise AuditFilesUnavailable(path=self._folder, reason=_reason(error)) from None

    def finish(self, manifest: bytes, signature: bytes | None) -> None:
        """Flush everything to disk, then put the files in place, the manifest last."""
        if self._events is None:
            self.write_events(b"")
        assert self._events is not None
        try:
            self._events.flush()
            os.fsync(self._events.fileno())
            self._events.close()
            self._events = None
            settle(self._path(EVENTS + ".partial"), self._path(EVENTS), replace=False)
            if signature is not None:
                self._write(SIGNATURE, signature)
            self._write(MANIFEST, manifest)
        except OSError as error:
            raise AuditFilesUnavailable(path=self._folder, reason=_reason(error)) from None

    def _write(self, name: str, data: bytes) -> None:
        from ektp.adapters.files import new_file_in

        with new_file_in(self._folder, name + ".partial") as fd:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        settle(self._path(name + ".partial"), self._path(name), replace=False)

    def abort(self) -> None:
        """Remove the partial files (and the folder, if this sink created it)."""
        if self._events is not None:
            self._events.close()
            self._events = None
        for name in (EVENTS, MANIFEST, SIGNATURE):
            try:
                os.remove(self._path(name + ".partial"))
            except OSError:
                pass
        if self._created:
            try:
                os.rmdir(self._folder)
            except OSError:
                pass


class DirectorySource(AuditSource):
    """Reads an export from `folder`; a missing file is an `AuditCheckFailed` naming it."""

    def __init__(self, folder: str) -> None:
        self._folder = folder

    def _path(self, name: str) -> str:
        return os.path.join(self._folder, name)

    def _read_small(self, name: str) -> bytes | None:
        try:
            with open(self._path(name), "rb") as file:
                data = file.read(MAX_MANIFEST + 1)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise AuditFilesUnavailable(path=self._path(name), reason=_reason(error)) from None
        if len(data) > MAX_MANIFEST:
            raise AuditCheckFailed(where=name, reason=_(
                "it is larger than {max_manifest} bytes").format(
                    max_manifest=MAX_MANIFEST))
        return data

    def manifest(self) -> bytes:
        """The bytes of manifest.json."""
        data = self._read_small(MANIFEST)
        if data is None:
            raise AuditCheckFailed(where=MANIFEST, reason=_(
                "there is no {manifest} in {folder}").format(
                    manifest=MANIFEST, folder=self._folder))
        return data

    def signature(self) -> bytes | None:
        """The bytes of manifest.sig, or None."""
        return self._read_small(SIGNATURE)

    def lines(self) -> Iterator[bytes]:
        """The lines of events.jsonl, read in bounded pieces (at most `MAX_LINE` bytes each)."""
        try:
            file = open(self._path(EVENTS), "rb", buffering=_BUFFER)
        except FileNotFoundError:
            raise AuditCheckFailed(where=EVENTS, reason=_(
                "there is no {events} in {folder}").format(
                    events=EVENTS, folder=self._folder)) from None
        except OSError as error:
            raise AuditFilesUnavailable(path=self._path(EVENTS), reason=_reason(error)) from None
        with file:
            readline = file.readline
            while True:
                try:
                    raw = readline(MAX_LINE)
                except OSError as error:
                    raise AuditFilesUnavailable(path=self._path(EVENTS), reason=_reason(error)) from None
                if not raw:
                    return
                yield raw

    def size(self) -> int:
        """The size of events.jsonl (0 if it is missing)."""
        try:
            return os.path.getsize(self._path(EVENTS))
        except OSError:
            return 0
