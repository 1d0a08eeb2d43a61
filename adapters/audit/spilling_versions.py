"""The verifier's stream-version map in bounded memory.

The most recently touched streams (up to `memory_limit`, about 150 bytes each)
stay in a dict; when it is full, the least recently touched tenth moves to a
private temporary SQLite database (16-byte key + version per stream, page
cache capped at 1 MiB, deleted when closed). Card streams are short-lived, so
lookups almost always hit the dict; memory stays flat however many streams an
export has, and the map stays exact.
"""

from __future__ import annotations

import sqlite3

from ektp.application.ports.stream_versions import StreamVersions


class SpillingStreamVersions(StreamVersions):
    """Last version per stream: recent ones in memory, the rest spilled to disk."""

    def __init__(self, memory_limit: int = 20_000) -> None:
        self._limit = memory_limit
        self._recent: dict[str, int] = {}  # insertion order: least recently touched first
        self._db: sqlite3.Connection | None = None
        self.spilled = 0

    def get(self, stream: str) -> int | None:
        """The last version seen of `stream`, or None."""
        version = self._recent.get(stream)
        if version is not None or self._db is None:
            return version
        row = self._db.execute("SELECT version FROM last WHERE stream=?", (_key(stream),)).fetchone()
        return None if row is None else int(row[0])

    def set(self, stream: str, version: int) -> None:
        """Remember `version` as the last of `stream`."""
        recent = self._recent
        recent.pop(stream, None)
        recent[stream] = version
        if len(recent) > self._limit:
            self._spill(max(1, self._limit // 10))

    def _spill(self, how_many: int) -> None:
        if self._db is None:
            # "" opens a private temporary database that SQLite deletes on close.
            self._db = sqlite3.connect("", isolation_level=None)
            self._db.execute("PRAGMA cache_size=-1024")
            self._db.execute("PRAGMA journal_mode=OFF")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE last (stream BLOB PRIMARY KEY, version INTEGER) WITHOUT ROWID")
        oldest = []
        for stream in self._recent:
            oldest.append(stream)
            if len(oldest) == how_many:
                break
        rows = [(_key(s), self._recent.pop(s)) for s in oldest]
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO last VALUES (?, ?)", rows)
        self._db.execute("COMMIT")
        self.spilled += len(rows)

    def close(self) -> None:
        """Drop the map and its temporary database."""
        self._recent.clear()
        if self._db is not None:
            self._db.close()
            self._db = None


def _key(stream: str) -> bytes:
    # Streams reach here already checked as lowercase UUIDs: 16 bytes each on disk.
    return bytes.fromhex(stream.replace("-", ""))
