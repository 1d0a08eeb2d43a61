"""Recording a courier's results file on a manifest, all rows or none.

Every row is checked in file order against the manifest and the cards as the
earlier good rows leave them; the events of all good rows are then saved in one
transaction. A row the manifest already holds (same card, outcome, reason,
recipient and evidence, as many times as it holds it) counts as already
recorded, so recording the same file twice records nothing new.

When each result happened is the courier's time: a row's ``at`` cell, else the
time given for the whole file (``--at``), else the moment it is recorded. The
events keep it beside their recording time (`timestamp`), and the reports count
by it; it may not be in the future, nor before the card's dispatch.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import attrs

from ektp.application.card.lookup import load_card
from ektp.application.card.steps import decide_card
from ektp.application.kernel.dates import parse_moment
from ektp.application.kernel.i18n import _, said
from ektp.application.kernel.references import hyphenated, id_prefix, only_match
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Transaction
from ektp.application.manifest.results_file import ResultRow
from ektp.application.manifest.steps import decide_manifest
from ektp.application.manifest.views import ManifestView, ResultsRecorded
from ektp.application.tables.digits import digits_cell
from ektp.application.tables.table import CellKind
from ektp.domain.actor import Actor
from ektp.domain.card import commands as card_cmd
from ektp.domain.card.recipient import Recipient
from ektp.domain.card.state import Card
from ektp.domain.card.vocabulary import (
    AttemptFailureReason,
    HandOverPlace,
    RecipientKind,
    Relationship,
    Verification,
)
from ektp.domain.choice import parse_choice
from ektp.domain.errors import (
    CardNotOnManifest,
    DomainError,
    InvalidResultsFile,
    InvalidText,
    MangledNumber,
)
from ektp.domain.manifest import commands as cmd
from ektp.domain.manifest.state import Manifest, Report
from ektp.domain.manifest.vocabulary import Outcome
from ektp.domain.masking import mask_digits
from ektp.domain.nik import KkNumber, strip_separators
from ektp.domain.serial import parse_serial
from ektp.domain.text import parse_evidence, parse_name, parse_text

Key = tuple[str, str | None, str | None, str | None]


@attrs.frozen
class RowOutcome:
    """One row read into what it asks: the manifest report and the card command facts."""

    card_id: UUID
    outcome: Outcome
    reason: str | None = None
    recipient: Recipient | None = None
    verified_by: Verification | None = None
    place: HandOverPlace = HandOverPlace.DOOR
    evidence: str | None = None
    old_card: str | None = None
    happened_at: dt.datetime | None = None  # the row's own time (its ``at`` cell)

    @property
    def key(self) -> Key:
        """What makes two reports the same report."""
        kind = self.recipient.kind.value if self.recipient else None
        return (self.outcome.value, self.reason, kind, self.evidence)


def report_key(report: Report) -> Key:
    """The key of a report the manifest already holds."""
    return (report.outcome.value, report.reason, report.recipient, report.evidence)


def record_rows(
    services: Services, tx: Transaction, actor: Actor, manifest: Manifest,
    rows: Sequence[ResultRow], partial: bool, digits_checked: bool = False,
    happened_at: dt.datetime | None = None,
) -> ResultsRecorded:
    """Check every row, then record the good ones (all rows must be good unless `partial`).
    `digits_checked`: a CSV's bare NIK and KK digits ending in 0 were checked by the clerk.
    `happened_at`: when the results happened, for the rows without an ``at`` cell."""
    cards: dict[UUID, Card] = {}
    for card_id in manifest.entries:
        cards[card_id] = load_card(services, tx, card_id)
    by_nik = {card.nik: card.id for card in cards.values()}
    held = {cid: Counter(report_key(r) for r in e.reports) for cid, e in manifest.entries.items()}
    bad: list[str] = []
    recorded = already = blank = 0
    for row in rows:
        if row.get("outcome") is None:
            blank += 1  # a sheet line the courier left empty: nothing to record
            continue
        point = tx.savepoint()
        try:
            wanted = read_row(row, manifest, by_nik, services, digits_checked)
            if held[wanted.card_id][wanted.key] > 0:
                held[wanted.card_id][wanted.key] -= 1
                already += 1
                continue
            manifest = _record(services, tx, actor, manifest, cards[wanted.card_id], wanted,
                               wanted.happened_at or happened_at)
        except DomainError as error:
            tx.rollback(point)  # a bad row leaves nothing behind; the good ones stand
            bad.append(_("line {line}: {message}").format(line=row.line, message=said(error)))
            continue
        recorded += 1
    if bad and not partial:
        raise InvalidResultsFile(bad=len(bad), total=len(rows) - blank, rows=bad)
    return ResultsRecorded(ManifestView.of(manifest), recorded, already, blank, tuple(bad))


def _record(services: Services, tx: Transaction, actor: Actor, manifest: Manifest, card: Card,
            wanted: RowOutcome, happened_at: dt.datetime | None) -> Manifest:
    base: dict[str, Any] = services.stamp(actor)
    current = tx.state(card.id, card)
    attempt = current.attempts + 1 if wanted.outcome is Outcome.ATTEMPT_FAILED else None
    kind = wanted.recipient.kind.value if wanted.recipient else None
    manifest = decide_manifest(tx, manifest, cmd.RecordOutcome(
        **base, card_id=card.id, outcome=wanted.outcome, attempt=attempt,
        reason=wanted.reason, recipient=kind, evidence=wanted.evidence, happened_at=happened_at))
    match wanted.outcome:
        case Outcome.HANDED_OVER:
            assert wanted.recipient is not None and wanted.verified_by is not None
            decide_card(services, tx, card, card_cmd.HandOver(
                **base, recipient=wanted.recipient, verified_by=wanted.verified_by,
                place=wanted.place, evidence=wanted.evidence, old_card_serial=wanted.old_card,
                manifest_id=manifest.id, happened_at=happened_at))
        case Outcome.ATTEMPT_FAILED:
            decide_card(services, tx, card, card_cmd.RecordFailedAttempt(
                **base, reason=AttemptFailureReason(wanted.reason or ""), evidence=wanted.evidence,
                manifest_id=manifest.id, happened_at=happened_at))
        case Outcome.RETURNED:
            pass  # the card comes back with the manifest's check-in
    return manifest


def _required(row: ResultRow, column: str) -> str:
    value = row.get(column)
    if value is None:
        raise InvalidText(field=_("the {column} column").format(column=column), reason=_("it is empty"))
    return value


def read_row(row: ResultRow, manifest: Manifest, by_nik: dict[str, UUID],
             services: Services, digits_checked: bool = False) -> RowOutcome:
    """Read one row's cells; raise the named error of the first bad cell."""
    card_id = _card_of(row, manifest, by_nik, digits_checked)
    outcome = parse_choice(Outcome, _required(row, "outcome"), "outcome")
    evidence = parse_evidence(row.get("evidence") or "") if row.get("evidence") else None
    at = row.get("at")
    happened_at = (parse_moment(at, _("the {column} column").format(column="at"), services.config.timezone)
                   .astimezone(services.config.timezone) if at else None)
    if outcome is Outcome.ATTEMPT_FAILED:
        reason = parse_choice(AttemptFailureReason, _required(row, "reason"), "reason")
        return RowOutcome(card_id, outcome, reason=reason.value, evidence=evidence,
                          happened_at=happened_at)
    if outcome is Outcome.RETURNED:
        return RowOutcome(card_id, outcome, reason=parse_text(_required(row, "reason"), "reason"),
                          evidence=evidence, happened_at=happened_at)
    kind = parse_choice(RecipientKind, _required(row, "recipient"), "recipient")
    return RowOutcome(
        card_id, outcome, recipient=_recipient(row, kind, services, digits_checked),
        verified_by=parse_choice(Verification, _required(row, "verified-by"), "verified-by"),
        place=parse_choice(HandOverPlace, row.get("place") or "door", "place"),
        evidence=evidence,
        old_card=_old_card(row),
        happened_at=happened_at,
    )


def _old_card(row: ResultRow) -> str | None:
    text = row.get("old-card")
    if text is None:
        return None
    if row.kind("old-card") is CellKind.NUMBER:  # a number cell drops a serial's leading zeros
        raise MangledNumber(field="old card serial", shown="", how=_("a number cell, not text"))
    return parse_serial(text)


def _card_of(row: ResultRow, manifest: Manifest, by_nik: dict[str, UUID],
             digits_checked: bool) -> UUID:
    text = _required(row, "card")
    try:
        if row.kind("card") is CellKind.NUMBER:
            raise ValueError("a number is never a card id")
        card_id = UUID(text)
    except ValueError:
        # Digits alone in a sheet's card column are a NIK (perhaps one a spreadsheet
        # mangled), never an id prefix: those have a letter or a hyphen.
        prefix = (id_prefix(text) if row.kind("card") is not CellKind.NUMBER
                  and not strip_separators(text).isdigit() else None)
        if prefix is not None:  # the first characters of a card id
            start = hyphenated(prefix)
            found = [c for c in manifest.entries if str(c).startswith(start)]
            if not found:
                raise CardNotOnManifest(card_id=f"with the id prefix {prefix}",
                                        manifest_id=manifest.id) from None
            match = only_match(found, prefix, "card on the manifest")
            assert match is not None
            return match
        digits = strip_separators(digits_cell(row, "card", _("NIK in the {column} column").format(column="card"),
                                              digits_checked=digits_checked))
        if not (len(digits) == 16 and digits.isascii() and digits.isdigit()):
            raise InvalidText(field=_("the {column} column").format(column="card"),
                              reason=_("give a card id or the card's 16-digit NIK")) from None
        if digits not in by_nik:
            raise CardNotOnManifest(card_id=f"with NIK {mask_digits(digits)}",
                                    manifest_id=manifest.id) from None
        return by_nik[digits]
    if card_id not in manifest.entries:
        raise CardNotOnManifest(card_id=card_id, manifest_id=manifest.id)
    return card_id


def _recipient(row: ResultRow, kind: RecipientKind, services: Services,
               digits_checked: bool) -> Recipient:
    if kind is RecipientKind.OWNER:
        return Recipient.owner()
    nik, kk = row.get("proxy-nik"), row.get("proxy-kk")
    name, relationship = row.get("proxy-name"), row.get("relationship")
    return Recipient(
        kind,
        nik=services.parse_nik(digits_cell(row, "proxy-nik", _("proxy NIK"),
                                           digits_checked=digits_checked)).value if nik else None,
        name=parse_name(name, "proxy name") if name else None,
        kk=KkNumber.parse(digits_cell(row, "proxy-kk", _("proxy KK number"),
                                      digits_checked=digits_checked)).value if kk else None,
        relationship=parse_choice(Relationship, relationship, "relationship") if relationship else None,
    )
