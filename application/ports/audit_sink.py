"""The audit sink port: where an export's files are written."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class AuditSink(Protocol):
    """Receives an export's bytes; nothing counts as written until `finish`."""

    @abstractmethod
    def write_events(self, chunk: bytes) -> None:
        """Append whole lines to ``events.jsonl``."""

    @abstractmethod
    def finish(self, manifest: bytes, signature: bytes | None) -> None:
        """Write ``manifest.json`` (and ``manifest.sig`` if given) and make the export whole."""

    @abstractmethod
    def abort(self) -> None:
        """Remove whatever was written: the export failed."""
