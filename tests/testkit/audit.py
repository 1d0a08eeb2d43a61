"""Helpers for audit tests: in-memory sink and source (subclassing the ports), a
recorded scenario, and a forger that re-chains edited lines consistently."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from ektp.adapters.clocks import ScriptedClock
from ektp.application.audit.canonical import ZERO_HASH, canonical, sha256_hex
from ektp.application.audit.manifest import Manifest
from ektp.application.office import Office
from ektp.application.ports.audit_sink import AuditSink
from ektp.application.ports.audit_source import AuditSource
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office
from ektp.entrypoints.demo_scenario import DemoCounter, run_scenario

HEAD = Actor("kepala", Role.HEAD)
KEY = bytes(range(32))


class MemorySink(AuditSink):
    """Keeps an export's bytes."""

    def __init__(self) -> None:
        self.events = b""
        self.manifest: bytes | None = None
        self.signature: bytes | None = None
        self.aborted = False

    def write_events(self, chunk: bytes) -> None:
        self.events += chunk

    def finish(self, manifest: bytes, signature: bytes | None) -> None:
        self.manifest, self.signature = manifest, signature

    def abort(self) -> None:
        self.aborted = True

    def source(self) -> MemorySource:
        assert self.manifest is not None
        return MemorySource(self.events, self.manifest, self.signature)


class MemorySource(AuditSource):
    """An export held in bytes."""

    def __init__(self, events: bytes, manifest: bytes, signature: bytes | None = None) -> None:
        self.events, self.manifest_bytes, self.signature_bytes = events, manifest, signature

    def manifest(self) -> bytes:
        return self.manifest_bytes

    def signature(self) -> bytes | None:
        return self.signature_bytes

    def lines(self) -> Iterator[bytes]:
        yield from self.events.splitlines(keepends=True)

    def size(self) -> int:
        return len(self.events)


def scenario_office(url: str = "memory://") -> Office:
    """An office holding the Jombang launch scenario (8 cards, about 50 card events),
    opened as the demo opens it: its invented staff signed in at its counter."""
    clock = ScriptedClock(dt.datetime(2017, 11, 6, tzinfo=dt.timezone.utc))
    office = open_office(url, clock=clock, identity=DemoCounter())
    run_scenario(office, clock)
    return office


def export(office: Office, **options: Any) -> MemorySink:
    """Export `office` into memory (pseudonymised with `KEY` unless told otherwise)."""
    sink = MemorySink()
    options.setdefault("audit_key", KEY)
    office.export_audit(HEAD, sink, **options)
    return sink


def objects(events: bytes) -> list[dict[str, Any]]:
    """The lines of an events file as objects."""
    return [json.loads(line) for line in events.splitlines()]


def forge(objs: list[dict[str, Any]], manifest: Manifest | None = None,
          start_hash: str = ZERO_HASH) -> tuple[bytes, bytes]:
    """Re-chain edited line objects and write a matching manifest: a consistent forgery."""
    prev = start_hash
    lines = []
    for obj in objs:
        body = {k: v for k, v in obj.items() if k != "hash"}
        body["prev"] = prev
        prev = sha256_hex(canonical(body))
        lines.append(canonical({**body, "hash": prev}) + b"\n")
    events = b"".join(lines)
    base = manifest or Manifest(office="35.17", created="2017-11-14T09:00:00.000000Z", first_seq=1,
                                last_seq=1, count=1, start_hash=start_hash, end_hash=prev,
                                events_sha256="", personal_data="pseudonymised")
    def seq(obj: dict[str, Any]) -> Any:
        return obj.get("seq", 1)

    created = objs[-1].get("time")
    forged = Manifest(office=base.office, created=created if isinstance(created, str) else base.created,
                      first_seq=seq(objs[0]), last_seq=seq(objs[-1]), count=len(objs), start_hash=start_hash,
                      end_hash=prev, events_sha256=hashlib.sha256(events).hexdigest(),
                      personal_data=base.personal_data)
    return events, forged.file_bytes()
