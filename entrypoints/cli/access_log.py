"""``ektp access-log``: who was shown whose personal data in full (head of office only).

Answers a resident's request to know who processed their data (``--subject NIK``:
the office's pseudonym of that NIK is computed and looked up) and lets the head
oversee the staff. Subjects are shown as pseudonyms (``MASKED~HMAC``, as in the audit
export); no output of this command holds a NIK in full.
"""

from __future__ import annotations

import click

from ektp.application.kernel.i18n import _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import emit, local_time
from ektp.entrypoints.cli.session import session


@click.command("access-log", cls=translated.Command)
@click.option("--subject", metavar="NIK", help="Only accesses to this resident's data.")
@click.option("--staff", metavar="LOGIN", help="Only accesses by this staff login.")
@click.option("--from", "start", metavar="DATE", help="From this day on (YYYY-MM-DD, office time).")
@click.option("--to", "end", metavar="DATE", help="Up to and including this day (YYYY-MM-DD).")
@click.option("--json", "local_json", is_flag=True, help="Machine-readable JSON output.")
def access_log(subject: str | None, staff: str | None, start: str | None, end: str | None,
               local_json: bool) -> None:
    """Every display of personal data in full: when, who, what, of whom, why."""
    s = session()
    actor = s.actor()
    office = s.office(must_exist=True)
    desk = office.access_log
    query = desk.query(subject=subject, staff=staff, start=start, end=end)
    entries = desk.entries(actor, query)
    data = [{"at": e.at, "staff": e.staff, "role": e.role, "what": e.what,
             "subjects": "everyone" if e.everyone else list(e.subjects),
             "purpose": e.purpose} for e in entries]
    lines = [_("{at}  {staff} ({role})  {what}  "
             "{value}  "
             "purpose: {value2}").format(at=local_time(e.at), staff=e.staff, role=e.role, what=e.what, value=_('every resident') if e.everyone else _subjects(e.subjects), value2=e.purpose or '-') for e in entries]
    text = "\n".join(lines) if lines else _("no access recorded matches.")
    emit(s.as_json or local_json, data, text)


def _subjects(subjects: tuple[str, ...]) -> str:
    if len(subjects) == 1:
        return subjects[0]
    return _("{subjects} residents: ").format(subjects=len(subjects)) + ", ".join(subjects)
