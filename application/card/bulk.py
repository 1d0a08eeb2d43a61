"""The office's bulk work on cards: a requests file (`import_requests`), a print-readiness
list (`confirm_ready_list`), and the daily print batch (`allocate_all_ready`,
`record_print_run`).

A file of requests or of print-readiness rows is all rows or none: every row is checked
in file order, as the single command would check it (`CardDesk.request_command`, the
same decide), against the cards as the earlier good rows leave them, and the good rows'
events are saved in one transaction; with `partial` the good rows are saved and the bad
ones listed. Nothing is saved when a row is bad and `partial` is not given.

Importing the same file twice records nothing new. A request row is *already recorded*
when one of its NIK's cards (found through the NIK's open-request register) was
requested with the same content: name, KK, village, RT, RW, dusun, phone, reason and
evidence. A
print-readiness row is already recorded when its card is past REQUESTED (its readiness
was confirmed). So a second import, or a file holding a line twice, adds nothing; a
row for a NIK with an open card of other content is a bad row (the NIK already has an
open request), as `card request` refuses it.

The print batch is the other way round: each card in its own transaction (a failure,
such as an empty stock, leaves the other cards' work standing), then a summary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from ektp.application.kernel.i18n import N_, _, said
from ektp.application.card.registers import find_register
from ektp.application.card.lookup import load_card
from ektp.application.card.steps import decide_card
from ektp.application.kernel.transaction import Reads, Transaction
from ektp.application.tables.digits import digits_cell, phone_cell
from ektp.application.tables.table import TableRow
from ektp.domain.actor import Actor
from ektp.domain.card import commands as cmd
from ektp.domain.card.state import Card, project
from ektp.domain.card.vocabulary import CardStatus, PrintFailureReason, RequestReason
from ektp.domain.choice import parse_choice
from ektp.domain.errors import DomainError, InvalidText, MissingEvidence, NoBlankInStock
from ektp.domain.nik import Nik, strip_separators
from ektp.domain.text import parse_reference

if TYPE_CHECKING:
    from ektp.application.card.desk import CardDesk
    from ektp.application.kernel.services import Services

REQUEST_COLUMNS = ("nik", "name", "kk", "village")  # required; rt, rw, dusun, phone, reason, evidence, channel optional
REQUESTS_FILE = N_("requests file")  # how messages name the file
READY_COLUMNS = ("card",)  # and optionally reference
READY_FILE = N_("print-readiness list")
RUN_COLUMNS = ("card",)  # and optionally serial, result, station
RUN_FILE = N_("print run list")
# Header names an office's own spreadsheet uses (Indonesian), as the column names.
HEADER_ALIASES = {
    "nama": "name", "nama lengkap": "name", "no kk": "kk", "nomor kk": "kk", "no. kk": "kk",
    "desa": "village", "kelurahan": "village", "desa/kelurahan": "village",
    "kode desa": "village", "alasan": "reason", "bukti": "evidence", "saluran": "channel",
    "kartu": "card", "id kartu": "card", "referensi": "reference", "nomor seri": "serial",
    "seri": "serial", "hasil": "result", "stasiun": "station",
    # The phone as forms name it (an underscore reads as a space: no_hp is no hp).
    "telepon": "phone", "telp": "phone", "telp.": "phone", "no telp": "phone",
    "no. telp": "phone", "nomor telepon": "phone", "no telepon": "phone", "hp": "phone",
    "no hp": "phone", "no. hp": "phone", "nomor hp": "phone", "handphone": "phone",
    "no handphone": "phone", "no wa": "phone", "no. wa": "phone", "whatsapp": "phone",
}
Progress = Callable[[int], None]


@attrs.frozen
class BadRow:
    """A row of a file that was not taken: its line, the column at fault, why."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("line {line}, column {column}: {reason}").format(
            line=self.line, column=self.column, reason=self.reason)


@attrs.frozen
class FileRecorded:
    """What a requests file or a print-readiness list did: rows recorded, rows already
    recorded (before, or earlier in the same file), and the bad rows (nothing was saved
    when `refused`: bad rows without --partial)."""

    what: str
    total: int
    recorded: int
    already: int
    bad: tuple[BadRow, ...]
    refused: bool
    warnings: tuple[str, ...] = ()


@attrs.frozen
class CardDone:
    """One card of a batch: what happened to it (``allocated``, ``printed``,
    ``print-failed``, ``already``, ``failed``) and the blank's serial or why it failed."""

    card: str
    outcome: str
    detail: str = ""
    line: int | None = None


@attrs.frozen
class BatchDone:
    """A print batch's summary: every card's outcome, in order."""

    cards: tuple[CardDone, ...]

    def count(self, outcome: str) -> int:
        """How many cards ended with `outcome`."""
        return sum(1 for c in self.cards if c.outcome == outcome)

    @property
    def failed(self) -> tuple[CardDone, ...]:
        """The cards whose step was refused."""
        return tuple(c for c in self.cards if c.outcome == "failed")


class _Bad(Exception):
    """A row's fault, with its column (internal: becomes a `BadRow`)."""

    def __init__(self, column: str, error: DomainError) -> None:
        super().__init__(error.message)
        self.column, self.error = column, error


def _cell(row: TableRow, column: str, read: Callable[[str | None], object]) -> object:
    try:
        return read(row.get(column))
    except DomainError as error:
        raise _Bad(column, error) from None


# --- a requests file -------------------------------------------------------------
def import_requests(desk: CardDesk, services: Services, actor: Actor, rows: Sequence[TableRow],
                    *, partial: bool = False, digits_checked: bool = False,
                    progress: Progress | None = None) -> FileRecorded:
    """Open a request for every row of a requests file (see the module's doc)."""
    services.authorise(actor, cmd.RequestCard.action)

    def attempt(tx: Transaction) -> FileRecorded:
        start = tx.savepoint()  # where a refused file goes back to (nothing recorded yet)
        recorded = already = 0
        bad: list[BadRow] = []
        warnings: list[str] = []
        for row in rows:
            try:
                outcome = _request_row(desk, services, tx, actor, row, digits_checked)
            except _Bad as fault:
                bad.append(BadRow(row.line, fault.column, said(fault.error)))
            else:
                if outcome is None:
                    already += 1
                else:
                    recorded += 1
                    warnings.extend(f"line {row.line}: {w}" for w in outcome)
            if progress is not None:
                progress(1)
        refused = bool(bad) and not partial
        if refused:
            tx.rollback(start)  # nothing saved: the whole file is refused
        return FileRecorded(REQUESTS_FILE, len(rows), 0 if refused else recorded, already,
                            tuple(bad), refused, tuple(warnings))

    return services.store.transact(attempt, ref=REQUESTS_FILE)


def _request_row(desk: CardDesk, services: Services, tx: Transaction, actor: Actor, row: TableRow,
                 digits_checked: bool) -> tuple[str, ...] | None:
    """Record one row's request in `tx`; its warnings, or None if already recorded."""
    def digits(column: str, field: str) -> Callable[[str | None], str]:
        return lambda _text: digits_cell(row, column, field, digits_checked=digits_checked)

    nik = str(_cell(row, "nik", digits("nik", _("NIK"))))
    kk = str(_cell(row, "kk", digits("kk", _("KK number"))))
    values = {name: row.get(name) for name in ("name", "village", "rt", "rw", "dusun", "evidence")}
    phone = _cell(row, "phone", lambda _text: phone_cell(row, "phone"))
    reason, channel = row.get("reason") or "new", row.get("channel") or "office"
    try:
        command = desk.request_command(actor, nik=nik, name=values["name"] or "", kk=kk,
                                       village=values["village"] or "", rt=values["rt"],
                                       rw=values["rw"], reason=reason, evidence=values["evidence"],
                                       channel=channel, dusun=values["dusun"],
                                       phone=None if phone is None else str(phone))
    except DomainError as error:
        raise _Bad(_column_of(row, services, nik, kk, reason, channel), error) from None
    try:
        events, card, warnings = desk.requested(command)
    except MissingEvidence as error:
        raise _Bad("evidence", error) from None
    except DomainError as error:
        raise _Bad("nik", error) from None
    if _already_requested(services, tx, card):
        return None
    try:
        desk.claim(tx, command, events, card, blind=False)
    except DomainError as error:  # the NIK has an open card of other content
        raise _Bad("nik", error) from None
    return warnings


def _column_of(row: TableRow, s: Services, nik: str, kk: str, reason: str, channel: str) -> str:
    """Which column made the request command refuse: each value checked alone, in the
    order `CardDesk.request_command` checks them."""
    from ektp.application.card.desk import request_evidence
    from ektp.domain.address import parse_rt_rw
    from ektp.domain.card.vocabulary import Channel
    from ektp.domain.nik import KkNumber
    from ektp.domain.phone import parse_phone
    from ektp.domain.text import parse_dusun, parse_name

    checks: list[tuple[str, Callable[[], object]]] = [
        ("nik", lambda: s.parse_nik(nik)),
        ("reason", lambda: parse_choice(RequestReason, reason, "reason")),
        ("name", lambda: parse_name(row.get("name") or "")),
        ("kk", lambda: KkNumber.parse(kk)),
        ("village", lambda: s.parse_village(row.get("village") or "")),
        ("rt", lambda: parse_rt_rw(row.get("rt"), "RT")),
        ("rw", lambda: parse_rt_rw(row.get("rw"), "RW")),
        ("evidence", lambda: request_evidence(parse_choice(RequestReason, reason, "reason"),
                                              row.get("evidence"))),
        ("channel", lambda: parse_choice(Channel, channel, "channel")),
        ("dusun", lambda: parse_dusun(row.get("dusun"))),
        ("phone", lambda: parse_phone(row.get("phone"))),
    ]
    for column, check in checks:
        try:
            check()
        except DomainError:
            return column
    return "row"


def _already_requested(services: Services, tx: Transaction, card: Card) -> bool:
    """Whether one of the NIK's cards was requested with this card's content."""
    register = find_register(services, tx, Nik(card.nik))
    for card_id in register.claimed if register else ():
        existing = tx.load(card_id, project)
        if isinstance(existing, Card) and _same_request(existing, card):
            return True
    return False


def _same_request(a: Card, b: Card) -> bool:
    return (a.nik, a.name, a.kk, a.village, a.rt, a.rw, a.dusun, a.phone, a.reason,
            a.evidence) == (b.nik, b.name, b.kk, b.village, b.rt, b.rw, b.dusun, b.phone,
                            b.reason, b.evidence)


# --- a print-readiness list ------------------------------------------------------
def confirm_ready_list(services: Services, actor: Actor, rows: Sequence[TableRow], *,
                       partial: bool = False, digits_checked: bool = False,
                       progress: Progress | None = None) -> FileRecorded:
    """Confirm print readiness for every row's card (``card``: id, id prefix or NIK;
    optionally ``reference``, the PRR reference), all rows or none unless `partial`."""
    services.authorise(actor, cmd.ConfirmPrintReadiness.action)

    def attempt(tx: Transaction) -> FileRecorded:
        start = tx.savepoint()  # where a refused file goes back to (nothing recorded yet)
        recorded = already = 0
        bad: list[BadRow] = []
        for row in rows:
            try:
                card = _row_card(services, tx, row, digits_checked)
                given = row.get("reference")
                try:
                    reference = parse_reference(given, "PRR reference") if given else None
                except DomainError as error:
                    raise _Bad("reference", error) from None
                if tx.state(card.id, card).status not in (CardStatus.REQUESTED, CardStatus.CANCELLED):
                    already += 1  # its readiness was confirmed before
                else:
                    try:
                        decide_card(services, tx, card, cmd.ConfirmPrintReadiness(
                            **services.stamp(actor), reference=reference))
                    except DomainError as error:
                        raise _Bad("card", error) from None
                    recorded += 1
            except _Bad as fault:
                bad.append(BadRow(row.line, fault.column, said(fault.error)))
            if progress is not None:
                progress(1)
        refused = bool(bad) and not partial
        if refused:
            tx.rollback(start)
        return FileRecorded(READY_FILE, len(rows), 0 if refused else recorded, already,
                            tuple(bad), refused)

    return services.store.transact(attempt, ref=READY_FILE)


def _row_card(services: Services, tx: Reads, row: TableRow, digits_checked: bool) -> Card:
    """The card a row's ``card`` cell names (a NIK there checked for a spreadsheet's
    damage first)."""
    text = row.get("card")
    if text is None:
        raise _Bad("card", InvalidText(field=_("the {column} column").format(column="card"), reason=_("it is empty")))
    try:
        if strip_separators(text).isdigit() or any(c in text for c in "eE+") and text[:1].isdigit():
            text = digits_cell(row, "card", _("NIK in the {column} column").format(column="card"), digits_checked=digits_checked)
        return load_card(services, tx, text)
    except DomainError as error:
        raise _Bad("card", error) from None


# --- the daily print batch --------------------------------------------------------
def allocate_all_ready(desk: CardDesk, services: Services, actor: Actor,
                       village: str | None = None,
                       progress: Progress | None = None) -> BatchDone:
    """Allocate the next blank in stock to every card awaiting one (READY_TO_PRINT,
    oldest request first), optionally of one village; each card in its own transaction."""
    services.authorise(actor, cmd.AllocateBlank.action)
    the_village = services.parse_village(village).value if village else None
    waiting = services.read_models.cards(status=CardStatus.READY_TO_PRINT.value,
                                         village=the_village)
    done: list[CardDone] = []
    empty: NoBlankInStock | None = None
    for row in waiting:
        if empty is not None:  # the stock ran out: the rest are not tried, one by one
            done.append(CardDone(str(row.id), "failed", said(empty)))
            continue
        try:
            view = desk.allocate_blank(actor, row.id)
        except NoBlankInStock as error:
            empty = error
            done.append(CardDone(str(row.id), "failed", said(error)))
        except DomainError as error:
            done.append(CardDone(str(row.id), "failed", said(error)))
        else:
            done.append(CardDone(str(row.id), "allocated", view.blank_serial or ""))
        if progress is not None:
            progress(1)
    return BatchDone(tuple(done))


def record_print_run(desk: CardDesk, services: Services, actor: Actor, rows: Sequence[TableRow],
                     station: str = "main", digits_checked: bool = False,
                     progress: Progress | None = None) -> BatchDone:
    """Record a print station's run list: per row its ``card`` (id, prefix or NIK),
    optionally the ``serial`` printed on and the ``result`` (printed, or the failure:
    print-failed, chip-not-encoded, physical-damage) and ``station``. Each card in its
    own transaction. A row already recorded (the card printed on that serial, or that
    serial already spoiled for it) is counted as already, so a run list can be given
    twice."""
    services.authorise(actor, cmd.RecordPrinted.action)
    done: list[CardDone] = []
    for row in rows:
        ref = row.get("card") or ""
        try:
            card = _row_card(services, services.store.reads(), row, digits_checked)
            ref = str(card.id)
            result = row.get("result") or "printed"
            serial = row.get("serial")
            if result.strip().lower() in ("printed", "ok", "dicetak"):
                if card.status is not CardStatus.BLANK_ALLOCATED and card.printed_at is not None \
                        and (serial is None or serial == card.blank_serial):
                    done.append(CardDone(ref, "already", card.blank_serial or "", row.line))
                else:
                    view = desk.record_printed(actor, card.id, row.get("station") or station, serial)
                    done.append(CardDone(ref, "printed", view.blank_serial or "", row.line))
            else:
                reason = parse_choice(PrintFailureReason, result, "result")
                if serial is not None and serial in card.spoiled_serials:
                    done.append(CardDone(ref, "already", serial, row.line))
                else:
                    if serial is not None and card.blank_serial not in (None, serial):
                        raise InvalidText(field=_("the {column} column").format(column="serial"),
                                          reason=_("the card's blank is {blank}, not {serial}").format(
                                              blank=card.blank_serial, serial=serial))
                    blank = card.blank_serial or ""
                    desk.record_print_failure(actor, card.id, reason)
                    done.append(CardDone(ref, "print-failed", _("{blank} spoiled: {reason}").format(
                                             blank=blank, reason=reason.value),
                                         row.line))
        except _Bad as fault:
            done.append(CardDone(ref, "failed", said(fault.error), row.line))
        except DomainError as error:
            done.append(CardDone(ref, "failed", said(error), row.line))
        if progress is not None:
            progress(1)
    return BatchDone(tuple(done))
