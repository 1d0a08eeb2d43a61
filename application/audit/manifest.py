"""``manifest.json``: what an export covers and how its chain begins and ends."""

from __future__ import annotations

import json
from typing import Any

import attrs

from ektp.application.audit.canonical import FORMAT, FORMATS, HEX64, canonical, parse_time
from ektp.application.audit.strict_json import NotStrictJson, load_strict
from ektp.application.errors import AuditCheckFailed

PERSONAL_DATA_MODES = ("pseudonymised", "revealed")
_FIELDS = ("format", "office", "created", "first_seq", "last_seq", "count", "start_hash",
           "end_hash", "events_sha256", "personal_data")


@attrs.frozen
class Manifest:
    """The fields of ``manifest.json`` (docs/audit-format.md)."""

    office: str
    created: str
    first_seq: int
    last_seq: int
    count: int
    start_hash: str
    end_hash: str
    events_sha256: str
    personal_data: str
    format: str = FORMAT

    def as_dict(self) -> dict[str, Any]:
        """The manifest as a JSON object."""
        return {name: getattr(self, name) for name in _FIELDS}

    def canonical(self) -> bytes:
        """The canonical form: the bytes a signature covers."""
        return canonical(self.as_dict())

    def file_bytes(self) -> bytes:
        """What ``manifest.json`` holds: the object with sorted keys, indented, UTF-8."""
        text = json.dumps(self.as_dict(), sort_keys=True, indent=2, ensure_ascii=False)
        return (text + "\n").encode("utf-8")


def parse_manifest(raw: bytes, where: str = "manifest.json") -> Manifest:
    """Read and check a manifest; raise `AuditCheckFailed` naming the first problem."""

    def fail(reason: str) -> AuditCheckFailed:
        return AuditCheckFailed(where=where, reason=reason)

    try:
        obj = load_strict(raw)
    except NotStrictJson as error:
        raise fail(str(error)) from None
    if not isinstance(obj, dict):
        raise fail("it is not a JSON object")
    missing = [name for name in _FIELDS if name not in obj]
    if missing:
        raise fail(f"the field {missing[0]} is missing")
    extra = sorted(set(obj) - set(_FIELDS))
    if extra:
        raise fail(f"it has a field the format does not define: {extra[0][:40]!r}")
    if obj["format"] not in FORMATS:
        raise fail(f"its format is {str(obj['format'])[:40]!r}, not one of "
                   + ", ".join(repr(f) for f in FORMATS))
    for name in ("office", "created", "personal_data"):
        if not isinstance(obj[name], str):
            raise fail(f"{name} is not a string")
    if parse_time(obj["created"]) is None:
        raise fail("created is not a UTC time like 2017-11-14T03:00:00.000000Z")
    if obj["personal_data"] not in PERSONAL_DATA_MODES:
        raise fail("personal_data is neither 'pseudonymised' nor 'revealed'")
    for name in ("first_seq", "last_seq", "count"):
        value = obj[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise fail(f"{name} is not a whole number of at least 1")
    if obj["first_seq"] > obj["last_seq"]:
        raise fail("first_seq is after last_seq")
    if obj["count"] > obj["last_seq"] - obj["first_seq"] + 1:
        raise fail("count is more than the seq range can hold")
    for name in ("start_hash", "end_hash", "events_sha256"):
        if not isinstance(obj[name], str) or not HEX64.fullmatch(obj[name]):
            raise fail(f"{name} is not 64 lowercase hex digits")
    return Manifest(**obj)
