"""``ektp audit cards``: one row per card with the time of each milestone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import attrs

from ektp.application.audit.canonical import format_time
from ektp.application.audit.lines import AuditLine

# event type -> milestone column (the first time it happened)
MILESTONES = {
    "Requested": "requested",
    "PrintReadinessConfirmed": "print_ready",
    "BlankAllocated": "blank_allocated",
    "Printed": "printed",
    "Dispatched": "dispatched",
    "HandedOver": "handed_over",
    "Returned": "returned",
    "Cancelled": "cancelled",
    "DeclaredUncollected": "uncollected",
    "Destroyed": "destroyed",
}
STATUS_AFTER = {
    "Requested": "REQUESTED", "PrintReadinessConfirmed": "READY_TO_PRINT",
    "BlankAllocated": "BLANK_ALLOCATED", "PrintFailed": "READY_TO_PRINT", "Printed": "PRINTED",
    "Dispatched": "DISPATCHED", "HandedOver": "HANDED_OVER", "Returned": "RETURNED",
    "Cancelled": "CANCELLED", "DeclaredUncollected": "UNCOLLECTED", "Destroyed": "DESTROYED",
}
COLUMNS = ("card", "status", "village", "reason", *MILESTONES.values(), "print_failures",
           "failed_attempts", "blank_serial", "last_event")


@attrs.define
class CardRow:
    """The milestones of one card, filled as its lines go by."""

    card: str
    status: str = ""
    village: str = ""
    reason: str = ""
    times: dict[str, dt.datetime] = attrs.field(factory=dict)
    print_failures: int = 0
    failed_attempts: int = 0
    blank_serial: str = ""
    last_event: dt.datetime | None = None

    def cells(self) -> list[str]:
        """The row's values in `COLUMNS` order (times as UTC ISO 8601, empty when none)."""
        def stamp(moment: dt.datetime | None) -> str:
            return format_time(moment) if moment else ""

        return [self.card, self.status, self.village, self.reason,
                *(stamp(self.times.get(c)) for c in MILESTONES.values()),
                str(self.print_failures), str(self.failed_attempts), self.blank_serial,
                stamp(self.last_event)]


def card_rows(lines: Iterable[AuditLine]) -> Iterator[CardRow]:
    """One row per card in the export, in order of each card's first line."""
    rows: dict[str, CardRow] = {}
    for line in lines:
        if line.aggregate != "card":
            continue
        row = rows.get(line.stream)
        if row is None:
            row = rows[line.stream] = CardRow(line.stream)
        column = MILESTONES.get(line.type)
        if column is not None:
            row.times.setdefault(column, line.time)
        row.status = STATUS_AFTER.get(line.type, row.status)
        row.last_event = line.time
        data = line.data
        if line.type == "Requested":
            row.village, row.reason = str(data.get("village", "")), str(data.get("reason", ""))
        elif line.type == "BlankAllocated":
            row.blank_serial = str(data.get("serial", ""))
        elif line.type == "PrintFailed":
            row.print_failures += 1
            row.blank_serial = ""
        elif line.type == "DeliveryAttemptFailed":
            row.failed_attempts += 1
    yield from rows.values()
