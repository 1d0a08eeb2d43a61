"""Finding a manifest (M is its id) and deciding one manifest command inside a
transaction; the manifest desk and the results recording share them."""

from __future__ import annotations

from uuid import UUID

from ektp.application.kernel.transaction import Reads, Transaction
from ektp.domain.errors import InvalidManifestReference, ManifestNotFound
from ektp.domain.manifest.commands import ManifestCommand
from ektp.domain.manifest.decide import decide
from ektp.domain.manifest.state import Manifest, project


def manifest_id(ref: str | UUID) -> UUID:
    """The manifest id `ref` names (a UUID, as `manifest open` printed it)."""
    if isinstance(ref, UUID):
        return ref
    try:
        return UUID(ref.strip())
    except ValueError:
        raise InvalidManifestReference(ref=ref.strip()[:40]) from None


def load_manifest(reads: Reads, ref: str | UUID) -> Manifest:
    """The manifest `ref` names, or `ManifestNotFound`."""
    the_id = manifest_id(ref)
    manifest = reads.load(the_id, project)
    if not isinstance(manifest, Manifest):  # none, or another aggregate's state under that id
        raise ManifestNotFound(ref=f"manifest {the_id}")
    return manifest


def decide_manifest(tx: Transaction, manifest: Manifest, command: ManifestCommand) -> Manifest:
    """Decide `command` on `manifest`; record its events; return the manifest after."""
    events = decide(manifest, command)
    after = project(manifest, events)
    assert after is not None
    tx.record(events, after)
    return after
