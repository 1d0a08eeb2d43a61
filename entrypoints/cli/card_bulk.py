"""The bulk commands' common parts: reading a file handed in, the progress bar, the
summaries (`card import`, `card ready --file`, `card allocate --all-ready`,
`card print --run`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli.bad_rows import SHOWN_BAD_ROWS, list_bad_rows
from ektp.entrypoints.cli.output import counted, emit

if TYPE_CHECKING:
    from ektp.application.card.bulk import BatchDone, FileRecorded
    from ektp.application.tables.table import Table



#: A print batch's outcomes, as its summary names them.
OUTCOMES = (N_("allocated"), N_("printed"), N_("print-failed"), N_("already"), N_("failed"))


def read_rows(path: str, required: Sequence[str], optional: Sequence[str], what: str) -> Table:
    """The table of the file at `path` ('-': standard input): XLSX, or CSV (comma,
    semicolon or tab; UTF-8, UTF-16 or Windows-1252); refused with a one-line message
    when it is too large, empty, of another format, or names columns it should not."""
    from ektp.adapters.files import read_limited
    from ektp.adapters.spreadsheet.files import read_table_file
    from ektp.application.card.bulk import HEADER_ALIASES
    from ektp.application.tables.table import MAX_FILE_BYTES
    from ektp.domain.errors import InvalidText

    table = read_table_file(read_limited(path, MAX_FILE_BYTES, what), required, what,
                            HEADER_ALIASES, any_encoding=True)
    known = (*required, *optional)
    unknown = [c for c in table.columns if c not in known]
    if unknown:  # a misspelt column would otherwise be dropped without a word
        raise InvalidText(field=_("the {what}'s header").format(what=_(what)),
                          reason=_("it has the unknown column(s) {unknown} "
                                   "(the columns are: {known})").format(
                              unknown=", ".join(unknown), known=", ".join(known)))
    return table


@contextmanager
def progress(length: int, label: str, as_json: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error when it is a terminal; none in a pipe or a file."""
    if as_json or length < 2 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def file_done(result: FileRecorded, path: str, errors_file: str | None, noun: str,
              as_json: bool) -> None:
    """Report a requests file or print-readiness list: refused (exit code 2, the bad rows
    on standard error), or what was recorded, the bad rows skipped with --partial on
    standard error. Every bad row goes to the errors file."""
    from ektp.domain.errors import InvalidRowsFile

    rows = [str(b) for b in result.bad]
    note = list_bad_rows(rows, path, errors_file, always=True,
                         base="requests" if noun == "request" else "ready")
    for warning in result.warnings:
        click.echo(_("ektp: warning: {warning}").format(warning=warning), err=True)
    if result.refused:
        raise InvalidRowsFile(bad=len(rows), total=result.total, what=result.what,
                              rows=rows[:SHOWN_BAD_ROWS] + ([note] if note else []))
    data: dict[str, Any] = {"recorded": result.recorded, "already_recorded": result.already,
                            "rows": result.total, "skipped_count": len(rows),
                            "skipped": [{"line": b.line, "column": b.column, "reason": b.reason}
                                        for b in result.bad[:SHOWN_BAD_ROWS]]}
    if note:
        data["errors_note"] = note
    recorded = (counted(result.recorded, "{n} request", "{n} requests") if noun == "request"
                else counted(result.recorded, "{n} card", "{n} cards"))
    text = _("{what}: recorded {recorded}, {already} already recorded").format(
        what=_(result.what), recorded=recorded, already=result.already)
    if rows:
        text += _("; skipped {bad} (listed on standard error)").format(
            bad=counted(len(rows), "{n} bad row", "{n} bad rows"))
        if not as_json:
            click.echo("\n".join(f"  {r}" for r in rows[:SHOWN_BAD_ROWS])
                       + (f"\n  {note}" if note else ""), err=True)
    emit(as_json, data, text)


def batch_done(result: BatchDone, what: str, outcomes: Sequence[str], as_json: bool) -> None:
    """Report a print batch: one line per card, the counts by outcome, and exit code 1
    (listing every failure on standard error) when any card failed."""
    from ektp.domain.errors import BatchIncomplete

    counts = {o: result.count(o) for o in (*outcomes, "already", "failed")}
    if as_json:
        emit(True, {"counts": counts, "cards": [
            {"card": c.card, "outcome": c.outcome, "detail": c.detail, "line": c.line}
            for c in result.cards]})
    else:
        lines = [_("card {card}: {outcome}").format(card=c.card, outcome=_(c.outcome))
                 + (f" ({c.detail})" if c.detail else "")
                 for c in result.cards if c.outcome != "failed"]
        summary = ", ".join(f"{n} {_(o)}" for o, n in counts.items())
        emit(False, None, "\n".join([*lines, "{what}: {cards}: {summary}".format(
            what=_(what), cards=counted(len(result.cards), "{n} card", "{n} cards"),
            summary=summary)]))
    failed = result.failed
    if failed:
        raise BatchIncomplete(failed=len(failed), total=len(result.cards), what=what, rows=[
            (_("line {line}: ").format(line=c.line) if c.line else "") + _("card {card}: {detail}").format(card=c.card, detail=c.detail) for c in failed])
