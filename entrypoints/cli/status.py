"""``ektp status NIK|CODE``: the one-line answer for a resident who phones in, or who
scans the QR code of their receipt (which holds ``ektp status <short code>``)."""

from __future__ import annotations

import datetime as dt

import click

from ektp.application.kernel.i18n import N_, _, ngettext
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import emit, local_time, long_date
from ektp.entrypoints.cli.session import session


#: A card's status as the one-line answer says it.
STATUS_WORDS = {
    "REQUESTED": N_("requested"), "READY_TO_PRINT": N_("ready to print"),
    "BLANK_ALLOCATED": N_("blank allocated"), "PRINTED": N_("printed"),
    "DISPATCHED": N_("dispatched"), "RETURNED": N_("returned"),
    "HANDED_OVER": N_("handed over"), "CANCELLED": N_("cancelled"),
    "UNCOLLECTED": N_("uncollected"), "DESTROYED": N_("destroyed"),
}


@click.command(cls=translated.Command)
@click.argument("ref", metavar="NIK|CODE")
def status(ref: str) -> None:
    """Where is my card, since when, and what next: one line for the NIK's latest card,
    or for the card whose short code (the receipt's, 8 or more characters of its id) is
    given (the NIK masked, so it can be read out on the telephone)."""
    s = session()
    answer = s.office(must_exist=True).cards.resident_status(ref)
    more = ngettext(" ({n} card for this NIK: ektp card list --nik)",
                    " ({n} cards for this NIK: ektp card list --nik)",
                    answer.cards).format(n=answer.cards) if answer.cards > 1 else ""
    facts = {k: long_date(v) if isinstance(v, dt.date) else v
             for k, v in answer.next_facts.items()}
    next_step = _(answer.next_template).format(**facts) if answer.next_template \
        else answer.next_step
    line = _("{nik}: card {card} {status} since {since}; {next}.{more}").format(
        nik=answer.masked_nik, card=str(answer.card_id)[:8],
        status=_(STATUS_WORDS.get(answer.status, answer.status)), since=local_time(answer.since),
        next=next_step, more=more)
    emit(s.as_json, {"card": str(answer.card_id), "nik": answer.masked_nik, "status": answer.status,
                     "since": answer.since, "village": answer.village,
                     "next": answer.next_step, "cards": answer.cards}, line)
