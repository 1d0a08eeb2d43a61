"""The audit source port: reading an export's files."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import Protocol


class AuditSource(Protocol):
    """An export as bytes; a missing or unreadable file raises a named error."""

    @abstractmethod
    def manifest(self) -> bytes:
        """The bytes of ``manifest.json``."""

    @abstractmethod
    def signature(self) -> bytes | None:
        """The bytes of ``manifest.sig``, or None if there is none."""

    @abstractmethod
    def lines(self) -> Iterator[bytes]:
        """The lines of ``events.jsonl`` in order, each with its newline (the last
        may lack it); together exactly the file's bytes."""

    @abstractmethod
    def size(self) -> int:
        """The size of ``events.jsonl`` in bytes (for progress)."""
