"""``ektp audit reconcile``: independent checks over an export, one report.

Each check is a small class: it observes every checked line once, then states
its findings. A check names the aggregates it needs (`needs`); when an export
holds no event of one of them (the blank ledger and the manifests arrive with
issues 3 and 4) the check is reported as skipped, not as clean or failed.
New checks plug in by being listed in `ektp.application.audit.checks.all_checks`.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar

import attrs

from ektp.application.audit.lines import AuditLine
from ektp.application.kernel.i18n import N_


@attrs.frozen
class ReconcilePolicy:
    """The limits reconciliation applies."""

    destruction_deadline_days: int = 30


@attrs.frozen
class Finding:
    """One problem: where (a card, a serial, a line) and what is wrong."""

    where: str
    message: str


class Check(ABC):
    """One reconciliation rule over the whole export."""

    name: ClassVar[str]
    description: ClassVar[str]
    needs: ClassVar[frozenset[str]] = frozenset({"card"})

    @abstractmethod
    def observe(self, line: AuditLine) -> None:
        """See the next line (in export order)."""

    @abstractmethod
    def findings(self, now: dt.datetime) -> list[Finding]:
        """The problems found, as of `now` (for deadlines)."""


@attrs.frozen
class CheckResult:
    """How one check came out: ``ok``, ``problems`` or ``skipped``."""

    name: str
    description: str
    status: str
    findings: tuple[Finding, ...] = ()
    note: str = ""


def reconcile(lines: Iterable[AuditLine], checks: list[Check], now: dt.datetime) -> list[CheckResult]:
    """Run every check over `lines` (read once); their results in the checks' order."""
    seen: set[str] = set()
    for line in lines:
        seen.add(line.aggregate)
        for check in checks:
            check.observe(line)
    results = []
    for check in checks:
        missing = sorted(check.needs - seen)
        if missing:
            note = N_("no {events} events in this export", events=" or ".join(missing))
            results.append(CheckResult(check.name, check.description, "skipped", note=note))
            continue
        found = tuple(check.findings(now))
        results.append(CheckResult(check.name, check.description,
                                   "problems" if found else "ok", found))
    return results
