"""An export's files in a folder: ``events.jsonl``, ``manifest.json``, ``manifest.sig``.

Writing goes to ``*.partial`` files renamed at the end, manifest last, so an
interrupted export leaves no manifest and never passes verification.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

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
    """Writes an export into `folder` (created on the first write; refused if it holds an export)."""

    def __init__(self, folder: str) -> None:
        self._folder = folder
        self._created = not os.path.isdir(folder)
        self._events: BinaryIO | None = None
        if any(os.path.exists(self._path(n)) for n in (EVENTS, MANIFEST, SIGNATURE)):
            raise AuditOutputExists(path=folder)

    def _path(self, name: str) -> str:
        return os.path.join(self._folder, name)

    def write_events(self, chunk: bytes) -> None:
        """Append lines to events.jsonl.partial."""
        try:
            if self._events is None:
                os.makedirs(self._folder, exist_ok=True)
                self._events = open(self._path(EVENTS + ".partial"), "wb", buffering=_BUFFER)
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
            os.replace(self._path(EVENTS + ".partial"), self._path(EVENTS))
            if signature is not None:
                self._write(SIGNATURE, signature)
            self._write(MANIFEST, manifest)
        except OSError as error:
            raise AuditFilesUnavailable(path=self._folder, reason=_reason(error)) from None

    def _write(self, name: str, data: bytes) -> None:
        partial = self._path(name + ".partial")
        with open(partial, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, self._path(name))

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
            raise AuditCheckFailed(where=name, reason=f"it is larger than {MAX_MANIFEST} bytes")
        return data

    def manifest(self) -> bytes:
        """The bytes of manifest.json."""
        data = self._read_small(MANIFEST)
        if data is None:
            raise AuditCheckFailed(where=MANIFEST, reason=f"there is no {MANIFEST} in {self._folder}")
        return data

    def signature(self) -> bytes | None:
        """The bytes of manifest.sig, or None."""
        return self._read_small(SIGNATURE)

    def lines(self) -> Iterator[bytes]:
        """The lines of events.jsonl, read in bounded pieces (at most `MAX_LINE` bytes each)."""
        try:
            file = open(self._path(EVENTS), "rb", buffering=_BUFFER)
        except FileNotFoundError:
            raise AuditCheckFailed(where=EVENTS, reason=f"there is no {EVENTS} in {self._folder}") from None
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
