"""``ektp report ...``: figures for the head of office (daily, backlog, villages and
delivery), all from the read models."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import SafeCsvWriter, emit, local_time, table
from ektp.entrypoints.cli.session import session

if TYPE_CHECKING:
    from ektp.application.reports.delivery import DeliveryFold, Tally
    from ektp.application.ports.region_directory import RegionDirectory

REASONS = ["not-at-home", "address-not-found", "moved", "refused", "identity-mismatch", "deceased"]


CSV = click.option("--csv", "as_csv", is_flag=True, help="Comma-separated values for spreadsheets.")
DAILY_METRICS = ("requests", "printed", "spoiled", "dispatched", "handed_over", "returned",
                 "failed_attempts", "cancelled")
STOCK_STATES = ("IN_STOCK", "ALLOCATED", "CONSUMED", "SPOILED", "DESTROYED", "LENT", "MISSING")


def _table_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")


def _show(data: Any, headers: Sequence[str], rows: Sequence[Sequence[object]], as_csv: bool,
          empty: str = N_("nothing to report.")) -> None:
    s = session()
    if as_csv and not s.as_json:
        click.echo(_table_csv(headers, rows))
    else:
        emit(s.as_json, data, table(headers, rows) if rows else _(empty))


@click.group(cls=translated.Group)
def report() -> None:
    """Figures for the head of office (``--json`` before the group, or ``--csv``)."""


def _rate(tally: Tally) -> str:
    rate = tally.first_attempt_rate
    return "-" if rate is None else f"{rate:.0%}"


def _tally_data(tally: Tally) -> dict[str, Any]:
    return {
        "dispatched": tally.dispatched,
        "handed_over": {"owner": tally.handed_over_owner, "proxy": tally.handed_over_proxy},
        "failed_attempts": {reason: tally.failed[reason] for reason in REASONS if tally.failed[reason]},
        "returned": tally.returned,
        "rounds_with_outcome": tally.rounds_with_outcome,
        "first_attempt_successes": tally.first_attempt_successes,
        "first_attempt_success_rate": tally.first_attempt_rate,
    }


def _rows(fold: DeliveryFold, regions: RegionDirectory) -> list[tuple[str, str, str, Tally]]:
    """(section, code, name, tally): each kecamatan followed by its villages, then couriers."""
    from ektp.application.reports.region_names import name_of

    rows = []
    for kecamatan in sorted(fold.kecamatan):
        rows.append(("kecamatan", kecamatan, name_of(regions, kecamatan), fold.kecamatan[kecamatan]))
        for village in sorted(v for v in fold.villages if v.startswith(kecamatan + ".")):
            rows.append(("village", village, name_of(regions, village), fold.villages[village]))
    rows += [("courier", courier, "", fold.couriers[courier]) for courier in sorted(fold.couriers)]
    rows.append(("total", "", "", fold.total))
    return rows


def _text(rows: list[tuple[str, str, str, Tally]], title: str) -> str:
    def failed(t: Tally) -> str:
        detail = ", ".join(f"{r} {t.failed[r]}" for r in REASONS if t.failed[r])
        return f"{t.failed_attempts} ({detail})" if detail else "0"

    def line(section: str, code: str, name: str, t: Tally) -> tuple[object, ...]:
        label = {"kecamatan": f"Kec. {name} ({code})", "village": f"  {code} {name}",
                 "courier": code, "total": _("all")}[section]
        return (label, t.dispatched, t.handed_over_owner, t.handed_over_proxy, failed(t),
                t.returned, _rate(t))

    headers = ["", N_("dispatched"), N_("owner"), N_("proxy"), N_("failed attempts"),
               N_("returned"), N_("1st-attempt")]
    places = [line(*r) for r in rows if r[0] in ("kecamatan", "village")]
    couriers = [line(*r) for r in rows if r[0] in ("courier", "total")]
    return "\n".join([title, "", _("By kecamatan and village"),
                      table(headers, places) if places else _("  (nothing dispatched)"), "",
                      _("By courier"), table(headers, couriers)])


def _csv(rows: list[tuple[str, str, str, Tally]]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(["section", "code", "name", "dispatched", "handed_over_owner",
                     "handed_over_proxy", *[f"failed_{r.replace('-', '_')}" for r in REASONS],
                     "returned", "rounds_with_outcome", "first_attempt_successes",
                     "first_attempt_success_rate"])
    for section, code, name, t in rows:
        rate = t.first_attempt_rate
        writer.writerow([section, code, name, t.dispatched, t.handed_over_owner,
                         t.handed_over_proxy, *[t.failed[r] for r in REASONS], t.returned,
                         t.rounds_with_outcome, t.first_attempt_successes,
                         "" if rate is None else f"{rate:.4f}"])
    return out.getvalue()


@report.command()
@click.option("--from", "start", help="First day (office time), e.g. 2017-11-01.")
@click.option("--to", "end", help="Last day, inclusive.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV: one row per kecamatan, village, courier.")
def delivery(start: str | None, end: str | None, as_csv: bool) -> None:
    """Delivery per kecamatan, village and courier: dispatched, handed over (owner / proxy),
    failed attempts by reason, returned, and the first-attempt success rate (the share of
    dispatches, among those with an outcome, whose first outcome was a hand-over)."""
    s = session()
    office = s.office(must_exist=True)
    fold = office.reports.delivery_report(start, end)
    rows = _rows(fold, office.regions)
    if as_csv and not s.as_json:
        click.echo(_csv(rows), nl=False)
        return
    period = _("{start} to {end}").format(start=start or _("the beginning"),
                                          end=end or _("today"))
    data = {
        "from": start, "to": end,
        "kecamatan": [{"code": c, "name": n, **_tally_data(t)} for sec, c, n, t in rows if sec == "kecamatan"],
        "villages": [{"code": c, "name": n, **_tally_data(t)} for sec, c, n, t in rows if sec == "village"],
        "couriers": [{"courier": c, **_tally_data(t)} for sec, c, _, t in rows if sec == "courier"],
        "total": _tally_data(fold.total),
    }
    emit(s.as_json, data, _text(rows, _("Delivery from {period}").format(period=period)))


@report.command()
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day (default today, WIB).")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First day of a span, one row a day.")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day of the span, inclusive (default today).")
@CSV
def daily(day: str | None, start: str | None, end: str | None, as_csv: bool) -> None:
    """One day's requests, prints, spoiled blanks, dispatches, hand-overs and returns,
    and the blank stock figure at the end of that day; with --from/--to, one row per day
    of the span (at most a year). Each result counts on the day it happened (the
    courier's time), not the day it was typed in."""
    from ektp.domain.errors import InvalidText

    if day is not None and (start is not None or end is not None):
        raise InvalidText(field="--date", reason=_("give either --date or --from/--to, not both"))
    if end is not None and start is None:
        raise InvalidText(field="--to", reason=_("give --from with it"))
    reports = session().office(must_exist=True).reports
    if start is not None:
        days = reports.daily_span_report(start, end)
    else:
        days = (reports.daily_report(day),)
    s = session()
    keys = ["date", *DAILY_METRICS, *(f"stock_{state.lower()}" for state in STOCK_STATES)]
    rows = [(f.day.isoformat(), *(f.counts.get(m, 0) for m in DAILY_METRICS),
             *(f.stock.get(state, 0) for state in STOCK_STATES)) for f in days]
    data = [{"date": f.day.isoformat(), **{m: f.counts.get(m, 0) for m in DAILY_METRICS},
             "stock": {state.lower(): f.stock.get(state, 0) for state in STOCK_STATES}} for f in days]
    if as_csv or s.as_json:
        # --csv and --json keep the snake_case keys scripts read; one day stays one object.
        _show(data[0] if start is None else data, keys, rows, as_csv)
        return
    # Words for people on screen.
    last = days[-1]
    emit(False, None, "\n\n".join([
        table([N_("date"), *(_words(m) for m in DAILY_METRICS)],
              [r[:1 + len(DAILY_METRICS)] for r in rows]),
        _("blank stock at the end of {day}:").format(day=last.day.isoformat()) + "\n" + table(
            [_words(k.lower()) for k in STOCK_STATES],
            [tuple(last.stock.get(state, 0) for state in STOCK_STATES)]),
    ]))


# The figures an office sends up each month: (JSON key, the words people read).
MONTHLY = (("requests", N_("requests")), ("printed", N_("cards printed")),
           ("dispatched", N_("dispatched")), ("handed_over", N_("handed over")),
           ("returned", N_("returned")), ("failed_prints", N_("failed prints")),
           ("failed_attempts", N_("failed delivery attempts")), ("cancelled", N_("cancelled")),
           ("blanks_received", N_("blanks received")),
           ("blanks_used", N_("blanks used (printed on)")),
           ("blanks_spoiled", N_("blanks spoiled")), ("blanks_destroyed", N_("blanks destroyed")))


def monthly_figures(days: Sequence[Any]) -> dict[str, int]:
    """The month's totals: the sum of its days' counts and blank flows."""
    totals = dict.fromkeys((key for key, _ in MONTHLY), 0)
    for f in days:
        for metric in ("requests", "printed", "dispatched", "handed_over", "returned",
                       "failed_attempts", "cancelled"):
            totals[metric] += f.counts.get(metric, 0)
        totals["failed_prints"] += f.counts.get("spoiled", 0)
        for flow, n in f.blanks().items():
            totals[f"blanks_{flow}"] += n
    return totals


@report.command()
@click.option("--month", required=True, metavar="YYYY-MM", help="The calendar month, e.g. 2017-11.")
@CSV
def monthly(month: str, as_csv: bool) -> None:
    """The month's figures an office sends up: requests, cards printed, dispatched,
    handed over, returned, failed prints, and blanks received, used, spoiled and
    destroyed, each counted on the day it happened; and the blank stock at the month's end."""
    days = session().office(must_exist=True).reports.monthly_report(month)
    totals = monthly_figures(days)
    stock = {state.lower(): days[-1].stock.get(state, 0) for state in STOCK_STATES}
    s = session()
    first, last = days[0].day.isoformat(), days[-1].day.isoformat()
    if as_csv or s.as_json:
        _show({"month": month.strip(), "from": first, "to": last, **totals, "stock": stock},
              ["month", *totals, *(f"stock_{k}" for k in stock)],
              [(month.strip(), *totals.values(), *stock.values())], as_csv)
        return
    words = dict(MONTHLY)
    emit(False, None, "\n\n".join([
        _("Month {month} ({first} to {last})").format(month=month.strip(), first=first, last=last),
        table([N_("figure"), N_("count")], [(_(words[k]), n) for k, n in totals.items()]),
        _("blank stock at the end of {day}:").format(day=last) + "\n" + table(
            [_words(k) for k in stock],
                                                       [tuple(stock.values())]),
    ]))


def _words(key: str) -> str:
    """A snake_case key as a column header: ``failed_attempts`` -> ``failed attempts``
    (translated by `table`: the words are in `HEADER_WORDS`)."""
    return key.replace("_", " ")


#: `_words` of the daily figures and stock states, marked for the catalogs.
HEADER_WORDS = (N_("requests"), N_("printed"), N_("spoiled"), N_("dispatched"),
                N_("handed over"), N_("returned"), N_("failed attempts"), N_("cancelled"),
                N_("in stock"), N_("allocated"), N_("consumed"), N_("destroyed"), N_("lent"),
                N_("missing"))


@report.command()
@CSV
def backlog(as_csv: bool) -> None:
    """Open cards per kecamatan (code and name) by state and age band, oldest first."""
    from ektp.application.reports.region_names import name_of

    office = session().office(must_exist=True)
    rows = office.reports.backlog_report()
    names = {r.kecamatan: name_of(office.regions, r.kecamatan) for r in rows}
    data = [{"kecamatan": r.kecamatan, "kecamatan_name": names[r.kecamatan], "status": r.status,
             "age_band": r.age_band, "cards": r.cards,
             "oldest_requested_at": r.oldest_requested_at} for r in rows]
    # The name beside the code for people; --csv keeps its columns for scripts (--json
    # adds kecamatan_name).
    shown = (lambda r: r.kecamatan) if as_csv else (lambda r: f"{r.kecamatan} {names[r.kecamatan]}")
    _show(data, [N_("kecamatan"), N_("status"), N_("age band"), N_("cards"),
                 N_("oldest request")],
          [(shown(r), r.status, r.age_band if as_csv else _(r.age_band), r.cards,
            local_time(r.oldest_requested_at))
           for r in rows], as_csv, N_("no open cards."))


@report.command()
@CSV
def villages(as_csv: bool) -> None:
    """Coverage per village: requests, handed over, still open, cancelled."""
    from ektp.application.reports.region_names import name_of

    office = session().office(must_exist=True)
    rows = office.reports.village_report()
    names = {r.village: name_of(office.regions, r.village) for r in rows}
    data = [{"village": r.village, "name": names[r.village], "requested": r.requested, "handed_over": r.handed_over,
             "open": r.open, "cancelled": r.cancelled,
             "coverage": None if r.coverage is None else f"{r.coverage:.3f}"} for r in rows]
    _show(data, [N_("village"), N_("name"), N_("requested"), N_("handed over"), N_("open"),
                 N_("cancelled"), N_("coverage")],
          [(r.village, names[r.village], r.requested, r.handed_over, r.open, r.cancelled,
            "-" if r.coverage is None else f"{r.coverage:.0%}") for r in rows], as_csv)


@report.command()
@click.option("--kecamatan", metavar="K", help="One kecamatan, by code or by its name.")
@click.option("--min-days", "min_days", type=click.IntRange(min=0), default=0, show_default=True,
              help="Only cards back at the office for at least this many days.")
@CSV
def uncollected(kecamatan: str | None, min_days: int, as_csv: bool) -> None:
    """Cards back at the office waiting for their owners (returned or declared
    uncollected), per village with their age in days, for the kecamatan notice board.

    The list is posted publicly, so it shows only the masked NIK and the name's
    initials (never a full NIK or name), with the village name and the card's short id."""
    from ektp.application.reports.region_names import name_of

    office = session().office(must_exist=True)
    rows = office.reports.uncollected_report(kecamatan, min_days)
    names = {code: name_of(office.regions, code)
             for code in {r.village for r, _ in rows} | {r.kecamatan for r, _ in rows}}
    data = [{"card": str(r.id), "village": r.village, "village_name": names[r.village],
             "kecamatan": r.kecamatan, "kecamatan_name": names[r.kecamatan], "status": r.status,
             "nik": r.nik_masked, "initials": r.initials, "returned_at": r.returned_at,
             "days": days} for r, days in rows]
    _show(data, [N_("village"), N_("name"), N_("card"), N_("nik"), N_("initials"), N_("status"),
                 N_("back since"), N_("days")],
          [(r.village, names[r.village], str(r.id)[:8], r.nik_masked, r.initials, r.status,
            local_time(r.returned_at), days) for r, days in rows],
          as_csv, N_("no cards waiting at the office."))


# The bulletin's lines: (JSON key, words), the day's flows then the balances at its end.
BULLETIN = (("received", N_("received today")), ("printed", N_("printed on today")),
            ("spoiled", N_("spoiled today")), ("destroyed", N_("destroyed today")),
            ("in_stock", N_("in stock")), ("allocated", N_("allocated to cards")),
            ("on_loan", N_("on loan to other offices")), ("received_total", N_("received in all")))


def bulletin_data(figures: Any, checkpoint: Any, office: str) -> dict[str, Any]:
    """The bulletin as JSON: the day's figures and its checkpoint (None when none)."""
    flows = figures.blanks()
    stock = figures.stock
    point = None
    if checkpoint is not None:
        import base64

        c = checkpoint.checkpoint.checkpoint
        point = {"tree_size": c.size, "root_hash": base64.b64encode(c.root).decode(),
                 "covers_whole_day": checkpoint.whole_day}
    return {"date": figures.day.isoformat(), "office": office,
            "received": flows["received"], "printed": flows["used"],
            "spoiled": flows["spoiled"], "destroyed": flows["destroyed"],
            "in_stock": stock.get("IN_STOCK", 0), "allocated": stock.get("ALLOCATED", 0),
            "on_loan": stock.get("LENT", 0), "received_total": stock.get("RECEIVED", 0),
            "checkpoint": point}


def _checkpoint_words(point: dict[str, Any] | None) -> str:
    if point is None:
        return _("No checkpoint of this day's journal was signed (ektp audit checkpoint).")
    whole = "" if point["covers_whole_day"] else _(" (events recorded later that day are not in it)")
    return _("Checkpoint of the day's journal: tree size {size}, root hash {root}{whole}.").format(
        size=point["tree_size"], root=point["root_hash"], whole=whole)


def bulletin_html(data: dict[str, Any]) -> str:
    """The bulletin as one A4 HTML page, for printing and posting."""
    from html import escape

    from ektp.application.kernel.i18n import in_force

    rows = "\n".join(f"<tr><th>{escape(_(words))}</th><td>{data[key]}</td></tr>"
                     for key, words in BULLETIN)
    lang = in_force().info().get("language", "en")
    title = escape(_("Blank stock bulletin"))
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}"><head><meta charset="utf-8">
<title>{title} {escape(data['date'])}</title>
<style>@page {{ size: A4; margin: 20mm; }} body {{ font-family: sans-serif; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #000;
padding: 4px 8px; }} th {{ text-align: left; }} td {{ text-align: right; }}
.checkpoint {{ font-family: monospace; word-break: break-all; margin-top: 12mm; }}</style>
</head><body>
<h1>{title}</h1>
<p>{escape(data['office'])}, {escape(data['date'])}</p>
<table>
{rows}
</table>
<p class="checkpoint">{escape(_checkpoint_words(data['checkpoint']))}</p>
</body></html>
"""


@report.command("blank-stock-bulletin")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day (default today, WIB).")
@click.option("--json", "local_json", is_flag=True, help="JSON (as --json before the group).")
@click.option("--format", "form", type=click.Choice(["text", "html"]), default="text",
              show_default=True, help="html: one A4 page to print and post.")
def blank_stock_bulletin(day: str | None, local_json: bool, form: str) -> None:
    """The day's blank-stock bulletin, the figure offices publish every day: blanks
    received, printed on, spoiled and destroyed that day; in stock, allocated and on loan
    at its end; with the checkpoint signed of that day's journal (its tree size and root
    hash) when there is one."""
    s = session()
    office = s.office(must_exist=True)
    figures, checkpoint = office.reports.blank_stock_bulletin(day)
    data = bulletin_data(figures, checkpoint, office.config.office_name or office.config.office_code)
    if s.as_json or local_json:
        emit(True, data)
    elif form == "html":
        click.echo(bulletin_html(data), nl=False)
    else:
        emit(False, None, "\n\n".join([
            _("Blank stock bulletin, {date}").format(date=data["date"]),
            table([N_("figure"), N_("blanks")], [(_(words), data[key]) for key, words in BULLETIN]),
            _checkpoint_words(data["checkpoint"])]))
