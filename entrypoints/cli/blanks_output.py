"""How the blank ledger's results look on screen and in JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ektp.application.kernel.i18n import N_, _, say
from ektp.entrypoints.cli.output import counted, local_time, number, table

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
    "ConsignmentReceived": N_("received {blanks}"),
    "BlanksLent": N_("lent {blanks}"),
    "BlanksBorrowed": N_("borrowed {blanks}"),
    "LoanReturned": N_("loan return of {blanks}"),
    "SpoiledDestroyed": N_("destroyed {blanks}"),
    "BlankSpoiled": N_("spoiled {blanks}"),
    "BlankReportedMissing": N_("reported missing {blanks}"),
}
_STATE_LABELS = {
    "IN_STOCK": N_("in stock"), "ALLOCATED": N_("allocated (awaiting print)"),
    "CONSUMED": N_("consumed (printed)"), "SPOILED": N_("spoiled (awaiting destruction)"),
    "DESTROYED": N_("destroyed"), "LENT": N_("lent out"), "MISSING": N_("missing"),
}


#: The day's movements as `stock_text` names them (the keys of `folds.movements`).
MOVEMENT_WORDS = (N_("received"), N_("borrowed"), N_("allocated"), N_("consumed"),
                  N_("spoiled"), N_("released"), N_("lent"), N_("came back"),
                  N_("given back"), N_("destroyed"), N_("missing"))


def _plural(n: int) -> str:
    return counted(n, "{n} blank", "{n} blanks")


def _signed(n: int) -> str:
    return ("+" if n > 0 else "-" if n < 0 else "") + number(abs(n))


def movement_data(m: BlankMovement) -> dict[str, Any]:
    """The JSON form of a ledger command's result."""
    return {"event": m.event, "count": m.count, "ranges": list(m.ranges), "in_stock": m.in_stock,
            "conserved": m.conserved, **m.facts}


def movement_text(m: BlankMovement) -> str:
    """One line saying what moved and what is in stock now."""
    if m.event == "StockCounted":
        diff = int(m.facts["difference"])  # type: ignore[call-overload]
        verdict = (_("it matches the books") if diff == 0 else
                   _("DISCREPANCY of {difference}: count again, or report the missing blanks")
                   .format(difference=_signed(diff)))
        return _("counted {counted} blanks in stock against {book} on the books; {verdict}").format(
            counted=number(int(m.facts["counted"])),  # type: ignore[call-overload]
            book=number(int(m.facts["book"])), verdict=verdict)  # type: ignore[call-overload]
    shown = ", ".join(m.ranges[:5]) + (_(" and {n} more").format(n=len(m.ranges) - 5)
                                       if len(m.ranges) > 5 else "")
    verb = _VERBS.get(m.event)
    moved = _(verb).format(blanks=_plural(m.count)) if verb else f"{m.event} {_plural(m.count)}"
    line = _("{moved}: {ranges}; {in_stock} in stock now").format(
        moved=moved, ranges=shown, in_stock=number(m.in_stock))
    return line if m.conserved else line + _(" (CONSERVATION BROKEN: run ektp blanks reconcile)")


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
    rows = [(_(_STATE_LABELS[state]), number(n)) for state, n in f.counts.items()]
    held, received, borrowed = _("total held"), _("received"), _("borrowed, held")
    width = max(len(label) for label in [*(label for label, _n in rows), held, received, borrowed])
    lines = [
        _("DAILY BLANK STOCK FIGURE (laporan stok blangko KTP-el)"),
        _("{office_name} ({office}), {day}, as of {time}").format(
            office_name=f.office_name, office=f.office, day=f.day.isoformat(),
            time=local_time(f.as_of)),
        "",
        *(f"  {label.ljust(width)}  {value:>10}" for label, value in rows),
        f"  {held.ljust(width)}  {number(total):>10}",
        "",
        f"  {received.ljust(width)}  {number(f.received):>10}",
        f"  {borrowed.ljust(width)}  {number(f.borrowed):>10}",
        "",
        _("Conservation: received {received} + borrowed {borrowed} = {sum}; the states add up "
          "to {total}: {verdict}").format(
            received=number(f.received), borrowed=number(f.borrowed),
            sum=number(f.received + f.borrowed), total=number(total),
            verdict=_("HOLDS") if f.conserved else _("BROKEN, run ektp blanks reconcile")),
    ]
    moved = [f"{_(k.replace('_', ' '))} {number(v)}" for k, v in f.movements.items() if v]
    lines.append(_("Movements on {day}: {moved}").format(
        day=f.day.isoformat(), moved=", ".join(moved) if moved else _("none")))
    if f.last_count is not None:
        c = f.last_count
        lines.append(_("Last count: {time}, {counted} counted against {book} on the books "
                       "({difference})").format(time=local_time(c.at), counted=number(c.counted),
                                                book=number(c.book),
                                                difference=_signed(c.difference)))
    return "\n".join(lines)


def spoiled_data(b: SpoiledBlank) -> dict[str, Any]:
    """The JSON form of a spoiled blank."""
    return {"serial": b.serial, "spoiled_at": b.spoiled_at, "age_days": b.age_days,
            "reason": b.reason, "card_id": str(b.card_id) if b.card_id else None}


def spoiled_text(listed: tuple[SpoiledBlank, ...]) -> str:
    """Spoiled blanks awaiting destruction, one per line."""
    if not listed:
        return _("no spoiled blank is waiting to be destroyed.")
    return table([N_("serial"), N_("spoiled"), N_("age (days)"), N_("reason"), N_("card")],
                 [(b.serial, local_time(b.spoiled_at), b.age_days, b.reason, b.card_id) for b in listed])


def blank_data(v: BlankView) -> dict[str, Any]:
    """The JSON form of one blank and its history."""
    return {"serial": v.serial, "state": v.state, "card_id": str(v.card_id) if v.card_id else None,
            "history": [{"version": e.version, "time": e.time, "event": e.event,
                         "actor": {"id": e.actor_id, "role": e.actor_role},
                         "summary": e.summary, "broke_rule": e.broke_rule} for e in v.history]}


def blank_text(v: BlankView) -> str:
    """One blank: its state, then one line per event."""
    head = _("Blank {serial}: {state}").format(serial=v.serial, state=v.state) \
        + (_(" (card {card})").format(card=v.card_id) if v.card_id else "")
    rows = [(e.version, local_time(e.time), f"{e.actor_id} ({e.actor_role})",
             say(e.summary) + (_("  [BREAKS A RULE: {rule}]").format(rule=say(e.broke_rule))
                          if e.broke_rule else ""))
            for e in v.history]
    return head + "\n" + table(["#", N_("time"), N_("actor"), N_("what happened")], rows)


def reconciliation_data(r: Reconciliation) -> dict[str, Any]:
    """The JSON form of a reconciliation."""
    return {"clean": r.clean, "conserved": r.conserved, "counts": dict(r.counts),
            "received": r.received, "borrowed": r.borrowed, "events_read": r.events_read,
            "problems": [{"serial": p.serial, "problem": p.what} for p in r.problems]}


def reconciliation_text(r: Reconciliation) -> str:
    """The reconciliation: the recomputed figures, then every problem found."""
    total = sum(r.counts.values())
    states = ", ".join(f"{_(_STATE_LABELS[k]) if k in _STATE_LABELS else k.lower().replace('_', ' ')} "
                       f"{number(v)}" for k, v in r.counts.items())
    lines = [
        _("Recomputed from {events}: received {received} + borrowed {borrowed} = {sum}; "
          "{states} (total {total}).").format(
            events=counted(r.events_read, "{n} event", "{n} events"), received=number(r.received),
            borrowed=number(r.borrowed), sum=number(r.received + r.borrowed), states=states,
            total=number(total)),
        _("Conservation holds.") if r.conserved else _("Conservation is BROKEN."),
    ]
    if r.clean:
        lines.append(_("Every blank is accounted for."))
    else:
        lines.append(counted(len(r.problems), "{n} problem", "{n} problems") + ":")
        lines += [f"  {p.serial or _('(ledger)')}: {say(p.what)}" for p in r.problems]
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
