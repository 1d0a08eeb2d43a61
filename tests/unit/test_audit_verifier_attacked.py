"""The verifier under attack: whatever Hypothesis does to an export, verification
fails with a named `AuditCheckFailed` and a message, and never crashes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from testkit.audit import MemorySource, export, forge, objects, scenario_office

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ektp.adapters.audit.ed25519 import Ed25519Checker, Ed25519Signer
from ektp.application.audit.canonical import canonical
from ektp.application.audit.line_check import InMemoryStreamVersions
from ektp.application.audit.manifest import parse_manifest
from ektp.application.audit.verify import verify_export
from ektp.application.errors import AuditCheckFailed

_PRIVATE = Ed25519PrivateKey.generate()
SIGNER, CHECKER = Ed25519Signer(_PRIVATE), Ed25519Checker(_PRIVATE.public_key())
with scenario_office() as _office:
    _sink = export(_office, signer=SIGNER)
EVENTS, MANIFEST, SIGNATURE = _sink.events, _sink.manifest or b"", _sink.signature
LINES = EVENTS.splitlines(keepends=True)
OBJECTS = objects(EVENTS)
KEYS = sorted(OBJECTS[0])
ODD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**20), st.text(max_size=8),
                       st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _with_line(index: int, line: bytes) -> bytes:
    return b"".join(LINES[:index] + [line] + LINES[index + 1:])


@st.composite
def flipped_bytes(draw: st.DrawFn) -> tuple[bytes, bytes]:
    data = bytearray(EVENTS)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= draw(st.integers(1, 255))
    return bytes(data), MANIFEST


@st.composite
def duplicated_key(draw: st.DrawFn) -> tuple[bytes, bytes]:
    index = draw(st.integers(0, len(LINES) - 1))
    key = draw(st.sampled_from(KEYS))
    value = json.dumps(OBJECTS[index][key], separators=(",", ":"), ensure_ascii=False)
    line = LINES[index].replace(b"{", b'{"' + key.encode() + b'":' + value.encode() + b",", 1)
    return _with_line(index, line), MANIFEST


@st.composite
def removed_key(draw: st.DrawFn) -> tuple[bytes, bytes]:
    index = draw(st.integers(0, len(LINES) - 1))
    obj = dict(OBJECTS[index])
    del obj[draw(st.sampled_from(KEYS))]
    if draw(st.booleans()):  # a forger also fixes the chain and the manifest
        objs = OBJECTS[:index] + [obj] + OBJECTS[index + 1:]
        if "hash" in obj and "prev" in obj:
            return forge(objs, parse_manifest(MANIFEST))
    return _with_line(index, canonical(obj) + b"\n"), MANIFEST


@st.composite
def not_json(draw: st.DrawFn) -> tuple[bytes, bytes]:
    index = draw(st.integers(0, len(LINES) - 1))
    junk = draw(st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
    return _with_line(index, junk.replace(b"\n", b"") + b"\n"), MANIFEST


@st.composite
def non_canonical(draw: st.DrawFn) -> tuple[bytes, bytes]:
    index = draw(st.integers(0, len(LINES) - 1))
    style = draw(st.sampled_from(["spaces", "indent", "unsorted", "ascii", "trailing"]))
    obj = OBJECTS[index]
    text = {
        "spaces": lambda: json.dumps(obj, sort_keys=True, ensure_ascii=False),
        "indent": lambda: json.dumps(obj, sort_keys=True, indent=1, ensure_ascii=False).replace("\n", " "),
        "unsorted": lambda: json.dumps(dict(reversed(list(obj.items()))), separators=(",", ":"), ensure_ascii=False),
        "ascii": lambda: json.dumps({**obj, "actor": {"id": "é", "role": "head"}}, sort_keys=True, separators=(",", ":")),
        "trailing": lambda: json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + " ",
    }[style]()
    return _with_line(index, text.encode() + b"\n"), MANIFEST


@st.composite
def wrong_type(draw: st.DrawFn) -> tuple[bytes, bytes]:
    index = draw(st.integers(0, len(OBJECTS) - 1))
    key = draw(st.sampled_from([k for k in KEYS if k not in ("prev", "hash")]))
    value = draw(ODD_VALUES)
    assume(value != OBJECTS[index][key])
    objs = [dict(o) for o in OBJECTS]
    objs[index][key] = value
    if draw(st.booleans()):
        return forge(objs, parse_manifest(MANIFEST))
    return _with_line(index, canonical(objs[index]) + b"\n"), MANIFEST


@st.composite
def float_inside(draw: st.DrawFn) -> tuple[bytes, bytes]:
    index = draw(st.integers(0, len(LINES) - 1))
    line = LINES[index].replace(b'"version":', b'"version":1.0,"x":', 1) if draw(st.booleans()) \
        else LINES[index].replace(b'"seq":', b'"seq":1e2,"y":', 1)
    return _with_line(index, line), MANIFEST


@st.composite
def edited_manifest(draw: st.DrawFn) -> tuple[bytes, bytes]:
    obj: dict[str, Any] = json.loads(MANIFEST)
    key = draw(st.sampled_from(sorted(obj) + ["extra"]))
    if draw(st.booleans()):
        obj[key] = draw(ODD_VALUES)
    else:
        obj.pop(key, None)
    return EVENTS, json.dumps(obj).encode()


@st.composite
def flipped_manifest(draw: st.DrawFn) -> tuple[bytes, bytes]:
    data = bytearray(MANIFEST)
    at = draw(st.integers(0, len(data) - 1))
    data[at] ^= draw(st.integers(1, 255))
    return EVENTS, bytes(data)


MUTATIONS = st.one_of(flipped_bytes(), duplicated_key(), removed_key(), not_json(), non_canonical(),
                      wrong_type(), float_inside(), edited_manifest(), flipped_manifest())


def _verify(events: bytes, manifest: bytes) -> None:
    verify_export(MemorySource(events, manifest, SIGNATURE), InMemoryStreamVersions(),
                  public_key=CHECKER)


def test_the_unmutated_export_verifies() -> None:
    _verify(EVENTS, MANIFEST)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MUTATIONS)
def test_every_mutation_fails_with_a_message(mutated: tuple[bytes, bytes]) -> None:
    events, manifest = mutated
    assume(events != EVENTS or json_differs(manifest))
    with pytest.raises(AuditCheckFailed) as caught:
        _verify(events, manifest)
    assert caught.value.facts["where"] and caught.value.facts["reason"]
    assert "\n" not in caught.value.message


def json_differs(manifest: bytes) -> bool:
    """Whitespace-only changes to manifest.json change nothing it says."""
    try:
        return bool(json.loads(manifest) != json.loads(MANIFEST))
    except ValueError:
        return True
