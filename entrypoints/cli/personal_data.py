"""``ektp personal-data``: the data subject's rights under UU PDP 27/2022 (issue 14).

``export NIK`` prints what the office holds about one person, in full, for their own
request (head of office only): every card requested for the NIK, as it stands and
with its history. Erasure and retention (``erase``, ``apply-retention``) are not built
yet.
"""

from __future__ import annotations

import click

from ektp.application.kernel.i18n import _, ngettext
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import emit
from ektp.entrypoints.cli.session import session


@click.group("personal-data", cls=translated.Group)
def personal_data() -> None:
    """A resident's personal data: what the office holds about them (export)."""


@personal_data.command()
@click.argument("nik", metavar="NIK")
@click.option("--purpose", metavar="TEXT",
              help="Why it is shown (recorded in the access log; by default the data "
                   "subject's request for their data).")
def export(nik: str, purpose: str | None) -> None:
    """What the office holds about the person NIK names, in full, for their own request
    (head of office only): every card requested for the NIK, with its history. The
    display is recorded in the access log first (`ektp access-log`)."""
    from ektp.entrypoints.cli.card_output import card_data, card_text, history_data, history_text

    s = session()
    held = s.office(must_exist=True).cards.personal_data(s.actor(), nik, purpose=purpose)
    lines = [ngettext("personal data held for NIK {nik}: {n} card ({scope}).",
                      "personal data held for NIK {nik}: {n} cards ({scope}).",
                      len(held.cards)).format(nik=held.nik, n=len(held.cards), scope=held.scope)]
    for item in held.cards:
        lines += ["", card_text(item.card, full=True), history_text(item.history)]
    emit(s.as_json, {"nik": held.nik, "scope": held.scope,
                     "cards": [{**card_data(item.card, full=True),
                                "history": history_data(item.history)} for item in held.cards]},
         "\n".join(lines))
