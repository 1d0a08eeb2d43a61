"""How ``card receipt`` and ``manifest handover-record`` hand their page over: HTML
as it is, or printed to PDF by Chromium; to standard output or to a new file."""

from __future__ import annotations

import sys

import click

from ektp.application.kernel.i18n import _
from ektp.entrypoints.cli.session import session

FORMAT = click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html",
                      show_default=True,
                      help="html to open or print from a browser; pdf printed by headless "
                           "Chromium (needs Debian's chromium).")
# The file name as given (a str, not a pathlib.Path: `ektp card ready` imports this module,
# and pathlib is slow to import); the file rules read it as a str.
OUTPUT = click.option("--output", type=click.Path(dir_okay=False),
                      help="Write to this new file (mode 0600) instead of standard output "
                           "(needed for pdf on a terminal); never through a symbolic link, "
                           "never the database.")
FORCE = click.option("--force", is_flag=True, help="Replace the --output file if it exists.")


def refuse_binary_on_terminal(fmt: str, output: str | None) -> None:
    """A PDF is not for a terminal: ask for --output before any work is done."""
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise click.UsageError(_("a PDF is a binary file: give --output FILE "
                               "(or redirect standard output to a file)"))


def deliver(page: str, fmt: str, output: str | None, force: bool) -> None:
    """Hand `page` over as `fmt`, to `output` (by the file rules) or standard output;
    an `output` that is refused is refused before Chromium is started."""
    protected: list[str] = []
    if output is not None:
        from ektp.adapters.files import check_target, protected_paths

        url = session().database()
        protected = protected_paths(url.path) if url.kind == "sqlite" else []
        check_target(output, force=force, protected=protected)
    if fmt == "pdf":
        from ektp.adapters.pdf import html_to_pdf

        data = html_to_pdf(page)
    else:
        data = page.encode("utf-8")
    if output is None:
        if fmt == "html":
            click.echo(page, nl=not page.endswith("\n"))
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        return
    from ektp.adapters.files import write_file

    write_file(output, data, force=force, protected=protected)
