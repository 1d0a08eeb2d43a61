"""Building manifest histories through `decide`, for given/when/then tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from testkit.card_steps import base
from testkit.people import COURIER, JABON, NGUDIREJO, OPERATOR

from ektp.domain.actor import Actor
from ektp.domain.manifest import commands as cmd
from ektp.domain.manifest.decide import decide
from ektp.domain.manifest.events import ManifestEvent
from ektp.domain.manifest.state import Manifest, project
from ektp.domain.manifest.vocabulary import Outcome

MANIFEST_ID = uuid.UUID(int=77)
CARD_A, CARD_B = uuid.UUID(int=1), uuid.UUID(int=2)


def opened(villages: tuple[str, ...] = (JABON, NGUDIREJO), courier: str = COURIER.id) -> Manifest:
    """A freshly opened manifest."""
    return apply(None, cmd.OpenManifest(**base(), manifest_id=MANIFEST_ID, courier=courier,
                                        date=dt.date(2026, 11, 3), villages=villages))


def apply(manifest: Manifest | None, *commands: cmd.ManifestCommand) -> Manifest:
    """The manifest after `commands` (each must be accepted)."""
    for command in commands:
        manifest = project(manifest, decide(manifest, command))
    assert manifest is not None
    return manifest


def then(manifest: Manifest, command: cmd.ManifestCommand) -> list[ManifestEvent]:
    """The events of `command`, checked for version and envelope."""
    events = decide(manifest, command)
    assert [e.originator_version for e in events] == list(
        range(manifest.version + 1, manifest.version + 1 + len(events)))
    assert all(e.originator_id == manifest.id and e.actor == command.actor for e in events)
    return events


def assign(card: uuid.UUID = CARD_A, village: str = JABON) -> cmd.AssignCard:
    """Put a card of `village` on the manifest."""
    return cmd.AssignCard(**base(), card_id=card, village=village)


def dispatch(seal: str = "SEGEL-1") -> cmd.DispatchManifest:
    """Dispatch under a seal."""
    return cmd.DispatchManifest(**base(), seal_number=seal)


def report(outcome: Outcome, card: uuid.UUID = CARD_A, actor: Actor = COURIER,
           **facts: Any) -> cmd.RecordOutcome:
    """The courier's report for one card."""
    return cmd.RecordOutcome(**base(actor), card_id=card, outcome=outcome, **facts)


def check_in(actor: Actor = OPERATOR, seal_intact: bool = True) -> cmd.CheckIn:
    """The returning check-in."""
    return cmd.CheckIn(**base(actor), seal_intact=seal_intact)


def close(actor: Actor = OPERATOR) -> cmd.CloseManifest:
    """Close under a record number."""
    return cmd.CloseManifest(**base(actor), record_number="BAST/1")


def out_with(*cards: uuid.UUID) -> Manifest:
    """A dispatched manifest carrying `cards` (all of Jabon)."""
    return apply(opened(), *(assign(c) for c in cards), dispatch())
