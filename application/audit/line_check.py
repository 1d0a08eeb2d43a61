"""Checking the lines of ``events.jsonl`` one by one, in one pass.

`LineChecker.check` takes the raw bytes of each line in order and either
returns the parsed line or raises `AuditCheckFailed` naming the line and the
first rule it breaks: canonical JSON of exactly the format's keys and types,
its hash, its link to the previous line, ``seq`` order, and each stream's
versions consecutive. Memory: the stream-version map only (see its port).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ektp.application.audit.aggregates import AGGREGATES
from ektp.application.audit.canonical import HEX64, canonical, parse_time, sha256_hex
from ektp.application.audit.canonical import FORMAT_V1
from ektp.application.audit.lines import KEYS, KEYS_V1, AuditLine
from ektp.application.audit.strict_json import NotStrictJson, load_fast, load_strict
from ektp.application.errors import AuditCheckFailed
from ektp.application.ports.stream_versions import StreamVersions

MAX_LINE = 1 << 20  # a line longer than 1 MiB is refused unread
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# A login as the store recorded it: printable, no quote or backslash, at most 128.
_LOGIN = re.compile(r'[^"\\\x00-\x1f\x7f]{1,128}')


class _Bad(Exception):
    """A reason a line fails (turned into `AuditCheckFailed` with its number)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class LineChecker:
    """Checks successive lines against the chain that starts at `start_hash`.

    `from_start` (the export begins at the store's first event) requires every
    stream's first line to be its version 1; a continued export may meet a
    stream mid-way, and then checks consecutiveness from there on.
    """

    def __init__(self, start_hash: str, versions: StreamVersions, *, from_start: bool,
                 format: str = FORMAT_V1) -> None:
        self.keys = KEYS_V1 if format == FORMAT_V1 else KEYS
        self.prev_hash = start_hash
        self.prev_seq = 0
        self.count = 0
        self.first_seq: int | None = None
        self._versions = versions
        self._from_start = from_start

    def check(self, raw: bytes) -> AuditLine:
        """The next line, parsed, or `AuditCheckFailed` naming it and why it fails."""
        number = self.count + 1
        try:
            line = self._check(number, raw)
        except _Bad as bad:
            raise AuditCheckFailed(where=f"events.jsonl line {number}", reason=str(bad)) from None
        self.count = number
        self.prev_hash = line.hash
        self.prev_seq = line.seq
        if self.first_seq is None:
            self.first_seq = line.seq
        return line

    def _check(self, number: int, raw: bytes) -> AuditLine:
        if not raw.endswith(b"\n"):
            if len(raw) >= MAX_LINE:
                raise _Bad(f"the line is longer than {MAX_LINE} bytes")
            raise _Bad("the line does not end with a newline (is the file cut short?)")
        body = raw[:-1]
        try:
            obj = load_fast(body)
        except NotStrictJson as error:
            raise _Bad(str(error)) from None
        if not isinstance(obj, dict):
            raise _Bad("the line is not a JSON object")
        time = _check_shape(obj, self.keys)
        try:
            exact = canonical(obj)
        except ValueError as error:
            raise _Bad(str(error)) from None
        if exact != body:
            _explain_not_canonical(body)
        claimed: str = obj["hash"]
        # The line is canonical and every member after "hash" is a plain validated
        # value (`inserted_by` is a string without quotes or backslashes), so the
        # last ',"hash":"' is the top-level one: cutting that member out gives the
        # canonical form of the line without it.
        cut = body.rfind(b',"hash":"')
        if sha256_hex(body[:cut] + body[cut + 74:]) != claimed:
            raise _Bad("its hash does not match its content (the line was altered)")
        if obj["prev"] != self.prev_hash:
            link = "the manifest's start_hash" if number == 1 else f"the hash of line {number - 1}"
            raise _Bad(f"its prev is not {link} (a line was removed, inserted or moved)")
        if obj["seq"] <= self.prev_seq:
            raise _Bad(f"seq {obj['seq']} does not come after seq {self.prev_seq}")
        self._check_version(obj["stream"], obj["version"])
        return AuditLine(number=number, seq=obj["seq"], stream=obj["stream"],
                         aggregate=obj["aggregate"], version=obj["version"], type=obj["type"],
                         time=time, actor=obj["actor"], data=obj["data"], hash=claimed,
                         inserted_by=obj.get("inserted_by"))

    def _check_version(self, stream: str, version: int) -> None:
        last = self._versions.get(stream)
        if last is None:
            if self._from_start and version != 1:
                raise _Bad(f"stream {stream} starts at version {version}, not 1")
        elif version != last + 1:
            raise _Bad(f"stream {stream} jumps from version {last} to {version}")
        self._versions.set(stream, version)


def _explain_not_canonical(body: bytes) -> None:
    """Raise the most precise reason a parsed line is not in canonical form."""
    try:
        load_strict(body)  # a key twice is only visible to the strict reader
    except NotStrictJson as error:
        raise _Bad(str(error)) from None
    raise _Bad("the line is not in canonical form (sorted keys, no spaces, UTF-8 without escapes)")


def _check_shape(obj: dict[str, Any], keys: tuple[str, ...]) -> dt.datetime:
    """Exactly the format's keys with the right types; returns the parsed time."""
    for key in keys:
        if key not in obj:
            raise _Bad(f"the key {key!r} is missing")
    if len(obj) != len(keys):
        extra = sorted(set(obj) - set(keys))[0]
        raise _Bad(f"it has a key the format does not define: {extra[:40]!r}")
    inserter = obj.get("inserted_by")
    if inserter is not None and not (isinstance(inserter, str) and _LOGIN.fullmatch(inserter)):
        raise _Bad("inserted_by is neither null nor a login (1-128 characters, no quotes, "
                   "backslashes or control characters)")
    if not _is_int(obj["seq"]) or obj["seq"] < 1:
        raise _Bad("seq is not a whole number of at least 1")
    if not _is_int(obj["version"]) or obj["version"] < 1:
        raise _Bad("version is not a whole number of at least 1")
    stream = obj["stream"]
    if not isinstance(stream, str) or not _UUID.fullmatch(stream):
        raise _Bad("stream is not a lowercase UUID")
    if not isinstance(obj["aggregate"], str) or obj["aggregate"] not in AGGREGATES:
        raise _Bad("aggregate is not one of: " + ", ".join(sorted(AGGREGATES)))
    if not isinstance(obj["type"], str) or not obj["type"].isidentifier():
        raise _Bad("type is not an event name")
    time = parse_time(obj["time"]) if isinstance(obj["time"], str) else None
    if time is None:
        raise _Bad("time is not a UTC time like 2017-11-14T03:00:00.000000Z")
    actor = obj["actor"]
    if not (isinstance(actor, dict) and set(actor) == {"id", "role"}
            and all(isinstance(v, str) for v in actor.values())):
        raise _Bad('actor is not an object {"id": ..., "role": ...} of two strings')
    if not isinstance(obj["data"], dict):
        raise _Bad("data is not a JSON object")
    for key in ("prev", "hash"):
        if not isinstance(obj[key], str) or not HEX64.fullmatch(obj[key]):
            raise _Bad(f"{key} is not 64 lowercase hex digits")
    return time


class InMemoryStreamVersions(StreamVersions):
    """The whole map in a dict: for small exports and tests (memory grows with streams)."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def get(self, stream: str) -> int | None:
        """The last version seen of `stream`, or None."""
        return self._last.get(stream)

    def set(self, stream: str, version: int) -> None:
        """Remember `version` as the last of `stream`."""
        self._last[stream] = version

    def close(self) -> None:
        """Forget everything."""
        self._last.clear()
