"""How the blank ledger's results look on screen and in JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ektp.entrypoints.cli.output import count, local_time, table

if TYPE_CHECKING:
    from ektp.application.blank_stock.destruction import DestructionRecord
    from ektp.application.blank_stock.views import (
        BlankMovement,
        BlankView,
        Reconciliation,
        SpoiledBlank,
        StockFigure,
    )

_VERBS = {
    "ConsignmentReceived": "received",
    "BlanksLent": "lent",
    "BlanksBorrowed": "borrowed",
    "LoanReturned": "loan return of",
    "SpoiledDestroyed": "destroyed",
    "BlankSpoiled": "spoiled",
    "BlankReportedMissing": "reported missing",
}
_STATE_LABELS = {
    "IN_STOCK": "in stock", "ALLOCATED": "allocated (awaiting print)", "CONSUMED": "consumed (printed)",
    "SPOILED": "spoiled (awaiting destruction)", "DESTROYED": "destroyed", "LENT": "lent out",
    "MISSING": "missing",
}


def _plural(n: int) -> str:
    return f"{n:,} blank" + ("" if n == 1 else "s")


def movement_data(m: BlankMovement) -> dict[str, Any]:
    """The JSON form of a ledger command's result."""
    return {"event": m.event, "count": m.count, "ranges": list(m.ranges), "in_stock": m.in_stock,
            "conserved": m.conserved, **m.facts}


def movement_text(m: BlankMovement) -> str:
    """One line saying what moved and what is in stock now."""
    if m.event == "StockCounted":
        diff = int(m.facts["difference"])  # type: ignore[call-overload]
        verdict = ("it matches the books" if diff == 0 else
                   f"DISCREPANCY of {diff:+,}: count again, or report the missing blanks")
        return f"counted {m.facts['counted']:,} blanks in stock against {m.facts['book']:,} on the books; {verdict}"
    shown = ", ".join(m.ranges[:5]) + (f" and {len(m.ranges) - 5} more" if len(m.ranges) > 5 else "")
    line = f"{_VERBS.get(m.event, m.event)} {_plural(m.count)}: {shown}; {m.in_stock:,} in stock now"
    return line if m.conserved else line + " (CONSERVATION BROKEN: run ektp blanks reconcile)"


def stock_data(f: StockFigure) -> dict[str, Any]:
    """The JSON form of the daily stock figure."""
    count = f.last_count
    return {
        "office": f.office, "office_name": f.office_name, "date": f.day.isoformat(),
        "as_of": f.as_of, "counts": dict(f.counts), "total": sum(f.counts.values()),
        "received": f.received, "borrowed": f.borrowed, "borrowed_total": f.borrowed_total,
        "given_back": f.given_back, "conserved": f.conserved, "movements": dict(f.movements),
        "last_count": None if count is None else {
            "at": count.at, "counted": count.counted, "book": count.book,
            "difference": count.difference},
    }


def stock_text(f: StockFigure) -> str:
    """The daily stock figure in its published form."""
    total = sum(f.counts.values())
    rows = [(_STATE_LABELS[state], f"{n:,}") for state, n in f.counts.items()]
    width = max(len(label) for label, _ in rows + [("total held", "")])
    lines = [
        "DAILY BLANK STOCK FIGURE (laporan stok blangko KTP-el)",
        f"{f.office_name} ({f.office}), {f.day.isoformat()}, as of {local_time(f.as_of)}",
        "",
        *(f"  {label.ljust(width)}  {value:>10}" for label, value in rows),
        f"  {'total held'.ljust(width)}  {total:>10,}",
        "",
        f"  {'received'.ljust(width)}  {f.received:>10,}",
        f"  {'borrowed, held'.ljust(width)}  {f.borrowed:>10,}",
        "",
        f"Conservation: received {f.received:,} + borrowed {f.borrowed:,} = "
        f"{f.received + f.borrowed:,}; the states add up to {total:,}: "
        + ("HOLDS" if f.conserved else "BROKEN, run ektp blanks reconcile"),
    ]
    moved = [f"{k.replace('_', ' ')} {v:,}" for k, v in f.movements.items() if v]
    lines.append(f"Movements on {f.day.isoformat()}: " + (", ".join(moved) if moved else "none"))
    if f.last_count is not None:
        c = f.last_count
        lines.append(f"Last count: {local_time(c.at)}, {c.counted:,} counted against {c.book:,} "
                     f"on the books ({c.difference:+,})")
    return "\n".join(lines)


def spoiled_data(b: SpoiledBlank) -> dict[str, Any]:
    """The JSON form of a spoiled blank."""
    return {"serial": b.serial, "spoiled_at": b.spoiled_at, "age_days": b.age_days,
            "reason": b.reason, "card_id": str(b.card_id) if b.card_id else None}


def spoiled_text(listed: tuple[SpoiledBlank, ...]) -> str:
    """Spoiled blanks awaiting destruction, one per line."""
    if not listed:
        return "no spoiled blank is waiting to be destroyed."
    return table(["serial", "spoiled", "age (days)", "reason", "card"],
                 [(b.serial, local_time(b.spoiled_at), b.age_days, b.reason, b.card_id) for b in listed])


def blank_data(v: BlankView) -> dict[str, Any]:
    """The JSON form of one blank and its history."""
    return {"serial": v.serial, "state": v.state, "card_id": str(v.card_id) if v.card_id else None,
            "history": [{"version": e.version, "time": e.time, "event": e.event,
                         "actor": {"id": e.actor_id, "role": e.actor_role},
                         "summary": e.summary, "broke_rule": e.broke_rule} for e in v.history]}


def blank_text(v: BlankView) -> str:
    """One blank: its state, then one line per event."""
    head = f"Blank {v.serial}: {v.state}" + (f" (card {v.card_id})" if v.card_id else "")
    rows = [(e.version, local_time(e.time), f"{e.actor_id} ({e.actor_role})",
             e.summary + (f"  [BREAKS A RULE: {e.broke_rule}]" if e.broke_rule else ""))
            for e in v.history]
    return head + "\n" + table(["#", "time", "actor", "what happened"], rows)


def reconciliation_data(r: Reconciliation) -> dict[str, Any]:
    """The JSON form of a reconciliation."""
    return {"clean": r.clean, "conserved": r.conserved, "counts": dict(r.counts),
            "received": r.received, "borrowed": r.borrowed, "events_read": r.events_read,
            "problems": [{"serial": p.serial, "problem": p.what} for p in r.problems]}


def reconciliation_text(r: Reconciliation) -> str:
    """The reconciliation: the recomputed figures, then every problem found."""
    total = sum(r.counts.values())
    states = ", ".join(f"{k.lower().replace('_', ' ')} {v:,}" for k, v in r.counts.items())
    lines = [
        f"Recomputed from {r.events_read:,} event{'' if r.events_read == 1 else 's'}: received {r.received:,} + borrowed "
        f"{r.borrowed:,} = {r.received + r.borrowed:,}; {states} (total {total:,}).",
        "Conservation holds." if r.conserved else "Conservation is BROKEN.",
    ]
    if r.clean:
        lines.append("Every blank is accounted for.")
    else:
        lines.append(f"{count(len(r.problems), 'problem')}:")
        lines += [f"  {p.serial or '(ledger)'}: {p.what}" for p in r.problems]
    return "\n".join(lines)


def destruction_data(r: DestructionRecord) -> dict[str, Any]:
    """The destruction record's data for --json (the page's, without its words)."""
    return {
        "from": r.first.isoformat(), "to": r.last.isoformat(),
        "destroyed": [{"kind": i.kind, "serial": i.serial, "card": i.card_code,
                       "reason": i.reason, "record": i.record_number, "at": i.at}
                      for i in r.items],
        "records": [{"record": s.record_number, "at": s.at, "method": s.method, "by": s.by,
                     "count": s.count,
                     "witnesses": [{"name": n, "role": role} for n, role in s.witnesses]}
                    for s in r.sittings],
    }
