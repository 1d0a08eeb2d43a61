"""Helpers for audit tests: in-memory sink and source (subclassing the ports), a
recorded scenario, and a forger that re-chains (and renumbers, and re-roots) edited
lines consistently."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from testkit.keys import TEST_AUDIT_KEY

from ektp.adapters.clocks import ScriptedClock
from ektp.application.audit.canonical import ZERO_HASH, canonical, sha256_hex
from ektp.application.audit.manifest import Manifest
from ektp.application.audit.merkle import CompactRange, leaf_hash
from ektp.application.office import Office
from ektp.application.ports.audit_sink import AuditSink
from ektp.application.ports.audit_source import AuditSource
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office
from ektp.entrypoints.demo_scenario import DemoCounter, run_scenario

HEAD = Actor("kepala", Role.HEAD)
KEY = TEST_AUDIT_KEY


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


# The scenario's own operator (the demo's counter signs in the demo's staff only).
DEMO_OPERATOR = Actor("op.wulan", Role.OPERATOR)


def demo_office(url: str, **options: Any) -> Office:
    """Another office on the store of a `scenario_office`, opened as the demo's counter
    (its staff signed in) with the test audit key unless `options` say otherwise."""
    options.setdefault("audit_key", KEY)
    options.setdefault("identity", DemoCounter())
    return open_office(url, **options)


def scenario_office(url: str = "memory://") -> Office:
    """An office holding the Jombang launch scenario (8 cards, about 50 card events),
    opened as the demo opens it: its invented staff signed in at its counter."""
    clock = ScriptedClock(dt.datetime(2017, 11, 6, tzinfo=dt.timezone.utc))
    office = open_office(url, clock=clock, audit_key=KEY, identity=DemoCounter())
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
          start_hash: str = ZERO_HASH, renumber: bool = True) -> tuple[bytes, bytes]:
    """Re-chain edited line objects and write a matching manifest: a consistent forgery,
    as an insider with the signing key would make it. ``ektp-audit/2`` lines (with a
    ``leaf``) are renumbered from the manifest's start_size (unless `renumber` is False)
    and the manifest gets the root their leaves make."""
    base = manifest or Manifest(office="35.17", created="2017-11-14T09:00:00.000000Z", first_seq=1,
                                last_seq=1, count=1, start_hash=start_hash, end_hash=ZERO_HASH,
                                events_sha256="", personal_data="pseudonymised")
    v2 = any("leaf" in obj for obj in objs) or base.is_v2
    tree = base.start_tree() if v2 and base.start_size is not None else CompactRange()
    start_size = tree.size
    prev = start_hash
    lines = []
    for n, obj in enumerate(objs):
        body = {k: v for k, v in obj.items() if k != "hash"}
        body["prev"] = prev
        if v2 and renumber:
            body["leaf"] = start_size + n
        if v2:
            tree.append(leaf_hash(canonical({k: v for k, v in body.items() if k not in ("prev", "inserted_by")})))
        prev = sha256_hex(canonical(body))
        lines.append(canonical({**body, "hash": prev}) + b"\n")
    events = b"".join(lines)

    def seq(obj: dict[str, Any]) -> Any:
        return obj.get("seq", 1)

    created = objs[-1].get("time")
    tree_fields: dict[str, Any] = (
        {"format": "ektp-audit/2", "start_size": start_size,
         "start_frontier": base.start_frontier or (), "tree_size": tree.size, "root": tree.root().hex()}
        if v2 else {"format": "ektp-audit/1", "start_size": None, "start_frontier": None})
    forged = Manifest(office=base.office, created=created if isinstance(created, str) else base.created,
                      first_seq=seq(objs[0]), last_seq=seq(objs[-1]), count=len(objs), start_hash=start_hash,
                      end_hash=prev, events_sha256=hashlib.sha256(events).hexdigest(),
                      personal_data=base.personal_data, **tree_fields)
    return events, forged.file_bytes()
