"""Reconciliation checks over the blank ledger and the delivery manifests.

Each needs its aggregate's events and is skipped while an export has none.
Where the facts of those events are read (which keys hold serials and manifest
ids) is kept in the small helpers at the top.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from ektp.application.kernel.i18n import N_
from ektp.application.audit.lines import AuditLine
from ektp.application.audit.reconcile import Check, Finding, ReconcilePolicy


MAX_RANGE = 1_000_000  # a larger range is not a consignment but a typo (or an attack)


def serials_in(data: dict[str, Any]) -> list[str]:
    """The blank serials an event names: ``serial``, ``serials``, and ranges given as
    ``ranges``/``serial_ranges`` of ``{"first": ..., "last": ...}`` or ``[first, last]``."""
    found: list[str] = []
    if isinstance(data.get("serial"), str):
        found.append(data["serial"])
    if isinstance(data.get("serials"), list):
        found += [s for s in data["serials"] if isinstance(s, str)]
    for key in ("ranges", "serial_ranges"):
        for item in data.get(key) or []:
            first, last = (item.get("first"), item.get("last")) if isinstance(item, dict) else (
                item if isinstance(item, list) and len(item) == 2 else (None, None))
            if (isinstance(first, str) and isinstance(last, str) and first.isdigit()
                    and last.isdigit() and 0 <= int(last) - int(first) < MAX_RANGE):
                width = len(first)
                found += [f"{n:0{width}d}" for n in range(int(first), int(last) + 1)]
    return found


def manifest_of(data: dict[str, Any]) -> str | None:
    """The manifest a card event names (``manifest_id``)."""
    value = data.get("manifest_id")
    return value if isinstance(value, str) else None


# blank-stock event -> (states a serial may be in before, state after)
IN_STOCK, ALLOCATED, CONSUMED, SPOILED, DESTROYED, LENT, MISSING = (
    "in stock", "allocated", "consumed", "spoiled", "destroyed", "lent", "missing")
GONE = "returned to its lender"
TRANSITIONS: dict[str, tuple[frozenset[str | None], str]] = {
    "ConsignmentReceived": (frozenset({None}), IN_STOCK),
    "BlanksBorrowed": (frozenset({None, GONE}), IN_STOCK),
    "BlankAllocated": (frozenset({IN_STOCK}), ALLOCATED),
    "BlankConsumed": (frozenset({ALLOCATED}), CONSUMED),
    "BlankSpoiled": (frozenset({IN_STOCK, ALLOCATED}), SPOILED),
    "SpoiledDestroyed": (frozenset({SPOILED}), DESTROYED),
    "BlanksLent": (frozenset({IN_STOCK}), LENT),
    "BlankReportedMissing": (frozenset({IN_STOCK, ALLOCATED, LENT}), MISSING),
}


class BlankConservation(Check):
    """Each serial is in exactly one state and moves only as the ledger's rules allow,
    so received + borrowed = in stock + allocated + consumed + spoiled + destroyed
    + lent + missing holds at every moment."""

    name = "blank-conservation"
    description = N_("every blank serial moves only through the ledger's allowed states")
    needs = frozenset({"blank-stock"})

    def __init__(self) -> None:
        self._state: dict[str, str] = {}
        self._counts: Counter[str] = Counter()  # serials per state, as the lines go by
        self._found: list[Finding] = []

    def _move(self, serial: str, before: str | None, after: str) -> None:
        if before is not None:
            self._counts[before] -= 1
        self._counts[after] += 1
        self._state[serial] = after

    def in_stock(self) -> int:
        """How many blanks are in stock after the lines seen so far."""
        return self._counts[IN_STOCK]

    def observe(self, line: AuditLine) -> None:
        """Move each serial the ledger event names."""
        if line.aggregate != "blank-stock":
            return
        if line.type == "LoanReturned":
            for serial in serials_in(line.data):
                before = self._state.get(serial)
                self._move(serial, before, IN_STOCK if before == LENT else GONE)
            return
        rule = TRANSITIONS.get(line.type)
        if rule is None:
            return
        allowed, after = rule
        for serial in serials_in(line.data):
            before = self._state.get(serial)
            if before not in allowed:
                self._found.append(Finding(
                    N_("blank {serial} (line {line_number})",
                        serial=serial, line_number=line.number),
                    N_("{event_type} while the blank is {before}").format(
                        event_type=line.type, before=before or N_('not in the ledger'))))
            self._move(serial, before, after)

    def findings(self, now: dt.datetime) -> list[Finding]:
        """What was found."""
        return self._found

    def figures(self) -> Counter[str]:
        """How many serials are in each state."""
        return +self._counts


class PrintedBlankConsumed(Check):
    """Every printed card's blank is consumed in the ledger."""

    name = "printed-blank-consumed"
    description = N_("every printed card has a consumed blank in the ledger")
    needs = frozenset({"card", "blank-stock"})

    def __init__(self) -> None:
        self._printed: dict[str, str] = {}
        self._consumed: set[str] = set()

    def observe(self, line: AuditLine) -> None:
        """Collect printed and consumed serials."""
        if line.aggregate == "card" and line.type == "Printed":
            self._printed[str(line.data.get("serial"))] = line.stream
        elif line.aggregate == "blank-stock" and line.type == "BlankConsumed":
            self._consumed.update(serials_in(line.data))

    def findings(self, now: dt.datetime) -> list[Finding]:
        """Printed serials the ledger never consumed."""
        return [Finding(N_("card {card}", card=card),
            N_("printed on blank {serial}, which the ledger never consumed", serial=serial))
                for serial, card in self._printed.items() if serial not in self._consumed]


class SpoiledBlanksDestroyed(Check):
    """Spoiled blanks are destroyed under a record before the deadline."""

    name = "spoiled-blanks-destroyed"
    description = N_("no spoiled blank is left undestroyed past the deadline")
    needs = frozenset({"blank-stock"})

    def __init__(self, policy: ReconcilePolicy) -> None:
        self._deadline = dt.timedelta(days=policy.destruction_deadline_days)
        self._spoiled: dict[str, dt.datetime] = {}

    def observe(self, line: AuditLine) -> None:
        """Note when each blank was spoiled; forget it once destroyed."""
        if (line.aggregate, line.type) in (("card", "PrintFailed"), ("blank-stock", "BlankSpoiled")):
            for serial in serials_in(line.data):
                self._spoiled.setdefault(serial, line.time)
        elif line.aggregate == "blank-stock" and line.type == "SpoiledDestroyed":
            for serial in serials_in(line.data):
                self._spoiled.pop(serial, None)

    def findings(self, now: dt.datetime) -> list[Finding]:
        """Spoiled blanks older than the deadline."""
        days = self._deadline.days
        return [Finding(N_("blank {serial}", serial=serial),
            N_("spoiled on {date} and not destroyed within {days} days",
                date=when.date().isoformat(), days=days))
                for serial, when in self._spoiled.items() if now - when > self._deadline]


class ClosedManifestsBalanced(Check):
    """A closed manifest accounts for every card it took out: dispatched = handed over + returned."""

    name = "closed-manifests-balanced"
    description = N_("every closed manifest is balanced (dispatched = handed over + returned)")
    needs = frozenset({"manifest"})

    def __init__(self) -> None:
        self._dispatched: dict[str, int] = {}
        self._settled: Counter[str] = Counter()
        self._closed: dict[str, int] = {}

    def observe(self, line: AuditLine) -> None:
        """Count dispatches per manifest and the hand-overs and returns naming it."""
        if line.aggregate == "manifest":
            if line.type == "Dispatched" and isinstance(line.data.get("card_count"), int):
                self._dispatched[line.stream] = line.data["card_count"]
            elif line.type == "Closed":
                self._closed[line.stream] = line.number
        elif line.aggregate == "card" and line.type in ("HandedOver", "Returned"):
            manifest = manifest_of(line.data)
            if manifest is not None:
                self._settled[manifest] += 1

    def findings(self, now: dt.datetime) -> list[Finding]:
        """Closed manifests whose counts do not balance."""
        return [Finding(N_("manifest {m} (closed at line {n})", m=m, n=n),
                        N_("dispatched {dispatched} but {settled} were handed over or "
                            "returned",
                                dispatched=self._dispatched.get(m, 0), settled=self._settled[m]))
                for m, n in self._closed.items() if self._dispatched.get(m, 0) != self._settled[m]]


class StockCountMatches(Check):
    """The latest physical count of the stock agrees with the books, and the books it was
    compared with are the stock the export's own history holds at that moment (as
    ``ektp blanks reconcile`` requires of the live ledger)."""

    name = "stock-count-matches"
    description = N_("the latest stock count found what the books (and the history) hold")
    needs = frozenset({"blank-stock"})

    def __init__(self, conservation: BlankConservation) -> None:
        self._conservation = conservation  # observes each line first (see all_checks)
        self._latest: tuple[AuditLine, int] | None = None

    def observe(self, line: AuditLine) -> None:
        """Note each count with the stock the history holds at that moment."""
        if line.aggregate == "blank-stock" and line.type == "StockCounted":
            self._latest = (line, self._conservation.in_stock())

    def findings(self, now: dt.datetime) -> list[Finding]:
        """The latest count's differences."""
        if self._latest is None:
            return []
        line, held = self._latest
        data = line.data
        counted, book = data.get("counted"), data.get("book")
        where = N_("the stock count of {date} (line {line_number})",
            date=line.time.date().isoformat(), line_number=line.number)
        found = []
        if counted != book or data.get("difference") not in (0, None):
            found.append(Finding(where, N_("it found {counted} blanks against {book} on the books; count again or report the "
                "missing blanks", counted=counted, book=book)))
        if book != held:
            found.append(Finding(where, N_("the books it was compared with said {book}, but the history up to it holds {held} "
                "blanks in stock", book=book, held=held)))
        return found
