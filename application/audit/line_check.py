"""Checking the lines of ``events.jsonl`` one by one, in one pass.

`LineChecker.check` takes the raw bytes of each line in order and either
returns the parsed line or raises `AuditCheckFailed` naming the line and the
first rule it breaks: canonical JSON of exactly the format's keys and types,
an actor whose role is one of the office's, an aggregate and event type the
format knows, its hash, its link to the previous line, ``seq`` order, each
stream's versions consecutive and its aggregate never changing, and (in
``ektp-audit/2``) its leaf index next in line. For a pseudonymised
``ektp-audit/2`` export it also grows the Merkle tree from the manifest's
start frontier with each line's leaf hash (`tree`), so the export's root and
any checkpoint on the way can be checked. Memory: the stream map only (see its
port) and the tree's frontier.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ektp.application.kernel.i18n import _
from ektp.application.audit.aggregates import AGGREGATES, AGGREGATES_V1, event_class
from ektp.application.audit.canonical import HEX64, canonical, parse_time, sha256_hex
from ektp.application.audit.lines import KEYS_V1, KEYS_V2, AuditLine
from ektp.application.audit.merkle import CompactRange, leaf_hash
from ektp.application.audit.strict_json import NotStrictJson, load_fast, load_strict
from ektp.application.errors import AuditCheckFailed
from ektp.application.ports.stream_versions import StreamVersions
from ektp.domain.actor import Role

MAX_LINE = 1 << 20  # a line longer than 1 MiB is refused unread
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ROLES = frozenset(r.value for r in Role)
_MEMBER = 74  # ,"hash":"<64 hex>"  or  ,"prev":"<64 hex>"
# A stream's last version and aggregate share one stored integer: version << 4 | aggregate.
_AGGREGATE_BITS = 4
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
    stream mid-way, and then checks consecutiveness from there on. With `tree`
    (an ``ektp-audit/2`` export: the frontier before its first line), each
    line's ``leaf`` must be the tree's size, and a pseudonymised export's
    leaves are appended to it (`grow`).
    """

    def __init__(self, start_hash: str, versions: StreamVersions, *, from_start: bool,
                 tree: CompactRange | None = None, grow: bool = False) -> None:
        self.prev_hash = start_hash
        self.prev_seq = 0
        self.count = 0
        self.first_seq: int | None = None
        self.tree = tree
        self._grow = grow and tree is not None
        self._next_leaf = tree.size if tree is not None else None
        self._keys = KEYS_V2 if tree is not None else KEYS_V1
        self._aggregates = AGGREGATES if tree is not None else AGGREGATES_V1
        self._codes = {name: i + 1 for i, name in enumerate(sorted(AGGREGATES))}
        self._names = {code: name for name, code in self._codes.items()}
        self._versions = versions
        self._from_start = from_start

    def check(self, raw: bytes) -> AuditLine:
        """The next line, parsed, or `AuditCheckFailed` naming it and why it fails."""
        number = self.count + 1
        try:
            line = self._check(number, raw)
        except _Bad as bad:
            raise AuditCheckFailed(where=_("events.jsonl line {number}").format(
                number=number), reason=str(bad)) from None
        self.count = number
        self.prev_hash = line.hash
        self.prev_seq = line.seq
        if self.first_seq is None:
            self.first_seq = line.seq
        return line

    def _check(self, number: int, raw: bytes) -> AuditLine:
        if not raw.endswith(b"\n"):
            if len(raw) >= MAX_LINE:
                raise _Bad(_("the line is longer than {max_line} bytes").format(max_line=MAX_LINE))
            raise _Bad(_("the line does not end with a newline (is the file cut short?)"))
        body = raw[:-1]
        try:
            obj = load_fast(body)
        except NotStrictJson as error:
            raise _Bad(str(error)) from None
        if not isinstance(obj, dict):
            raise _Bad(_("the line is not a JSON object"))
        time = self._check_shape(obj)
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
        without_hash = body[:cut] + body[cut + _MEMBER:]
        if sha256_hex(without_hash) != claimed:
            raise _Bad(_("its hash does not match its content (the line was altered)"))
        if obj["prev"] != self.prev_hash:
            link = "the manifest's start_hash" if number == 1 else f"the hash of line {number - 1}"
            raise _Bad(_("its prev is not {link} (a line was removed, inserted or moved)").format(
                link=link))
        if obj["seq"] <= self.prev_seq:
            raise _Bad(_("seq {seq} does not come after seq {prev_seq}").format(
                seq=obj['seq'], prev_seq=self.prev_seq))
        leaf = None
        if self._next_leaf is not None:
            leaf = obj["leaf"]
            if leaf != self._next_leaf:
                raise _Bad(_(
                    "its leaf is {leaf}, not {next_leaf} (leaves are numbered one by one from the "
                    "manifest's start_size)").format(
                        leaf=leaf, next_leaf=self._next_leaf))
            self._next_leaf += 1
            if self._grow:
                assert self.tree is not None
                # Likewise "inserted_by" (a login without quotes, or null) and "prev"
                # are followed by plain values only: without the three members the
                # line is its journal leaf.
                at = without_hash.rfind(b',"inserted_by":')
                end = without_hash.index(b',"leaf":', at)
                rest = without_hash[end:]
                cut = rest.rfind(b',"prev":"')
                self.tree.append(leaf_hash(without_hash[:at] + rest[:cut] + rest[cut + _MEMBER:]))
        self._check_stream(obj["stream"], obj["version"], obj["aggregate"])
        return AuditLine(number=number, seq=obj["seq"], stream=obj["stream"],
                         aggregate=obj["aggregate"], version=obj["version"], type=obj["type"],
                         time=time, actor=obj["actor"], data=obj["data"], hash=claimed, leaf=leaf,
                         inserted_by=obj.get("inserted_by"))

    def _check_stream(self, stream: str, version: int, aggregate: str) -> None:
        code = self._codes[aggregate]
        stored = self._versions.get(stream)
        if stored is None:
            if self._from_start and version != 1:
                raise _Bad(_("stream {stream} starts at version {version}, not 1").format(
                    stream=stream, version=version))
        else:
            last, before = stored >> _AGGREGATE_BITS, stored & ((1 << _AGGREGATE_BITS) - 1)
            if before != code:
                raise _Bad(_(
                    "stream {stream} was a {before} stream; here it is a {aggregate} stream (one "
                    "aggregate per stream)").format(
                        stream=stream, before=self._names.get(before, '?'), aggregate=aggregate))
            if version != last + 1:
                raise _Bad(_("stream {stream} jumps from version {last} to {version}").format(
                    stream=stream, last=last, version=version))
        self._versions.set(stream, version << _AGGREGATE_BITS | code)

    def _check_shape(self, obj: dict[str, Any]) -> dt.datetime:
        """Exactly the format's keys with the right types; returns the parsed time."""
        keys = self._keys
        for key in keys:
            if key not in obj:
                raise _Bad(_("the key {key!r} is missing").format(key=key))
        if len(obj) != len(keys):
            extra = sorted(set(obj) - set(keys))[0]
            raise _Bad(_("it has a key the format does not define: {extra!r}").format(
                extra=extra[:40]))
        if not _is_int(obj["seq"]) or obj["seq"] < 1:
            raise _Bad(_("seq is not a whole number of at least 1"))
        if not _is_int(obj["version"]) or obj["version"] < 1:
            raise _Bad(_("version is not a whole number of at least 1"))
        if "leaf" in keys and (not _is_int(obj["leaf"]) or obj["leaf"] < 0):
            raise _Bad(_("leaf is not a whole number"))
        inserter = obj.get("inserted_by")
        if inserter is not None and not (isinstance(inserter, str) and _LOGIN.fullmatch(inserter)):
            raise _Bad(_("inserted_by is neither null nor a login (1-128 characters, no quotes, "
                       "backslashes or control characters)"))
        stream = obj["stream"]
        if not isinstance(stream, str) or not _UUID.fullmatch(stream):
            raise _Bad(_("stream is not a lowercase UUID"))
        aggregate = obj["aggregate"]
        if not isinstance(aggregate, str) or aggregate not in self._aggregates:
            raise _Bad(_("aggregate is not one of: {aggregates}").format(
                aggregates=", ".join(sorted(self._aggregates))))
        if not isinstance(obj["type"], str) or not obj["type"].isidentifier():
            raise _Bad(_("type is not an event name"))
        if event_class(aggregate, obj["type"]) is None:
            raise _Bad(_("{event_type} is not an event of the {aggregate} aggregate").format(
                event_type=obj['type'][:40], aggregate=aggregate))
        time = parse_time(obj["time"]) if isinstance(obj["time"], str) else None
        if time is None:
            raise _Bad(_("time is not a UTC time like 2017-11-14T03:00:00.000000Z"))
        actor = obj["actor"]
        if not (isinstance(actor, dict) and set(actor) == {"id", "role"}
                and all(isinstance(v, str) for v in actor.values())):
            raise _Bad(_('actor is not an object {"id": ..., "role": ...} of two strings'))
        if actor["role"] not in ROLES:
            raise _Bad(_("the actor's role {role!r} is not one of: {roles}").format(
                role=actor["role"][:20], roles=", ".join(sorted(ROLES))))
        if not isinstance(obj["data"], dict):
            raise _Bad(_("data is not a JSON object"))
        for key in ("prev", "hash"):
            if not isinstance(obj[key], str) or not HEX64.fullmatch(obj[key]):
                raise _Bad(_("{key} is not 64 lowercase hex digits").format(key=key))
        return time


def _explain_not_canonical(body: bytes) -> None:
    """Raise the most precise reason a parsed line is not in canonical form."""
    try:
        load_strict(body)  # a key twice is only visible to the strict reader
    except NotStrictJson as error:
        raise _Bad(str(error)) from None
    raise _Bad(_("the line is not in canonical form (sorted keys, no spaces, UTF-8 without escapes)"))


class InMemoryStreamVersions(StreamVersions):
    """The whole map in a dict: for small exports and tests (memory grows with streams)."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def get(self, stream: str) -> int | None:
        """The last value stored for `stream`, or None."""
        return self._last.get(stream)

    def set(self, stream: str, version: int) -> None:
        """Remember `version` as the last of `stream`."""
        self._last[stream] = version

    def close(self) -> None:
        """Forget everything."""
        self._last.clear()
