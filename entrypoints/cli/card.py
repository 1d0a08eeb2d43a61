"""``ektp card ...``: one card's life from request to hand-over."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ektp.application.kernel.i18n import _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.card_output import (
    card_data,
    card_text,
    cards_table,
    found_data,
    found_table,
    history_data,
    history_text,
    page_note,
    row_data,
)
from ektp.entrypoints.cli.documents import FORCE as DOCUMENT_FORCE
from ektp.entrypoints.cli.documents import FORMAT as DOCUMENT_FORMAT
from ektp.entrypoints.cli.documents import OUTPUT as DOCUMENT_OUTPUT
from ektp.entrypoints.cli.output import emit
from ektp.entrypoints.cli.session import session

if TYPE_CHECKING:
    from ektp.application.card.views import CardView

CARD = click.argument("card", metavar="CARD")


def _choice(*values: str) -> click.Choice[str]:
    return click.Choice(values, case_sensitive=False)


def _done(card: CardView, verb: str) -> None:
    emit(session().as_json, card_data(card), _("card {id}: {verb}; now {status}").format(id=card.id, verb=verb, status=card.status))


@click.group(cls=translated.Group)
def card() -> None:
    """Take a card from request to hand-over.

    CARD is a card id, its first 8 or more characters (1b4e28ba, or 1B4E-28BA), or a
    NIK: the NIK's open card, else its latest card in any status."""


@card.command()
@click.option("--nik", required=True, help="The resident's 16-digit NIK.")
@click.option("--name", required=True, help="The resident's full name.")
@click.option("--kk", required=True, help="The family card (KK) number.")
@click.option("--village", required=True,
              help="Village code, e.g. 35.17.08.2014, or its name when unique in the regency.")
@click.option("--rt", help="RT number.")
@click.option("--rw", help="RW number.")
@click.option("--dusun", help="The dusun (hamlet) of the address, e.g. Krajan.")
@click.option("--phone", help="The resident's phone number, if known, e.g. 0812-3456-7890 or +62 812 3456 7890.")
@click.option("--reason", type=_choice("new", "lost", "damaged", "data-change"), default="new",
              show_default=True, help="Why the card is requested.")
@click.option("--evidence", help="Police report number (lost) or the old card's serial (damaged).")
@click.option("--channel", type=_choice("office", "village", "kecamatan", "online"), default="office",
              show_default=True, help="Where the request came in.")
def request(nik: str, name: str, kk: str, village: str, rt: str | None, rw: str | None,
            reason: str, evidence: str | None, channel: str, dusun: str | None,
            phone: str | None) -> None:
    """Open a card request; prints the new card id.

    The village must exist in the Kemendagri region list (see 'ektp regions'); a NIK
    whose region is missing from today's list is recorded with a warning on stderr."""
    s = session()
    actor = s.actor()
    view = s.office().cards.request_card(
        actor, nik=nik, name=name, kk=kk, village=village, rt=rt, rw=rw,
        reason=reason, evidence=evidence, channel=channel, dusun=dusun, phone=phone,
    )
    for warning in view.warnings:
        click.echo(_("ektp: warning: {warning}").format(warning=warning), err=True)
    emit(s.as_json, card_data(view), str(view.id))


FILE_OPTION = click.option(
    "--file", "path", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
    help="The file: XLSX, or CSV (comma, semicolon or tab; UTF-8, UTF-16 or Windows-1252); "
         "'-' for standard input.")
PARTIAL = click.option("--partial", is_flag=True,
                       help="Record the valid rows and list the others (default: all rows or none).")
ERRORS = click.option("--errors", "errors_file", type=click.Path(dir_okay=False), metavar="FILE",
                      help="Write every bad row to this new file (default: FILE.errors.txt "
                           "beside the file read, a new one each time).")
DIGITS_CHECKED = click.option(
    "--digits-checked", is_flag=True,
    help="A CSV's NIKs and KKs written as 16 bare digits ending in 0 were checked against "
         "each person's card (without it they are refused: a spreadsheet turns every "
         "16-digit number it touched into one ending in 0).")
OPTIONAL_CARD = click.argument("card", metavar="CARD", required=False)


def _card_or_file(card: str | None, path: str | None, flag: str) -> None:
    if (card is None) == (path is None):
        raise click.UsageError(_("give either CARD or {flag}, not both").format(flag=flag) if card else
                               _("give CARD, or {flag}").format(flag=flag))


@card.command("import")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True))
@PARTIAL
@ERRORS
@DIGITS_CHECKED
def import_(path: str, partial: bool, errors_file: str | None, digits_checked: bool) -> None:
    """Open a request for every row of a requests file (XLSX or CSV, '-' for standard input).

    \b
    Columns (a header row; case, spaces and a hint in parentheses ignored):
      nik, name, kk, village (code, or name when unique)   required
      rt, rw, dusun, phone, reason (new, lost, damaged, data-change), evidence, channel
                                                           optional
    Indonesian headers are read too (nama, no kk, desa, telepon, no hp, alasan, bukti,
    saluran).

    Each row is checked exactly as 'card request' checks it. All rows or none: if any
    row is bad nothing is recorded (--partial records the good ones). Every bad row is
    listed (line, column, reason): the first 50 on standard error with their count, all
    of them in FILE.errors.txt (or --errors FILE). Importing the same file again records
    nothing new: a row whose NIK already has a card requested with the same name, KK,
    village, RT, RW, dusun, phone, reason and evidence counts as already recorded.

    \b
    NIK and KK columns are read as text: an XLSX number cell, E-notation (3.51709E+15),
    a trailing .0 or fewer than 16 digits is a bad row (store the column as text). In a
    CSV, 16 bare digits ending in 0 are refused unless --digits-checked. The phone
    column is read as text too (0812..., 62812... or +62 812...): an XLSX number cell
    that lost its leading 0 is a bad row.

    \b
    Limits: a file of more than 50 MB or 100,000 rows is refused before it is read whole
    (split it)."""
    from ektp.application.card.bulk import REQUEST_COLUMNS, REQUESTS_FILE
    from ektp.entrypoints.cli.card_bulk import file_done, progress, read_rows

    s = session()
    actor = s.actor()
    table = read_rows(path, REQUEST_COLUMNS,
                      ("rt", "rw", "dusun", "phone", "reason", "evidence", "channel"), REQUESTS_FILE)
    office = s.office()
    with progress(len(table.rows), _("Checking requests"), s.as_json) as step:
        result = office.cards.import_requests(actor, table.rows, partial=partial,
                                              digits_checked=digits_checked, progress=step)
    file_done(result, path, errors_file, "request", s.as_json)


@card.command()
@OPTIONAL_CARD
@click.option("--reference", help="The PRR reference seen in the central system.")
@FILE_OPTION
@PARTIAL
@ERRORS
@DIGITS_CHECKED
def ready(card: str | None, reference: str | None, path: str | None, partial: bool,
          errors_file: str | None, digits_checked: bool) -> None:
    """Record that the central print-ready record (PRR) cleared the applicant.

    \b
    With --file FILE instead of CARD: a print-readiness list, one row per card, columns
    card (id, its first 8+ characters, or NIK) and optionally reference. All rows or
    none (--partial records the good ones); every bad row is listed (line, column,
    reason) and written to FILE.errors.txt; cards confirmed before count as already
    recorded, so the same list can be given twice.

    \b
    Limits: a file of more than 50 MB or 100,000 rows is refused before it is read whole
    (split it)."""
    _card_or_file(card, path, "--file")
    s = session()
    if card is not None:
        if partial or errors_file or digits_checked:
            raise click.UsageError(_("--partial, --errors and --digits-checked go with --file"))
        _done(s.office().cards.confirm_print_readiness(s.actor(), card, reference),
              _("print readiness confirmed"))
        return
    assert path is not None
    if reference is not None:
        raise click.UsageError(_("--reference goes with CARD; a list gives a reference column"))
    from ektp.application.card.bulk import READY_COLUMNS, READY_FILE
    from ektp.entrypoints.cli.card_bulk import file_done, progress, read_rows

    actor = s.actor()
    table = read_rows(path, READY_COLUMNS, ("reference",), READY_FILE)
    office = s.office()
    with progress(len(table.rows), _("Checking cards"), s.as_json) as step:
        result = office.cards.confirm_ready_list(actor, table.rows, partial=partial,
                                                 digits_checked=digits_checked, progress=step)
    file_done(result, path, errors_file, "card", s.as_json)


@card.command()
@OPTIONAL_CARD
@click.option("--serial", help="The blank's serial (default: the next serial in stock).")
@click.option("--all-ready", is_flag=True,
              help="Every card awaiting a blank (READY_TO_PRINT), oldest request first.")
@click.option("--village", help="With --all-ready: only this village's cards (code, or name "
                                "when unique).")
def allocate(card: str | None, serial: str | None, all_ready: bool, village: str | None) -> None:
    """Allocate a blank from stock to a card that is ready to print.

    With --all-ready instead of CARD: the next blank in stock to every card awaiting
    one (optionally of one --village), each card in its own transaction; a summary
    at the end, and exit code 1 listing the cards that failed (an empty stock, say)."""
    s = session()
    if not all_ready:
        if card is None:
            raise click.UsageError(_("give CARD, or --all-ready"))
        if village is not None:
            raise click.UsageError(_("--village goes with --all-ready"))
        view = s.office().cards.allocate_blank(s.actor(), card, serial)
        _done(view, _("blank {blank_serial} allocated").format(blank_serial=view.blank_serial))
        return
    if card is not None or serial is not None:
        raise click.UsageError(_("--all-ready takes no CARD and no --serial"))
    from ektp.entrypoints.cli.card_bulk import batch_done, progress

    actor = s.actor()
    office = s.office()
    waiting = len(office.reports.list_cards(status="READY_TO_PRINT", village=village))
    with progress(waiting, _("Allocating blanks"), s.as_json) as step:
        result = office.cards.allocate_all_ready(actor, village, progress=step)
    batch_done(result, "allocate --all-ready", ("allocated",), s.as_json)


@card.command("print")
@OPTIONAL_CARD
@click.option("--station", default="main", show_default=True, help="The printer station.")
@click.option("--serial", help="The blank printed on (checked against the allocation).")
@click.option("--run", "run_file", type=click.Path(dir_okay=False, allow_dash=True),
              metavar="FILE", help="A print station's run list instead of CARD (XLSX or CSV).")
@DIGITS_CHECKED
def print_(card: str | None, station: str, serial: str | None, run_file: str | None,
           digits_checked: bool) -> None:
    """Record that the card was printed on its allocated blank.

    \b
    With --run FILE instead of CARD: a print station's run list, one row per card,
    columns card (id, its first 8+ characters, or NIK) and optionally serial (the
    blank printed on), result (printed, or print-failed, chip-not-encoded,
    physical-damage: the blank is spoiled) and station (default --station). Each card
    in its own transaction; rows already recorded count as already (a failure row is
    recognised as recorded when it gives the spoiled serial); a summary at the end, and
    exit code 1 listing the rows that failed.

    \b
    Limits: a file of more than 50 MB or 100,000 rows is refused before it is read whole
    (split it)."""
    _card_or_file(card, run_file, "--run")
    s = session()
    if card is not None:
        _done(s.office().cards.record_printed(s.actor(), card, station, serial), _("printed"))
        return
    assert run_file is not None
    if serial is not None:
        raise click.UsageError(_("--serial goes with CARD; a run list gives a serial column"))
    from ektp.application.card.bulk import RUN_COLUMNS, RUN_FILE
    from ektp.entrypoints.cli.card_bulk import batch_done, progress, read_rows

    actor = s.actor()
    table = read_rows(run_file, RUN_COLUMNS, ("serial", "result", "station"), RUN_FILE)
    office = s.office()
    with progress(len(table.rows), _("Recording prints"), s.as_json) as step:
        result = office.cards.record_print_run(actor, table.rows, station,
                                               digits_checked=digits_checked, progress=step)
    batch_done(result, "print --run", ("printed", "print-failed"), s.as_json)


@card.command("print-failed")
@CARD
@click.option("--reason", required=True,
              type=_choice("print-failed", "chip-not-encoded", "physical-damage"),
              help="Why the print try failed (the blank is spoiled).")
def print_failed(card: str, reason: str) -> None:
    """Record a failed print: the blank is spoiled and the card needs a new one."""
    s = session()
    _done(s.office().cards.record_print_failure(s.actor(), card, reason), _("print failed, blank spoiled"))


@card.command()
@CARD
@click.option("--courier", required=True, help="The courier's staff id.")
def dispatch(card: str, courier: str) -> None:
    """Give one printed (or returned) card to a courier, outside any manifest.

    A card on a manifest leaves only with it ('ektp manifest dispatch'); its attempts,
    hand-over and return are then recorded on the manifest too."""
    s = session()
    _done(s.office().cards.dispatch(s.actor(), card, courier), _("dispatched with {courier}").format(courier=courier))


@card.command("attempt-failed")
@CARD
@click.option("--reason", required=True,
              type=_choice("not-at-home", "address-not-found", "moved", "refused",
                           "identity-mismatch", "deceased"),
              help="Why the card could not be handed over.")
@click.option("--evidence", help="Evidence reference (photo, note number).")
def attempt_failed(card: str, reason: str, evidence: str | None) -> None:
    """Record a delivery attempt that did not reach the resident."""
    s = session()
    _done(s.office().cards.record_failed_attempt(s.actor(), card, reason, evidence), _("attempt recorded"))


@card.command("hand-over")
@CARD
@click.option("--recipient", required=True, type=_choice("owner", "proxy"), help="Who received it.")
@click.option("--proxy-nik", help="The proxy's own NIK.")
@click.option("--proxy-name", help="The proxy's name.")
@click.option("--proxy-kk", help="The proxy's family card (KK) number: must be the owner's.")
@click.option("--relationship",
              type=_choice("spouse", "parent", "child", "sibling", "grandparent", "grandchild",
                           "in-law", "other-family"),
              help="The proxy's relationship to the owner.")
@click.option("--verified-by", required=True, type=_choice("fingerprint", "ktp", "kk"),
              help="How the recipient's identity was checked.")
@click.option("--evidence", help="Signature or photo reference.")
@click.option("--place", type=_choice("door", "office", "kecamatan"), default="door",
              show_default=True, help="Where the card was handed over.")
@click.option("--old-card", help="Serial of the old card surrendered (damaged, data-change).")
def hand_over(card: str, recipient: str, proxy_nik: str | None, proxy_name: str | None,
              proxy_kk: str | None, relationship: str | None, verified_by: str,
              evidence: str | None, place: str, old_card: str | None) -> None:
    """Record the hand-over to the owner or to a proxy on the same KK."""
    s = session()
    view = s.office().cards.hand_over(
        s.actor(), card, recipient=recipient, verified_by=verified_by, place=place,
        proxy_nik=proxy_nik, proxy_name=proxy_name, proxy_kk=proxy_kk,
        relationship=relationship, evidence=evidence, old_card=old_card,
    )
    _done(view, _("handed over to the {recipient}").format(recipient=_(recipient)))


@card.command("return")
@CARD
@click.option("--reason", required=True, help="Why the card came back.")
def return_(card: str, reason: str) -> None:
    """Check an undelivered card back in at the office (by an officer, not the courier)."""
    s = session()
    _done(s.office().cards.return_card(s.actor(), card, reason), _("returned to the office"))


@card.command()
@CARD
@click.option("--reason", required=True, help="Why the request is withdrawn.")
@click.option("--record", help="Record number, if any.")
def cancel(card: str, reason: str, record: str | None) -> None:
    """Cancel a request that is not printed yet."""
    s = session()
    _done(s.office().cards.cancel(s.actor(), card, reason, record), _("cancelled"))


@card.command()
@CARD
def uncollected(card: str) -> None:
    """Declare a returned card uncollected after the holding period (head of office)."""
    s = session()
    _done(s.office().cards.declare_uncollected(s.actor(), card), _("declared uncollected"))


@card.command()
@CARD
@click.option("--record", required=True, help="The berita acara pemusnahan number.")
@click.option("--reason", required=True, help="Why it is destroyed.")
def destroy(card: str, record: str, reason: str) -> None:
    """Destroy an uncollected card under a signed record (head of office)."""
    s = session()
    _done(s.office().cards.destroy(s.actor(), card, reason, record), _("destroyed"))


@card.command()
@CARD
@click.option("--full", is_flag=True, help="Show the full NIK, KK, name and phone (operator and "
              "head only; recorded in the access log).")
@click.option("--purpose", help="Why the card is shown in full (recorded in the access log).")
def show(card: str, full: bool, purpose: str | None) -> None:
    """Show a card as it stands now."""
    s = session()
    actor = s.actor() if full else None  # the office checks that this actor may see it
    office = s.office(must_exist=not full)  # a full display writes its access log
    view = office.cards.card(card, actor, full=full, purpose=purpose)
    if s.as_json:
        emit(True, card_data(view, full))
        return
    from ektp.application.reports.region_names import village_label

    emit(False, None, card_text(view, full, village_label(office.regions, view.village)))


@card.command()
@CARD
def history(card: str) -> None:
    """Every event of a card: time, actor, what happened."""
    s = session()
    entries = s.office(must_exist=True).cards.card_history(card)
    emit(s.as_json, history_data(entries), history_text(entries))


@card.command()
@click.argument("name")
@click.option("--village", help="Only cards of this village (code, or name when unique).")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many cards.")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True,
              help="Skip this many cards first (with --limit: the next page).")
def find(name: str, village: str | None, limit: int | None, offset: int) -> None:
    """Find cards by the holder's name: every word given must be in the name, in any
    order, any case, with or without accents. Shows the masked NIK, the name's
    initials, the village, the status and the card's short id (usable wherever CARD
    is asked). Names are looked up through a keyed index, never stored: the office's
    audit key must be configured."""
    s = session()
    office = s.office(must_exist=True)
    page = office.reports.find_by_name(name, village=village, limit=limit, offset=offset)
    if s.as_json:
        emit(True, {"total": page.total, "offset": offset, "limit": limit,
                    "cards": [found_data(c) for c in page.rows]})
        return
    from ektp.application.reports.region_names import name_of

    names = {v: name_of(office.regions, v) for v in {c.village for c in page.rows}}
    text = found_table(page.rows, names)
    if limit is not None or offset > 0 or len(page.rows) < page.total:
        text += "\n" + page_note(page, limit)
    emit(False, None, text)


@card.command("list")
@click.option("--status", help="Only cards in this state (e.g. PRINTED).")
@click.option("--village", help="Only cards of this village (code, or name when unique).")
@click.option("--kecamatan", help="Only cards of this kecamatan (35.17.08, or name when unique).")
@click.option("--nik", help="Only the cards of this NIK (every card ever requested for it).")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many cards.")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True,
              help="Skip this many cards first (with --limit: the next page).")
def list_(status: str | None, village: str | None, kecamatan: str | None, nik: str | None,
          limit: int | None, offset: int) -> None:
    """List cards, oldest request first: masked NIK, the name's initials, village code
    and name. With --limit or --offset, a page and the total that match (--json: an
    object with total, offset, limit and cards; without them, the list as before)."""
    s = session()
    office = s.office(must_exist=True)
    page = office.reports.card_page(status=status, village=village, kecamatan=kecamatan,
                                    nik=nik, limit=limit, offset=offset)
    paged = limit is not None or offset > 0
    if s.as_json:
        rows = [row_data(c) for c in page.rows]
        emit(True, {"total": page.total, "offset": offset, "limit": limit, "cards": rows}
             if paged else rows)
        return
    from ektp.application.reports.region_names import name_of

    names = {v: name_of(office.regions, v) for v in {c.village for c in page.rows}}
    text = cards_table(page.rows, names)
    if paged or len(page.rows) < page.total:
        text += "\n" + page_note(page, limit)
    emit(False, None, text)


@card.command()
@CARD
@DOCUMENT_FORMAT
@DOCUMENT_OUTPUT
@DOCUMENT_FORCE
def receipt(card: str, fmt: str, output: str | None, force: bool) -> None:
    """The request receipt (tanda terima pengajuan) to hand the resident: A4, in
    Indonesian, with the card's short code, masked NIK, initials, village, request date,
    what happens next and a QR code of ``ektp card show SHORT-CODE``. Never the full NIK
    or name. HTML to standard output unless --output; --format pdf needs Chromium.
    With --json, the receipt's data (masked) instead of a page."""
    from ektp.entrypoints.cli.documents import deliver, refuse_binary_on_terminal
    from ektp.entrypoints.documents.pages import receipt_html

    s = session()
    if not s.as_json:
        refuse_binary_on_terminal(fmt, output)
    found = s.office(must_exist=True).cards.receipt(card)
    if s.as_json:
        emit(True, {"card": str(found.card_id), "short_code": found.short_code,
                    "nik": found.masked_nik, "initials": found.initials, "village": found.village,
                    "village_name": found.village_name, "status": found.status,
                    "requested_at": found.requested_at, "office": found.office_name})
        return
    deliver(receipt_html(found), fmt, output, force)
