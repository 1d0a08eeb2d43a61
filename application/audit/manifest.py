"""``manifest.json``: what an export covers, how its chain begins and ends, and
(``ektp-audit/2``) where it sits in the office's Merkle tree."""

from __future__ import annotations

import json
from typing import Any

import attrs

from ektp.application.kernel.i18n import _
from ektp.application.audit.canonical import FORMAT, FORMAT_V1, HEX64, canonical, parse_time
from ektp.application.audit.merkle import CompactRange
from ektp.application.audit.strict_json import NotStrictJson, load_strict
from ektp.application.errors import AuditCheckFailed

PERSONAL_DATA_MODES = ("pseudonymised", "revealed")
FIELDS_V1 = ("format", "office", "created", "first_seq", "last_seq", "count", "start_hash",
             "end_hash", "events_sha256", "personal_data")
FIELDS_V2 = (*FIELDS_V1, "start_size", "start_frontier", "tree_size", "root")
FORMATS = (FORMAT, FORMAT_V1)


@attrs.frozen
class Manifest:
    """The fields of ``manifest.json`` (docs/audit-format.md). For ``ektp-audit/1``
    the tree fields are absent (None)."""

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
    start_size: int | None = 0
    start_frontier: tuple[str, ...] | None = ()
    tree_size: int | None = None
    root: str | None = None

    @property
    def is_v2(self) -> bool:
        """Whether the export carries leaves and tree heads (``ektp-audit/2``)."""
        return self.format == FORMAT

    def fields(self) -> tuple[str, ...]:
        """The keys of this manifest's format."""
        return FIELDS_V2 if self.is_v2 else FIELDS_V1

    def as_dict(self) -> dict[str, Any]:
        """The manifest as a JSON object."""
        values = {name: getattr(self, name) for name in self.fields()}
        if self.is_v2:
            values["start_frontier"] = list(self.start_frontier or ())
        return values

    def canonical(self) -> bytes:
        """The canonical form: the bytes a signature covers."""
        return canonical(self.as_dict())

    def file_bytes(self) -> bytes:
        """What ``manifest.json`` holds: the object with sorted keys, indented, UTF-8."""
        text = json.dumps(self.as_dict(), sort_keys=True, indent=2, ensure_ascii=False)
        return (text + "\n").encode("utf-8")

    def start_tree(self) -> CompactRange:
        """The frontier the export's first leaf is appended to."""
        return CompactRange.check(self.start_size or 0,
                                  [bytes.fromhex(h) for h in self.start_frontier or ()])


def parse_manifest(raw: bytes, where: str = "manifest.json") -> Manifest:
    """Read and check a manifest of either format; raise `AuditCheckFailed` naming the first problem."""

    def fail(reason: str) -> AuditCheckFailed:
        return AuditCheckFailed(where=where, reason=reason)

    try:
        obj = load_strict(raw)
    except NotStrictJson as error:
        raise fail(str(error)) from None
    if not isinstance(obj, dict):
        raise fail(_("it is not a JSON object"))
    if obj.get("format") not in FORMATS:
        raise fail(_("its format is {given!r}, not {format!r} or {format_v1!r}").format(
            given=str(obj.get('format'))[:40], format=FORMAT, format_v1=FORMAT_V1))
    fields = FIELDS_V2 if obj["format"] == FORMAT else FIELDS_V1
    missing = [name for name in fields if name not in obj]
    if missing:
        raise fail(_("the field {missing} is missing").format(missing=missing[0]))
    extra = sorted(set(obj) - set(fields))
    if extra:
        raise fail(_("it has a field the format does not define: {extra!r}").format(
            extra=extra[0][:40]))
    for name in ("office", "created", "personal_data"):
        if not isinstance(obj[name], str):
            raise fail(_("{name} is not a string").format(name=name))
    if parse_time(obj["created"]) is None:
        raise fail(_("created is not a UTC time like 2017-11-14T03:00:00.000000Z"))
    if obj["personal_data"] not in PERSONAL_DATA_MODES:
        raise fail(_("personal_data is neither 'pseudonymised' nor 'revealed'"))
    for name in ("first_seq", "last_seq", "count"):
        if not _whole(obj[name]) or obj[name] < 1:
            raise fail(_("{name} is not a whole number of at least 1").format(name=name))
    if obj["first_seq"] > obj["last_seq"]:
        raise fail(_("first_seq is after last_seq"))
    if obj["count"] > obj["last_seq"] - obj["first_seq"] + 1:
        raise fail(_("count is more than the seq range can hold"))
    for name in ("start_hash", "end_hash", "events_sha256"):
        if not isinstance(obj[name], str) or not HEX64.fullmatch(obj[name]):
            raise fail(_("{name} is not 64 lowercase hex digits").format(name=name))
    values = {k: v for k, v in obj.items()}
    if obj["format"] == FORMAT:
        _check_tree_fields(obj, fail)
        values["start_frontier"] = tuple(obj["start_frontier"])
    else:
        values.update(start_size=None, start_frontier=None)
    return Manifest(**values)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_tree_fields(obj: dict[str, Any], fail: Any) -> None:
    for name in ("start_size", "tree_size"):
        if not _whole(obj[name]) or obj[name] < 0:
            raise fail(_("{name} is not a whole number").format(name=name))
    if obj["tree_size"] != obj["start_size"] + obj["count"]:
        raise fail(_("tree_size is not start_size + count (every stored event is a leaf and a line)"))
    if (obj["start_hash"] == "0" * 64) != (obj["start_size"] == 0):
        raise fail(_("start_hash is all zeros exactly when the export starts at leaf 0 "
                   "(start_size 0)"))
    frontier = obj["start_frontier"]
    if not isinstance(frontier, list) or not all(isinstance(h, str) and HEX64.fullmatch(h)
                                                 for h in frontier):
        raise fail(_("start_frontier is not a list of 64-hex-digit hashes"))
    if len(frontier) != bin(obj["start_size"]).count("1"):
        raise fail(_(
            "start_frontier holds {held} hashes; a tree of start_size {start_size} leaves has "
            "{needed}").format(
                held=len(frontier), start_size=obj['start_size'], needed=bin(obj['start_size']).count('1')))
    if not isinstance(obj["root"], str) or not HEX64.fullmatch(obj["root"]):
        raise fail(_("root is not 64 lowercase hex digits"))
