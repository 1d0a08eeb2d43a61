"""The bad rows of a file handed in (a courier's results, a requests file, a
print-readiness list): the first few shown, every one written to an errors file."""

from __future__ import annotations

from ektp.application.kernel.i18n import _
SHOWN_BAD_ROWS = 50


def list_bad_rows(rows: list[str], path: str, errors_file: str | None, *,
                  always: bool = False, base: str = "results") -> str:
    """Write every bad row to the errors file (`errors_file`, else, when there are more
    than are shown or `always`, ``PATH.errors.txt`` beside the file read: a new file each
    time; `base` names it when the file was standard input); the line that says so
    (empty when nothing was written)."""
    from ektp.adapters.files import write_file, write_numbered
    from ektp.application.errors import FileRefused
    from ektp.domain.masking import mask_numbers

    if not rows or (errors_file is None and len(rows) <= SHOWN_BAD_ROWS and not always):
        return ""
    text = "".join(mask_numbers(row) + "\n" for row in rows).encode("utf-8")
    more = len(rows) - SHOWN_BAD_ROWS
    head = _("... and {more} more bad rows; ").format(more=more) if more > 0 else ""
    try:
        if errors_file is not None:
            write_file(errors_file, text)
            where = errors_file
        else:
            where = write_numbered(f"{base if path == '-' else path}.errors.txt", text)
    except FileRefused as refused:
        return _("{head}the full list of {rows} was not written: {message}").format(head=head, rows=len(rows), message=refused.message)
    return _("{head}all {rows} are listed in {where}").format(head=head, rows=len(rows), where=where)
