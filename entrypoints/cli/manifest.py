"""``ektp manifest ...``: a courier's delivery round, from opening to the signed close.

M is a manifest id, as printed by ``ektp manifest open``. A card on a manifest
leaves, is delivered and comes back only through it; ``ektp card dispatch`` is
for a single card outside any manifest.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.documents import FORCE as DOCUMENT_FORCE
from ektp.entrypoints.cli.documents import FORMAT as DOCUMENT_FORMAT
from ektp.entrypoints.cli.documents import OUTPUT as DOCUMENT_OUTPUT
from ektp.entrypoints.cli.manifest_output import (
    manifest_data,
    manifest_row_data,
    manifest_text,
    manifests_table,
    results_data,
    results_text,
)
# How many bad rows of a results file are listed on the terminal; all go to a file.
from ektp.entrypoints.cli.bad_rows import SHOWN_BAD_ROWS
from ektp.entrypoints.cli.output import counted, emit
from ektp.entrypoints.cli.session import session


if TYPE_CHECKING:
    from ektp.application.manifest.views import ManifestView

MANIFEST = click.argument("manifest", metavar="M")


def _done(view: ManifestView, verb: str) -> None:
    emit(session().as_json, manifest_data(view),
         _("manifest {id}: {verb}; now {status} with {count}").format(id=view.id, verb=verb, status=view.status, count=counted(len(view.cards), "{n} card", "{n} cards")))


@click.group(cls=translated.Group)
def manifest() -> None:
    """A courier's delivery round: open, assign, dispatch, record results, check in, close."""


@manifest.command("open")
@click.option("--courier", required=True, help="The courier's staff id.")
@click.option("--date", "date", required=True, help="The day of the round, e.g. 2017-11-14.")
@click.option("--village", "villages", multiple=True, required=True,
              help="A village code on the route (repeat for each village).")
def open_(courier: str, date: str, villages: tuple[str, ...]) -> None:
    """Open a manifest for a courier's round; prints the new manifest id."""
    s = session()
    view = s.office().manifests.open_manifest(s.actor(), courier=courier, date=date, villages=villages)
    emit(s.as_json, manifest_data(view), str(view.id))


@manifest.command()
@MANIFEST
@click.argument("cards", nargs=-1, metavar="[CARD]...")
@click.option("--all-ready", is_flag=True,
              help="Every card of the manifest's villages ready to go out and on no manifest: "
                   "printed, or returned to the office for re-delivery while under the "
                   "attempt cap.")
def assign(manifest: str, cards: tuple[str, ...], all_ready: bool) -> None:
    """Put printed (or returned) cards of the manifest's villages on it, all or none.

    A returned card goes out again while its failed attempts are under the cap (3 by
    default); at the cap it stays at the office for collection there."""
    if bool(cards) == all_ready:
        raise click.UsageError(_("give CARD ids or NIKs, or --all-ready (not both)"))
    s = session()
    office = s.office()
    before = len(office.manifests.manifest(manifest).cards)
    view = (office.manifests.assign_ready_cards(s.actor(), manifest) if all_ready
            else office.manifests.assign_cards(s.actor(), manifest, list(cards)))
    _done(view, _("{count} assigned").format(count=counted(len(view.cards) - before, "{n} card", "{n} cards")))


@manifest.command()
@MANIFEST
@click.argument("cards", nargs=-1, required=True, metavar="CARD...")
@click.option("--reason", help="Why the cards are taken off.")
def remove(manifest: str, cards: tuple[str, ...], reason: str | None) -> None:
    """Take cards off a manifest that has not been dispatched."""
    s = session()
    _done(s.office().manifests.remove_cards(s.actor(), manifest, list(cards), reason),
          _("{count} removed").format(count=counted(len(cards), "{n} card", "{n} cards")))


@manifest.command()
@MANIFEST
@click.option("--seal", required=True, help="The number of the seal on the bag of cards.")
def dispatch(manifest: str, seal: str) -> None:
    """The courier leaves: the manifest and every card on it are dispatched together."""
    s = session()
    _done(s.office().manifests.dispatch_manifest(s.actor(), manifest, seal), _("dispatched under seal {seal}").format(seal=seal))


@manifest.command()
@MANIFEST
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="The results file: the filled-in XLSX sheet, or CSV ('-' for standard input).")
@click.option("--partial", is_flag=True, help="Record the valid rows and list the others.")
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False), metavar="FILE",
              # A literal, so that it is in the catalogs: 50 is SHOWN_BAD_ROWS.
              help="Write every bad row to this new file (by default only when there are more "
                   "than 50, to FILE.errors.txt beside the results file).")
@click.option("--digits-checked", is_flag=True,
              help="A CSV's NIK and KK written as 16 bare digits ending in 0 were checked "
                   "against each person's card (without it they are refused: a spreadsheet "
                   "turns every 16-digit number it touched into one ending in 0).")
@click.option("--at", "at", metavar="'YYYY-MM-DD HH:MM'",
              help="When the results happened (the courier's time, office time zone), for "
                   "every row without its own at cell; without either, the time they are "
                   "recorded. Not in the future, not before the dispatch.")
def record(manifest: str, path: str, partial: bool, digits_checked: bool, at: str | None,
           errors_file: str | None) -> None:
    """Record the courier's results file: one row per outcome.

    The file is the filled-in sheet (``manifest sheet --format xlsx``, or csv) or any
    CSV with the columns card (id or NIK), outcome (handed-over, attempt-failed,
    returned), recipient (owner, proxy), relationship, verified-by (fingerprint, ktp,
    kk), evidence, reason (for a failed attempt: not-at-home, address-not-found, moved,
    refused, identity-mismatch, deceased), and for a proxy proxy-nik, proxy-name,
    proxy-kk; optionally place, old-card and at (when it happened, e.g. 2017-11-14
    10:30). Every row is checked first: if any is bad nothing is recorded and each bad
    row is listed by line. Rows already recorded are skipped.

    \b
    When it happened: a row's at cell, else --at, else the moment of recording. Results
    typed in a day late keep the courier's time beside the recording time, and the
    reports (report delivery, report daily) count them on the day they happened.

    \b
    NIK and KK numbers: a spreadsheet keeps 15 digits of a number, so a NIK typed
    into a spreadsheet's ordinary cell loses its last digit (it ends in 0). The XLSX
    sheet stores those columns as text; in it a number cell there is refused. In a
    CSV, write them in four groups (3517 0812 0385 1234): 16 bare digits ending in 0
    are refused unless --digits-checked.

    \b
    Limits: a results file of more than 50 MB or 100,000 rows is refused before it is
    read whole (split it). Bad rows: the first 50 are listed, with their count; all of
    them go to the --errors file (FILE.errors.txt by default when there are more)."""
    from ektp.adapters.files import read_limited
    from ektp.adapters.spreadsheet.files import read_table_file
    from ektp.application.manifest.results_file import REQUIRED, WHAT
    from ektp.application.tables.table import MAX_FILE_BYTES
    from ektp.domain.errors import InvalidResultsFile
    from ektp.entrypoints.cli.sheet_labels import as_codes, header_aliases

    s = session()
    actor = s.actor()
    table = as_codes(read_table_file(read_limited(path, MAX_FILE_BYTES, WHAT), REQUIRED, WHAT,
                                     header_aliases()))
    try:
        result = s.office().manifests.record_results(actor, manifest, table.rows, partial=partial,
                                                     digits_checked=digits_checked, at=at)
    except InvalidResultsFile as bad:
        rows = bad.details
        note = _list_bad_rows(rows, path, errors_file)
        raise InvalidResultsFile(bad=bad.facts["bad"], total=bad.facts["total"],
                                 rows=rows[:SHOWN_BAD_ROWS] + ([note] if note else [])) from None
    note = _list_bad_rows(list(result.skipped), path, errors_file)
    emit(s.as_json, results_data(result, SHOWN_BAD_ROWS, note),
         results_text(result, SHOWN_BAD_ROWS, note))


def _list_bad_rows(rows: list[str], path: str, errors_file: str | None) -> str:
    """Every bad row written to the errors file (see `bad_rows.list_bad_rows`)."""
    from ektp.entrypoints.cli.bad_rows import list_bad_rows

    return list_bad_rows(rows, path, errors_file)


@manifest.command("return")
@MANIFEST
@click.option("--seal-intact/--seal-broken", required=True,
              help="Whether the returning bag's seal is intact.")
@click.option("--note", help="A note on the check-in.")
def return_(manifest: str, seal_intact: bool, note: str | None) -> None:
    """Check the courier back in (an officer, not the courier): every card not handed
    over returns to the office."""
    s = session()
    view = s.office().manifests.check_in_manifest(s.actor(), manifest, seal_intact=seal_intact, note=note)
    _done(view, _("checked in, {checked_in} returned").format(checked_in=counted(view.checked_in, "{n} card", "{n} cards")))


@manifest.command()
@MANIFEST
@click.option("--record", required=True, help="The signed hand-over record (BAST) number.")
def close(manifest: str, record: str) -> None:
    """Close a manifest once every dispatched card is handed over or returned."""
    s = session()
    _done(s.office().manifests.close_manifest(s.actor(), manifest, record), _("closed under record {record}").format(record=record))


@manifest.command()
@MANIFEST
def show(manifest: str) -> None:
    """Show a manifest and each of its cards: masked NIK, the name's initials, village
    (code and name) and the courier's outcome."""
    s = session()
    office = s.office(must_exist=True)
    view = office.manifests.manifest(manifest, people=True)
    emit(s.as_json, manifest_data(view), manifest_text(view, office.regions) if not s.as_json else None)


@manifest.command("list")
@click.option("--status", type=click.Choice(["OPEN", "DISPATCHED", "RETURNED", "CLOSED"],
                                            case_sensitive=False), help="Only manifests in this state.")
def list_(status: str | None) -> None:
    """List manifests, oldest first."""
    s = session()
    office = s.office(must_exist=True)
    found = office.manifests.list_manifests(status)
    if s.as_json:
        emit(True, [manifest_row_data(m) for m in found])
        return
    emit(False, None, manifests_table(found, office.regions))


# A courier's sheet has one purpose by what it is; --purpose names another (a recount, say).
SHEET_PURPOSE = "delivery of the manifest's cards by its courier"  # recorded: English


@manifest.command()
@MANIFEST
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "html", "pdf", "xlsx"]),
              default="text", show_default=True,
              help=("text for a screen, xlsx for a spreadsheet (NIK columns kept as text, "
                      "dropdowns), csv for scripts, html to print on A4, pdf printed by "
                      "headless Chromium (needs Debian's chromium)."))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this new file (mode 0600) instead of standard output (needed for "
                   "xlsx on a terminal); never through a symbolic link, never the database.")
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
@click.option("--purpose", default=SHEET_PURPOSE, show_default=True,
              help="Why the sheet is printed (it names every resident on it: recorded in "
                   "the access log).")
def sheet(manifest: str, fmt: str, output: Path | None, force: bool, purpose: str) -> None:
    """The sheet the courier carries: cards by kecamatan, village, RT/RW, with masked NIK,
    name, address and what manifest record needs. On paper (html, pdf: A4, in
    Indonesian) each card has its short code and QR code, its dusun and phone number
    (a blank line for each the request gave none), boxes for outcome, recipient,
    verified-by and place, lines for reason, evidence,
    time, the proxy and, for a damaged or data-change request, the old card's serial.

    The filled-in xlsx or csv sheet is what ``manifest record --file`` takes. Fill it
    in as the XLSX workbook: its NIK and KK columns are text, so all 16 digits stay.
    A spreadsheet that opens the CSV turns 16 typed digits into a number and keeps 15
    of them (3517081203851234 becomes 3517081203851230): in a CSV, write NIK and KK in
    four groups (3517 0812 0385 1234), as its headers ask."""
    s = session()
    if fmt == "xlsx" and output is None and not s.as_json and sys.stdout.isatty():
        raise click.UsageError(_("an XLSX workbook is a binary file: give --output FILE "
                                 "(or redirect standard output to a file)"))
    if fmt == "pdf" and output is None and not s.as_json and sys.stdout.isatty():
        raise click.UsageError(_("a PDF is a binary file: give --output FILE "
                                 "(or redirect standard output to a file)"))
    if output is not None and not s.as_json:
        # A refused output is refused before the sheet's access is written to the
        # access log: nothing is recorded for a sheet that is never shown.
        from ektp.adapters.files import check_target, protected_paths

        url = s.database()
        check_target(str(output), force=force,
                     protected=protected_paths(url.path) if url.kind == "sqlite" else ())
    if fmt == "pdf" and not s.as_json:
        # No Chromium: said before the sheet's access is written to the access log.
        from ektp.adapters.pdf import require_browser

        require_browser()
    found = s.office(must_exist=True).manifests.manifest_sheet(manifest, s.actor(), purpose=purpose)
    if s.as_json:
        emit(True, {"manifest": manifest_data(found.manifest), "villages": list(found.village_labels),
                    "rows": [{"no": r.number, "card": str(r.card_id), "code": r.short_code,
                              "request": r.request_reason, "kecamatan": r.kecamatan,
                              "village": r.village, "dusun": r.dusun, "rt": r.rt, "rw": r.rw, "nik": r.nik,
                              "name": r.name, "phone": r.phone, "address": r.address}
                             for r in found.rows]})
        return
    if fmt in ("xlsx", "pdf"):
        if fmt == "xlsx":
            from ektp.entrypoints.cli.sheet_workbook import sheet_workbook

            data = sheet_workbook(found)
        else:
            from ektp.adapters.pdf import html_to_pdf
            from ektp.entrypoints.cli.sheet_render import sheet_html

            data = html_to_pdf(sheet_html(found))
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            _write_whole(output, data, force)
        return
    from ektp.entrypoints.cli.sheet_render import sheet_csv, sheet_html, sheet_text

    text = {"text": sheet_text, "csv": sheet_csv, "html": sheet_html}[fmt](found)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        _write_whole(output, text.encode("utf-8"), force)


def _write_whole(path: Path, data: bytes, force: bool) -> None:
    """Write `data` to `path` whole or not at all, by the file rules (`ektp.adapters.files`):
    a new private file, or with `force` a replaced one, never the office database."""
    from ektp.adapters.files import protected_paths, write_file

    url = session().database()
    write_file(str(path), data, force=force,
               protected=protected_paths(url.path) if url.kind == "sqlite" else ())


@manifest.command("handover-record")
@MANIFEST
@DOCUMENT_FORMAT
@DOCUMENT_OUTPUT
@DOCUMENT_FORCE
def handover_record(manifest: str, fmt: str, output: str | None, force: bool) -> None:
    """The hand-over record (berita acara serah terima) of a manifest: A4, in Indonesian,
    its courier, date, villages, every card (short code, masked NIK, initials, village,
    outcome), the counts and the signature blocks of the courier, the officer checking
    it in and the head of office. HTML to standard output unless --output; --format pdf
    needs Chromium. With --json, the manifest's data (masked) instead of a page."""
    from ektp.application.reports.region_names import name_of
    from ektp.entrypoints.cli.documents import deliver, refuse_binary_on_terminal
    from ektp.entrypoints.documents.pages import handover_html

    s = session()
    if not s.as_json:
        refuse_binary_on_terminal(fmt, output)
    office = s.office(must_exist=True)
    found = office.manifests.manifest(manifest, people=True)
    if s.as_json:
        emit(True, manifest_data(found))
        return
    page = handover_html(found, office.config.office_name, lambda v: name_of(office.regions, v))
    deliver(page, fmt, output, force)
