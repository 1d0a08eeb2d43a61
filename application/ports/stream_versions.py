"""The stream-versions port: the verifier's memory of each stream's last version."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class StreamVersions(Protocol):
    """A map from stream id to the last version seen; implementations bound its memory."""

    @abstractmethod
    def get(self, stream: str) -> int | None:
        """The last version seen of `stream`, or None."""

    @abstractmethod
    def set(self, stream: str, version: int) -> None:
        """Remember `version` as the last of `stream`."""

    @abstractmethod
    def close(self) -> None:
        """Release whatever the map holds (files, memory)."""
