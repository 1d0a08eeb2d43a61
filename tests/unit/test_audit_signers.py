"""`audit verify` checks who recorded each event: an event's actor must be the login that
inserted it into the store (`inserted_by`, format 2). Attacked: an event in someone
else's name, a forger who makes the two agree, a bad or missing key, a version-1
export mixed in. A verifier that accepts a forgery is worse than none."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from testkit.audit import MemorySource, export, forge, objects, scenario_office

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ektp.adapters.audit.ed25519 import Ed25519Checker, Ed25519Signer
from ektp.application.audit.aggregates import AGGREGATES_V1
from ektp.application.audit.canonical import FORMAT_V1
from ektp.application.audit.line_check import InMemoryStreamVersions
from ektp.application.audit.manifest import Manifest, parse_manifest
from ektp.application.audit.verify import VerifyReport, verify_export
from ektp.application.errors import AuditCheckFailed

with scenario_office() as _office:
    _sink = export(_office)
# The scenario's events as the store recorded them, each signed by its own actor's login.
SIGNED = [dict(o, inserted_by=o["actor"]["id"]) for o in objects(_sink.events)]
BASE = parse_manifest(_sink.manifest or b"")


def exported(objs: list[dict[str, Any]], fmt: str | None = None) -> tuple[bytes, bytes]:
    """A consistent export of `objs` (re-chained), in format `fmt` if given."""
    if fmt == FORMAT_V1:  # lines without leaves, and a manifest without a tree
        return forge(objs, attrs.evolve(BASE, format=FORMAT_V1, start_size=None,
                                        start_frontier=None, tree_size=None, root=None))
    events, manifest = forge(objs, BASE)
    if fmt is not None:
        manifest = Manifest(**{**json.loads(manifest), "format": fmt}).file_bytes()
    return events, manifest


def verify(events: bytes, manifest: bytes, **options: Any) -> VerifyReport:
    return verify_export(MemorySource(events, manifest), InMemoryStreamVersions(), **options)


def test_events_inserted_by_their_own_actors_verify() -> None:
    report = verify(*exported(SIGNED))
    assert report.unsigned == 0 and report.by_host == 0


def test_an_event_in_someone_elses_name_fails_naming_both() -> None:
    for index in (0, 5, len(SIGNED) - 1):
        objs = copy.deepcopy(SIGNED)
        objs[index]["inserted_by"] = "kurir.anto"  # kurir.anto's psql INSERT, as someone else
        with pytest.raises(AuditCheckFailed) as caught:
            verify(*exported(objs))
        assert caught.value.facts["where"] == f"events.jsonl line {index + 1}"
        assert objs[index]["actor"]["id"] in caught.value.message
        assert "kurir.anto" in caught.value.message and "someone else's name" in caught.value.message


def test_a_host_program_named_by_the_auditor_is_counted_not_refused() -> None:
    objs = [dict(o, inserted_by="portal") for o in SIGNED]
    with pytest.raises(AuditCheckFailed, match="--host-login portal"):
        verify(*exported(objs))
    report = verify(*exported(objs), host_logins=frozenset({"portal"}))
    assert report.by_host == len(objs)
    # Naming a host does not excuse another login.
    objs[3]["inserted_by"] = "mallory"
    with pytest.raises(AuditCheckFailed, match="mallory"):
        verify(*exported(objs), host_logins=frozenset({"portal"}))


def test_a_forger_who_makes_actor_and_inserter_agree_is_caught_by_the_signature() -> None:
    key = Ed25519PrivateKey.generate()
    signer, checker = Ed25519Signer(key), Ed25519Checker(key.public_key())
    objs = copy.deepcopy(SIGNED)
    events, manifest = exported(objs)
    signature = signer.sign(parse_manifest(manifest).canonical())
    sig = base64.b64encode(signature) + b"\n"
    verify_export(MemorySource(events, manifest, sig), InMemoryStreamVersions(), public_key=checker)
    objs[7]["inserted_by"] = "kurir.anto"   # the truth: kurir.anto wrote it...
    objs[7]["actor"] = {"id": "kurir.anto", "role": objs[7]["actor"]["role"]}  # ...re-chained to agree
    forged, forged_manifest = exported(objs)
    assert verify(forged, forged_manifest)  # alone, a consistent forgery passes, as any would
    with pytest.raises(AuditCheckFailed, match="signature does not match"):
        verify_export(MemorySource(forged, forged_manifest, sig), InMemoryStreamVersions(),
                      public_key=checker)


def test_unrecorded_inserters_are_counted_as_unchecked() -> None:
    objs = copy.deepcopy(SIGNED)
    for o in objs[:4]:
        o["inserted_by"] = None
    assert verify(*exported(objs)).unsigned == 4


@pytest.mark.parametrize("value", ["", 'a"b', "a\\b", "line\nbreak", "x" * 129, 7, ["op"], {"id": "x"}])
def test_a_malformed_inserted_by_is_refused(value: object) -> None:
    objs = copy.deepcopy(SIGNED)
    objs[2]["inserted_by"] = value
    with pytest.raises(AuditCheckFailed, match="inserted_by"):
        verify(*exported(objs))


def test_each_format_has_exactly_its_own_keys() -> None:
    # Version 1 had neither key, nor the NIK registers' and the staff register's events.
    version_1 = [{k: v for k, v in o.items() if k not in ("inserted_by", "leaf")} for o in SIGNED
                 if o["aggregate"] in AGGREGATES_V1]
    assert verify(*exported(version_1, FORMAT_V1)).manifest.format == FORMAT_V1  # still readable
    without = [{k: v for k, v in o.items() if k != "inserted_by"} for o in SIGNED]
    with pytest.raises(AuditCheckFailed, match="'inserted_by' is missing"):
        verify(*exported(without))  # format 2 without the key
    with pytest.raises(AuditCheckFailed, match="does not define: 'inserted_by'"):
        verify(*exported([dict(o, inserted_by=o["actor"]["id"]) for o in version_1],
                         FORMAT_V1))  # format 1 with it


def test_against_an_overlapping_export_of_the_other_format_is_refused() -> None:
    version_1 = [{k: v for k, v in o.items() if k not in ("inserted_by", "leaf")} for o in SIGNED[:40]
                 if o["aggregate"] in AGGREGATES_V1]
    older = MemorySource(*exported(version_1, FORMAT_V1))
    with pytest.raises(AuditCheckFailed, match="hash differently"):
        verify(*exported(SIGNED), older=older)


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, len(SIGNED) - 1), login=st.from_regex(r"[a-z][a-z0-9.]{0,15}", fullmatch=True))
def test_any_line_recorded_by_another_login_fails(index: int, login: str) -> None:
    objs = copy.deepcopy(SIGNED)
    if login == objs[index]["actor"]["id"]:
        return
    objs[index]["inserted_by"] = login
    with pytest.raises(AuditCheckFailed) as caught:
        verify(*exported(objs))
    assert caught.value.facts["where"] == f"events.jsonl line {index + 1}"


def test_the_hash_cut_still_finds_the_top_level_hash() -> None:
    """`inserted_by` sits after `hash` in a line: a login that looks like a hash member
    cannot fool the verifier's cut (quotes are refused in it)."""
    objs = copy.deepcopy(SIGNED)
    objs[1]["inserted_by"] = ',"hash":"' + "0" * 64
    with pytest.raises(AuditCheckFailed, match="inserted_by"):
        verify(*exported(objs))
