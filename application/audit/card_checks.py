"""Reconciliation checks that need only the card events."""

from __future__ import annotations

import datetime as dt

from ektp.application.kernel.i18n import N_
from ektp.application.audit.aggregates import event_class
from ektp.application.audit.lines import AuditLine
from ektp.application.audit.reconcile import Check, Finding


def _card(line: AuditLine) -> str:
    return N_("card {stream} (line {number})", stream=line.stream, number=line.number)


class CardHistoriesWhole(Check):
    """Every card's history starts with its request, and every event is a known card event."""

    name = "card-histories"
    description = N_("every card starts with Requested and holds only known card events")

    def __init__(self) -> None:
        self._found: list[Finding] = []

    def observe(self, line: AuditLine) -> None:
        """Check the line's type (and the first version's)."""
        if line.aggregate != "card":
            return
        if event_class("card", line.type) is None:
            self._found.append(Finding(_card(line), N_("unknown card event {event_type}",
                event_type=line.type)))
        elif line.version == 1 and line.type != "Requested":
            self._found.append(Finding(_card(line), N_("starts with {event_type}, not Requested",
                event_type=line.type)))

    def findings(self, now: dt.datetime) -> list[Finding]:
        """What was found."""
        return self._found


class BlankAllocatedOnce(Check):
    """A blank serial is allocated to one card, once (a spoiled blank is never reused)."""

    name = "blank-allocated-once"
    description = N_("no blank serial is allocated twice")

    def __init__(self) -> None:
        self._holder: dict[str, str] = {}
        self._found: list[Finding] = []

    def observe(self, line: AuditLine) -> None:
        """Remember each allocation; flag a second one."""
        if line.aggregate == "card" and line.type == "BlankAllocated":
            serial = str(line.data.get("serial"))
            before = self._holder.get(serial)
            if before is not None:
                self._found.append(Finding(
                    N_("blank {serial}", serial=serial),
                        N_("allocated to card {line_stream} (line {line_number}) after card "
                            "{before} already had it",
                                line_stream=line.stream, line_number=line.number, before=before)))
            self._holder[serial] = line.stream

    def findings(self, now: dt.datetime) -> list[Finding]:
        """What was found."""
        return self._found


class PrintedOnAllocatedBlank(Check):
    """Every print consumed the blank allocated to the card (and a print failure spoiled it)."""

    name = "printed-on-allocated-blank"
    description = N_("every printed card was printed on the blank allocated to it")

    def __init__(self) -> None:
        self._allocated: dict[str, str | None] = {}
        self._whole: set[str] = set()  # cards whose history starts in this export
        self._found: list[Finding] = []

    def observe(self, line: AuditLine) -> None:
        """Follow each card's allocated blank."""
        if line.aggregate != "card":
            return
        if line.version == 1:
            self._whole.add(line.stream)
        if line.type == "BlankAllocated":
            self._allocated[line.stream] = line.data.get("serial")
        elif line.type in ("Printed", "PrintFailed"):
            serial = line.data.get("serial")
            allocated = self._allocated.get(line.stream)
            if line.stream in self._whole and line.stream not in self._allocated:
                self._found.append(Finding(_card(line), N_("{event_type} comes before any BlankAllocated of the card", event_type=line.type)))
            elif line.stream in self._allocated and serial != allocated:
                self._found.append(Finding(_card(line), N_("{event_type} names blank {serial}, but blank {allocated} was "
                    "allocated", event_type=line.type, serial=serial, allocated=allocated)))
            self._allocated[line.stream] = None if line.type == "PrintFailed" else serial

    def findings(self, now: dt.datetime) -> list[Finding]:
        """What was found."""
        return self._found


class HandOverAfterDispatch(Check):
    """Every hand-over follows a dispatch of the same card."""

    name = "hand-over-after-dispatch"
    description = N_("every hand-over is preceded by a dispatch")

    def __init__(self) -> None:
        self._whole: set[str] = set()  # cards whose history starts in this export
        self._dispatched: set[str] = set()
        self._found: list[Finding] = []

    def observe(self, line: AuditLine) -> None:
        """Remember dispatched cards; flag a hand-over of one never dispatched."""
        if line.aggregate != "card":
            return
        if line.version == 1:
            self._whole.add(line.stream)
        if line.type == "Dispatched":
            self._dispatched.add(line.stream)
        elif (line.type == "HandedOver" and line.stream in self._whole
              and line.stream not in self._dispatched):
            self._found.append(Finding(_card(line), N_("handed over without a dispatch before it")))

    def findings(self, now: dt.datetime) -> list[Finding]:
        """What was found."""
        return self._found


class StreamTimesOrdered(Check):
    """Within a stream, no event is dated before the one before it.

    A finding, not a verification failure: the export may be exactly what the
    office recorded, with a clock that went back (a PC's clock set wrong, two
    clerks' machines out of step); the office should look at its clocks.
    """

    name = "stream-times-ordered"
    description = N_("no event is dated before the previous event of its stream")
    needs = frozenset({"card"})

    def __init__(self) -> None:
        self._last: dict[str, dt.datetime] = {}
        self._found: list[Finding] = []

    def observe(self, line: AuditLine) -> None:
        """Compare with the stream's previous event."""
        before = self._last.get(line.stream)
        if before is not None and line.time < before:
            self._found.append(Finding(N_("{line_aggregate} {line_stream} (line {line_number})",
                line_aggregate=line.aggregate, line_stream=line.stream, line_number=line.number),
                                       N_("{event_type} is dated {time}, before the stream's "
                                           "previous event ({before})",
                                               event_type=line.type, time=line.time.isoformat(), before=before.isoformat())))
        self._last[line.stream] = line.time

    def findings(self, now: dt.datetime) -> list[Finding]:
        """What was found."""
        return self._found
