"""How events become stored JSON and back.

Stored form: the event's fields as JSON (datetimes ISO 8601, UUIDs as text,
value objects as objects, enums as their values). Reading calls the event
class's own constructor, whose converters restore the types; events carry no
validators, so history always reads back whatever rules say today. With the
office's cipher key, that JSON is stored encrypted (`ektp.adapters.event_store.cipher`),
and its personal fields are first encrypted under their data subject's own key
(`ektp.adapters.event_store.subjects`).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Cipher, Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic


def plain(value: Any) -> Any:
    """The JSON-ready form of one field value that json cannot encode by itself."""
    if isinstance(value, dt.date):  # datetimes too: a datetime is a date
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if attrs.has(type(value)):
        return {f.name: getattr(value, f.name) for f in attrs.fields(type(value))}
    raise TypeError(f"cannot store a {type(value).__name__}")


class EventTranscoder(Transcoder):
    """Compact JSON with `plain` for the types json does not know."""

    def __init__(self) -> None:
        self._encoder = json.JSONEncoder(default=plain, separators=(",", ":"), ensure_ascii=False)
        self._decoder = json.JSONDecoder()

    def encode(self, obj: Any) -> bytes:
        """Encode a dict of event fields."""
        return self._encoder.encode(obj).encode("utf-8")

    def decode(self, data: bytes) -> Any:
        """Decode what `encode` wrote."""
        return self._decoder.decode(data.decode("utf-8"))


@lru_cache(maxsize=None)
def _event_class(topic: str) -> type[Any]:
    return resolve_topic(topic)  # type: ignore[no-any-return]


# What an encrypted payload starts with (`ektp.adapters.event_store.cipher`): no JSON
# text begins with a NUL, so a payload without it is one written before encryption.
CIPHER_MARKER = b"\x00ek1"


def encrypted_key_id(state: bytes) -> str | None:
    """The id of the key `state` is encrypted with, or None for a plain payload."""
    if state[:len(CIPHER_MARKER)] != CIPHER_MARKER:
        return None
    return state[len(CIPHER_MARKER):len(CIPHER_MARKER) + 8].hex()


class AttrsEventMapper(Mapper[UUID]):
    """Maps frozen attrs events to stored events and back through their constructors;
    with a `cipher` (eventsourcing's, from its environment), payloads are encrypted."""

    def __init__(self, cipher: Cipher | None = None) -> None:
        super().__init__(transcoder=EventTranscoder(), cipher=cipher)
        # The per-subject keys of personal fields (`subjects.SubjectCipher`), set by the
        # store when it has the office's cipher key and a database to keep them in.
        self.subjects: Any = None

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        """The stored form of `domain_event`."""
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        topic = get_topic(type(domain_event))
        if self.subjects is not None:
            state = self.subjects.seal(topic, state)
        data = self.transcoder.encode(state)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=self.cipher.encrypt(data) if self.cipher is not None else data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """Rebuild the event, upcasting older shapes (``upcast_vN_vN+1``) first."""
        data = stored_event.state
        key_id = encrypted_key_id(data)
        if key_id is not None:
            if self.cipher is None:
                from ektp.application.errors import CipherKeyMissing

                raise CipherKeyMissing(key_id=key_id)
            data = self.cipher.decrypt(data)  # CipherKeyWrong names both keys
        try:
            cls = _event_class(stored_event.topic)
            state: dict[str, Any] = self.transcoder.decode(data)
            if self.subjects is not None and self.subjects.opens(stored_event.topic):
                state = self.subjects.open(state)  # an erased subject's fields: `Erased`
            from_version = state.pop("class_version", 1)
            class_version = getattr(cls, "class_version", 1)
            while from_version < class_version:
                getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
                from_version += 1
            return cls(  # type: ignore[no-any-return]
                originator_id=stored_event.originator_id,
                originator_version=stored_event.originator_version,
                **state,
            )
        except Exception as error:
            msg = (
                f"cannot read stored event {stored_event.topic} "
                f"v{stored_event.originator_version} of {stored_event.originator_id}: {error}"
            )
            raise MapperDeserialisationError(msg) from error
