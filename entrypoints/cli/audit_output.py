"""How replays, reconciliation reports and card tables of an export look."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ektp.application.kernel.i18n import N_, _, say
from ektp.entrypoints.cli.output import counted, local_time

if TYPE_CHECKING:
    from ektp.application.audit.reconcile import CheckResult
    from ektp.domain.card.events import CardEvent
    from ektp.domain.card.state import Card

SHOWN_FINDINGS = 20


def _personal(value: str | None) -> str | None:
    """A NIK or KK as the export holds it, masked if it was revealed in full."""
    from ektp.domain.masking import mask_digits

    if value is None or "~" in value:
        return value
    return mask_digits(value)


def replay_data(card: Card, events: Sequence[CardEvent]) -> dict[str, Any]:
    """The JSON form of a replayed card and its history."""
    from ektp.application.card.history import history_entry
    from ektp.entrypoints.cli.card_output import history_data

    return {
        "id": str(card.id), "status": card.status.value, "version": card.version,
        "nik": _personal(card.nik), "kk": _personal(card.kk), "village": card.village,
        "reason": card.reason.value, "requested_at": card.requested_at,
        "modified_at": card.modified_at, "blank_serial": card.blank_serial,
        "spoiled_serials": list(card.spoiled_serials), "courier": card.courier,
        "manifest_id": str(card.manifest_id) if card.manifest_id else None,
        "attempts": card.attempts,
        "recipient": card.recipient.kind.value if card.recipient else None,
        "history": history_data(tuple(history_entry(e) for e in events)),
    }


def replay_text(card: Card, events: Sequence[CardEvent]) -> str:
    """The readable replay: the state, then one line per event."""
    from ektp.application.card.history import history_entry
    from ektp.entrypoints.cli.card_output import history_text

    rows = [
        (N_("Card"), str(card.id)),
        (N_("Status"), _("{status} (version {version})").format(
            status=card.status.value, version=card.version)),
        (N_("NIK"), _personal(card.nik) or "-"), (N_("Village"), card.village),
        (N_("Reason"), card.reason.value), (N_("Requested"), local_time(card.requested_at)),
        (N_("Last change"), local_time(card.modified_at)), (N_("Blank"), card.blank_serial or "-"),
        (N_("Spoiled"), ", ".join(card.spoiled_serials) or "-"),
        (N_("Courier"), card.courier or "-"), (N_("Attempts"), str(card.attempts)),
        (N_("Recipient"), card.recipient.kind.value if card.recipient else "-"),
    ]
    labels = [_(label) for label, _value in rows]
    width = max(12, *(len(label) for label in labels))
    state = "\n".join(f"{label:<{width}} {value}"
                      for label, (_l, value) in zip(labels, rows, strict=True))
    return state + "\n\n" + history_text(tuple(history_entry(e) for e in events))


def reconcile_data(results: Sequence[CheckResult], now: dt.datetime) -> dict[str, Any]:
    """The JSON form of a reconciliation report."""
    return {
        "clean": all(r.status != "problems" for r in results),
        "as_of": now,
        "checks": [{"name": r.name, "description": r.description, "status": r.status,
                    "note": r.note or None,
                    "findings": [{"where": f.where, "message": f.message} for f in r.findings]}
                   for r in results],
    }


def reconcile_text(results: Sequence[CheckResult], now: dt.datetime) -> str:
    """The readable reconciliation report."""
    lines = [_("Reconciliation as of {time}").format(time=local_time(now))]
    for r in results:
        note = f" ({say(r.note)})" if r.note else ""
        found = (": " + counted(len(r.findings), "{n} problem", "{n} problems")) if r.findings else ""
        lines.append(f"  {r.status:<8} {r.name}: {say(r.description)}{note}{found}")
        for finding in r.findings[:SHOWN_FINDINGS]:
            lines.append(f"             - {say(finding.where)}: {say(finding.message)}")
        if len(r.findings) > SHOWN_FINDINGS:
            lines.append("             " + _("... and {n} more (--json lists all)").format(
                n=len(r.findings) - SHOWN_FINDINGS))
    clean = all(r.status != "problems" for r in results)
    lines.append(_("clean.") if clean else _("NOT clean."))
    return "\n".join(lines)


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Rows as CSV (RFC 4180) on standard output."""
    import sys

    from ektp.entrypoints.cli.output import SafeCsvWriter

    writer = SafeCsvWriter(sys.stdout, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    sys.stdout.flush()


