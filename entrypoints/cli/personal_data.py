"""``ektp personal-data``: the data subject's rights under UU PDP 27/2022 (issue 14).

``export NIK`` prints what the office holds about one person, in full, for their own
request (head of office only): every card requested for the NIK, as it stands and
with its history. ``erase NIK`` erases one person's personal data (head of office,
under a signed record and a legal basis); ``apply-retention`` erases everyone the
office's retention policy says is due (``[retention] closed_card_years``).
"""

from __future__ import annotations

import click

from ektp.application.kernel.i18n import N_, _, ngettext
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import emit
from ektp.entrypoints.cli.session import session


@click.group("personal-data", cls=translated.Group)
def personal_data() -> None:
    """A resident's personal data: what the office holds (export), erasure (erase) and
    the retention policy (apply-retention)."""


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


@personal_data.command()
@click.argument("nik", metavar="NIK")
@click.option("--record", "record_number", metavar="NO", required=True,
              help=("The number of the signed record of this erasure (recorded with it)."))
@click.option("--legal-basis", metavar="TEXT", required=True,
              help=("Why the data is erased: the resident's request under UU PDP Art. 43, "
                      "a court order... (recorded with it)."))
def erase(nik: str, record_number: str, legal_basis: str) -> None:
    """Erase the personal data of the person NIK names (head of office only): their NIK,
    KK number, name and phone number become unreadable in every stored event, and their
    cards' rows keep only the masked NIK. A person who collected someone's card as a proxy
    is erased from that hand-over too (the card holder's data is kept), and a person known
    only as a proxy can be erased. Refused while one of their own cards is open. The erasure is
    recorded as an event that holds none of the erased data; the journal, exports and
    proofs verify as before."""
    s = session()
    done = s.office(must_exist=True).erasure.erase(s.actor(), nik, record_number=record_number,
                                                   legal_basis=legal_basis)
    lines = [ngettext("erased the personal data of NIK {nik} ({n} card; record {record}).",
                      "erased the personal data of NIK {nik} ({n} cards; record {record}).",
                      len(done.cards)).format(nik=done.masked, n=len(done.cards),
                                             record=done.record_number)]
    if done.collected:
        lines.append(_collected_line(len(done.collected)))
    emit(s.as_json, {"nik": done.masked, "cards": list(done.cards),
                     "collected": list(done.collected), "record_number": done.record_number},
         "\n".join(lines))


def _collected_line(n: int) -> str:
    """What an erasure did to the hand-overs the person collected as a proxy."""
    return ngettext("as a proxy: erased from {n} hand-over they collected (the card holder's "
                    "data is kept).",
                    "as a proxy: erased from {n} hand-overs they collected (the card holders' "
                    "data is kept).", n).format(n=n)


def _person_line(masked: str, cards: int, collected: int) -> str:
    """One person of the retention policy: masked NIK, own cards, and (marked) collections."""
    parts = [ngettext("{n} card", "{n} cards", cards).format(n=cards)] if cards else []
    if collected:
        parts.append(ngettext("proxy: {n} hand-over collected", "proxy: {n} hand-overs collected",
                              collected).format(n=collected))
    return f"{masked}  " + "; ".join(parts)


@personal_data.command("apply-retention")
@click.option("--dry-run", is_flag=True,
              help=("Only list whom the policy would erase (masked NIKs); erase nothing."))
@click.option("--record", "record_number", metavar="NO", default="retention policy",
              show_default=True, help=("The record number the erasures are recorded under."))
def apply_retention(dry_run: bool, record_number: str) -> None:
    """Apply the office's retention policy (head of office only): erase, as a whole, the
    personal data of every person whose own cards were all closed, and whose last
    collection of someone's card as a proxy happened, more than [retention]
    closed_card_years years ago (people known only as proxies included, marked
    "proxy"). Whole-subject erasure: a hand-over's free-text evidence is not erased."""
    s = session()
    years = s.settings().config.retention.closed_card_years
    if years <= 0:
        raise click.UsageError(_("no retention policy is configured: set [retention] "
                                 "closed_card_years (years after a card is closed)"))
    office = s.office(must_exist=True)
    desk = office.erasure
    actor = s.actor()
    if dry_run:
        due = desk.retention_due(actor, years)
        lines = [_person_line(c.masked, len(c.cards), len(c.collected)) for c in due]
        lines.append(ngettext("{n} person would be erased (cards closed and collections made "
                              "more than {years} years ago); dry run, nothing erased.",
                              "{n} people would be erased (cards closed and collections made "
                              "more than {years} years ago); dry run, nothing erased.",
                              len(due)).format(n=len(due), years=years))
        emit(s.as_json, {"dry_run": True, "years": years,
                         "residents": [{"nik": c.masked, "cards": list(c.cards),
                                        "collected": list(c.collected), "proxy": c.proxy}
                                       for c in due]},
             "\n".join(lines))
        return
    done = desk.apply_retention(actor, years, record_number=record_number)
    lines = [_person_line(e.masked, len(e.cards), len(e.collected)) for e in done]
    lines.append(ngettext("erased {n} person's personal data (cards closed and collections made "
                          "more than {years} years ago).",
                          "erased {n} people's personal data (cards closed and collections made "
                          "more than {years} years ago).", len(done)).format(n=len(done),
                                                                             years=years))
    emit(s.as_json, {"dry_run": False, "years": years,
                     "residents": [{"nik": e.masked, "cards": list(e.cards),
                                    "collected": list(e.collected),
                                    "proxy": bool(e.collected)} for e in done]},
         "\n".join(lines))
