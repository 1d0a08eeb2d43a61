"""``ektp status NIK|CODE``: the one-line answer for a resident who phones in, or who
scans the QR code of their receipt (which holds ``ektp status <short code>``)."""

from __future__ import annotations

import click

from ektp.entrypoints.cli.output import emit, local_time
from ektp.entrypoints.cli.session import session


@click.command()
@click.argument("ref", metavar="NIK|CODE")
def status(ref: str) -> None:
    """Where is my card, since when, and what next: one line for the NIK's latest card,
    or for the card whose short code (the receipt's, 8 or more characters of its id) is
    given (the NIK masked, so it can be read out on the telephone)."""
    s = session()
    answer = s.office(must_exist=True).cards.resident_status(ref)
    more = f" ({answer.cards} cards for this NIK: ektp card list --nik)" if answer.cards > 1 else ""
    line = (f"{answer.masked_nik}: card {str(answer.card_id)[:8]} {answer.status.lower().replace('_', ' ')} "
            f"since {local_time(answer.since)}; {answer.next_step}.{more}")
    emit(s.as_json, {"card": str(answer.card_id), "nik": answer.masked_nik, "status": answer.status,
                     "since": answer.since, "village": answer.village,
                     "next": answer.next_step, "cards": answer.cards}, line)
