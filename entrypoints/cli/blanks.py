"""``ektp blanks ...``: the office's ledger of card blanks, serial by serial.

SERIAL is a blank's serial (6 to 16 digits); a RANGE is FROM-TO with both ends
of the same width (``3517170001-3517210000``), or one serial.
"""

from __future__ import annotations

import click

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli import blanks_output as out
from ektp.entrypoints.cli.documents import FORCE as DOCUMENT_FORCE
from ektp.entrypoints.cli.documents import FORMAT as DOCUMENT_FORMAT
from ektp.entrypoints.cli.documents import OUTPUT as DOCUMENT_OUTPUT
from ektp.entrypoints.cli.output import emit
from ektp.entrypoints.cli.session import session

RANGES = click.option("--range", "ranges", multiple=True, required=True, metavar="FROM-TO",
                      help="A serial range FROM-TO (or one serial); repeat for several.")
RECORD = click.option("--record", required=True, help="The signed record (berita acara) number.")


def _choice(*values: str) -> click.Choice[str]:
    return click.Choice(values, case_sensitive=False)


@click.group(cls=translated.Group)
def blanks() -> None:
    """The blank stock ledger: every blank serial received, used, spoiled, lent or lost."""


@blanks.command()
@click.option("--bast", required=True, help="The hand-over record (BAST) number.")
@click.option("--source", required=True, metavar="ministry|province|office:NAME",
              help="Who sent the consignment.")
@RANGES
def receive(bast: str, source: str, ranges: tuple[str, ...]) -> None:
    """Receive a consignment of blanks into stock (one command for all its ranges)."""
    s = session()
    moved = s.office().blanks.receive_blanks(s.actor(), bast=bast, source=source, ranges=ranges)
    emit(s.as_json, out.movement_data(moved), out.movement_text(moved))


@blanks.command()
@click.option("--to", "to", required=True, help="The office the blanks are lent to.")
@RECORD
@RANGES
def lend(to: str, record: str, ranges: tuple[str, ...]) -> None:
    """Lend blanks in stock to another office (head of office)."""
    s = session()
    moved = s.office().blanks.lend_blanks(s.actor(), to=to, record=record, ranges=ranges)
    emit(s.as_json, out.movement_data(moved), out.movement_text(moved))


@blanks.command()
@click.option("--from", "lender", required=True, help="The office lending the blanks.")
@RECORD
@RANGES
def borrow(lender: str, record: str, ranges: tuple[str, ...]) -> None:
    """Receive blanks borrowed from another office into stock."""
    s = session()
    moved = s.office().blanks.borrow_blanks(s.actor(), lender=lender, record=record, ranges=ranges)
    emit(s.as_json, out.movement_data(moved), out.movement_text(moved))


@blanks.command("loan-return")
@click.option("--from", "from_", help="Blanks we lent come back from this office.")
@click.option("--to", "to", help="Blanks we borrowed go back to this office (their lender).")
@RECORD
@RANGES
def loan_return(from_: str | None, to: str | None, record: str, ranges: tuple[str, ...]) -> None:
    """Record a loan return: --from OFFICE (ours come back) or --to OFFICE (theirs go back)."""
    if (from_ is None) == (to is None):
        raise click.UsageError(_("give exactly one of --from OFFICE or --to OFFICE"))
    s = session()
    moved = s.office().blanks.return_loan(
        s.actor(), counterpart=from_ or to or "", record=record, ranges=ranges,
        direction="back-to-us" if from_ else "back-to-lender")
    emit(s.as_json, out.movement_data(moved), out.movement_text(moved))


@blanks.command()
@click.argument("serials", nargs=-1, required=True, metavar="SERIAL...")
@click.option("--reason", required=True,
              type=_choice("physical-damage", "print-failed", "chip-not-encoded"),
              help="Why the blank in stock is spoiled.")
def spoil(serials: tuple[str, ...], reason: str) -> None:
    """Record blanks in stock found spoiled (a card's failed print uses `card print-failed`)."""
    s = session()
    moved = s.office().blanks.spoil_blanks(s.actor(), serials, reason)
    emit(s.as_json, out.movement_data(moved), out.movement_text(moved))


@blanks.command()
@RECORD
@click.option("--method", required=True, type=_choice("burn", "cut"), help="How they were destroyed.")
@click.option("--witness", "witnesses", multiple=True, metavar="NAME:ROLE",
              help="A witness and their role; at least two different people.")
@click.option("--all-spoiled", is_flag=True, help="Destroy every spoiled blank not yet destroyed.")
@click.argument("serials", nargs=-1, metavar="[SERIAL...]")
def destroy(record: str, method: str, witnesses: tuple[str, ...], all_spoiled: bool,
            serials: tuple[str, ...]) -> None:
    """Destroy spoiled blanks under a signed record before witnesses (head of office)."""
    s = session()
    moved = s.office().blanks.destroy_spoiled(s.actor(), record=record, method=method,
                                       witnesses=witnesses, serials=serials,
                                       all_spoiled=all_spoiled)
    emit(s.as_json, out.movement_data(moved), out.movement_text(moved))


@blanks.command()
@click.option("--counted", required=True, type=int, help="How many blanks are physically in stock.")
def count(counted: int) -> None:
    """Record a physical count of the blanks in stock; a difference is a discrepancy."""
    s = session()
    moved = s.office().blanks.count_blanks(s.actor(), counted)
    emit(s.as_json, out.movement_data(moved), out.movement_text(moved))


@blanks.command()
@click.argument("serials", nargs=-1, required=True, metavar="SERIAL...")
@click.option("--police-report", required=True, help="The police report number.")
def missing(serials: tuple[str, ...], police_report: str) -> None:
    """Report blanks in stock that cannot be found (head of office)."""
    s = session()
    moved = s.office().blanks.report_missing(s.actor(), serials, police_report)
    emit(s.as_json, out.movement_data(moved), out.movement_text(moved))


@blanks.command()
@click.argument("serial", metavar="SERIAL")
def show(serial: str) -> None:
    """Show where a blank is and its whole history."""
    s = session()
    view = s.office(must_exist=True).blanks.blank(serial)
    emit(s.as_json, out.blank_data(view), out.blank_text(view))


@blanks.command()
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day (default: today, up to now).")
def stock(day: str | None) -> None:
    """The daily stock figure: blanks per state, the day's movements, conservation."""
    s = session()
    figure = s.office(must_exist=True).blanks.blank_stock(day)
    emit(s.as_json, out.stock_data(figure), out.stock_text(figure))


@blanks.command("destruction-record")
@click.option("--date", "day", metavar="YYYY-MM-DD",
              help=("The day whose destructions are listed (default: today)."))
@click.option("--from", "start", metavar="YYYY-MM-DD", help=("First day of a span."))
@click.option("--to", "end", metavar="YYYY-MM-DD",
              help=("Last day of the span, inclusive (default: today)."))
@DOCUMENT_FORMAT
@DOCUMENT_OUTPUT
@DOCUMENT_FORCE
def destruction_record(day: str | None, start: str | None, end: str | None, fmt: str,
                       output: str | None, force: bool) -> None:
    """The destruction record (berita acara pemusnahan): A4, in Indonesian, every spoiled
    blank serial and uncollected card destroyed on the day or in the span, with its
    reason and record number, each destruction's method and recorded witnesses, and
    the signature blocks. HTML to standard output unless --output; --format pdf needs
    Chromium. With --json, the same data instead of a page."""
    from ektp.entrypoints.cli.documents import deliver, refuse_binary_on_terminal
    from ektp.entrypoints.documents.pages import destruction_html

    s = session()
    if not s.as_json:
        refuse_binary_on_terminal(fmt, output)
    record = s.office(must_exist=True).blanks.destruction_record(start, end, day=day)
    if s.as_json:
        emit(True, out.destruction_data(record))
        return
    deliver(destruction_html(record), fmt, output, force)


@blanks.command()
def spoiled() -> None:
    """List spoiled blanks not yet destroyed, oldest first, with their age."""
    s = session()
    listed = s.office(must_exist=True).blanks.spoiled_blanks()
    emit(s.as_json, [out.spoiled_data(b) for b in listed], out.spoiled_text(listed))


@blanks.command()
def reconcile() -> None:
    """Recompute the ledger from its full history; exit 0 only if every blank is accounted for.

    The report goes to standard output; when something is unaccounted for, one
    line on standard error says so and the exit code is 1.
    """
    s = session()
    result = s.office(must_exist=True).blanks.reconcile_blanks()
    emit(s.as_json, out.reconciliation_data(result), out.reconciliation_text(result))
    if not result.clean:
        from ektp.domain.errors import BlanksUnaccounted

        raise BlanksUnaccounted(problems=len(result.problems))
