"""Card status: one row per card (state, village, milestones, attempts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ektp.application.projections.changes import Change, SetRow
from ektp.domain.card import events as ev
from ektp.domain.masking import mask_digits

TABLE = "card_status"


def _row(event: ev.CardEvent, **values: object) -> SetRow:
    return SetRow(TABLE, (str(event.originator_id),), {
        "version": event.originator_version, "modified_at": event.timestamp, **values,
    })


def card_status_changes(event: object, timezone: dt.tzinfo) -> Iterator[Change]:
    """The card_status changes `event` makes (none for other aggregates' events)."""
    if not isinstance(event, ev.CardEvent):
        return
    if isinstance(event, ev.Requested):
        yield SetRow(TABLE, (str(event.originator_id),), {
            "status": "REQUESTED", "village": event.village, "kecamatan": event.village[:8],
            "nik_masked": mask_digits(event.nik), "name": event.name, "reason": event.reason.value,
            "requested_at": event.timestamp, "modified_at": event.timestamp,
            "version": event.originator_version, "attempts": 0,
        }, create=True)
    elif isinstance(event, ev.PrintReadinessConfirmed):
        yield _row(event, status="READY_TO_PRINT")
    elif isinstance(event, ev.BlankAllocated):
        yield _row(event, status="BLANK_ALLOCATED", blank_serial=event.serial)
    elif isinstance(event, ev.PrintFailed):
        yield _row(event, status="READY_TO_PRINT", blank_serial=None)
    elif isinstance(event, ev.Printed):
        yield _row(event, status="PRINTED", printed_at=event.timestamp)
    elif isinstance(event, ev.AssignedToManifest):
        yield _row(event, manifest_id=str(event.manifest_id))
    elif isinstance(event, ev.RemovedFromManifest):
        yield _row(event, manifest_id=None)
    elif isinstance(event, ev.Dispatched):
        yield _row(event, status="DISPATCHED", dispatched_at=event.timestamp, courier=event.courier,
                   manifest_id=str(event.manifest_id) if event.manifest_id else None)
    elif isinstance(event, ev.DeliveryAttemptFailed):
        yield _row(event, attempts=event.attempt)
    elif isinstance(event, ev.HandedOver):
        yield _row(event, status="HANDED_OVER", handed_over_at=event.timestamp,
                   closed_at=event.timestamp, recipient=event.recipient.kind.value)
    elif isinstance(event, ev.Returned):
        yield _row(event, status="RETURNED", returned_at=event.timestamp, courier=None, manifest_id=None)
    elif isinstance(event, ev.Cancelled):
        yield _row(event, status="CANCELLED", closed_at=event.timestamp)
    elif isinstance(event, ev.DeclaredUncollected):
        yield _row(event, status="UNCOLLECTED")
    elif isinstance(event, ev.Destroyed):
        yield _row(event, status="DESTROYED", closed_at=event.timestamp)
