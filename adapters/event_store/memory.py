"""eventsourcing's in-memory (POPO) store, with the write guard ektp's door relies on.

`unchanged=((stream, version), ...)` given to `insert_events` makes the write
happen only if each stream is still at that version, checked under the
recorder's lock with the uniqueness check (see `kernel.authority`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from ektp.application.kernel.authority import GrantChanged


class GuardedPOPOApplicationRecorder(POPOApplicationRecorder):
    """The POPO application recorder with guarded writes and a quick stream version."""

    guards_streams = True

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)
        for stream, version in kwargs.get("unchanged", ()):
            if self._version(stream) != version:
                raise GrantChanged(f"stream {stream} is no longer at version {version}")

    def _version(self, stream: UUID | str) -> int:
        index = self._stored_events_index.get(str(stream))
        return max(index) if index else 0

    def max_version(self, stream: UUID | str) -> int:
        """The stream's latest version (0 if it has no events)."""
        with self._database_lock:
            return self._version(stream)


class MemoryFactory(POPOFactory):
    """The POPO infrastructure factory with `GuardedPOPOApplicationRecorder`."""

    def application_recorder(self) -> ApplicationRecorder:
        """The guarded recorder."""
        return GuardedPOPOApplicationRecorder()
