"""The card desk: one method per command of `ektp card`, and the card queries.

Each write reads as the house's use cases do: check the clerk's values, then
in one `Store.transact` load the card, decide with the domain's `decide`, and
record the events (with the NIK register's and, for blank moves, the ledger's).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from ektp.application.card.lookup import card_id, cards_of_nik, load_card
from ektp.application.card.steps import decide_card
from ektp.application.card.views import CardView
from ektp.application.kernel.i18n import _
from ektp.application.kernel.permissions import EXPORT_RESIDENT_DATA, SEE_FULL_NIK, may
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Transaction
from ektp.domain.actor import Actor, parse_staff_id
from ektp.domain.address import VillageCode, parse_rt_rw
from ektp.domain.card import commands as cmd
from ektp.domain.card import events as ev
from ektp.domain.card.decide import decide
from ektp.domain.card.recipient import Recipient
from ektp.domain.card.state import Card, project
from ektp.domain.card.vocabulary import (
    AttemptFailureReason,
    Channel,
    HandOverPlace,
    PrintFailureReason,
    RecipientKind,
    Relationship,
    RequestReason,
    Verification,
)
from ektp.domain.choice import parse_choice
from ektp.domain.errors import CardNotFound, InvalidText
from ektp.domain.messages import render
from ektp.domain.nik import KkNumber, Nik, strip_separators
from ektp.domain.phone import parse_phone
from ektp.domain.serial import parse_serial
from ektp.domain.text import parse_dusun, parse_name, parse_reference, parse_text

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ektp.application.card.history import HistoryEntry
    from ektp.application.card.personal_data import PersonalDataHeld
    from ektp.application.card.blank_moves import BlankMoves
    from ektp.application.card.bulk import BatchDone, FileRecorded
    from ektp.application.tables.table import TableRow
    from ektp.application.card.receipt import Receipt
    from ektp.application.card.resident_status import ResidentStatus



class CardDesk:
    """Requests, printing, delivery and closing of cards."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @cached_property
    def _blanks(self) -> BlankMoves:
        # A lazy import: only the commands that move a blank load the ledger's code (`ektp card ready` stays quick to start).
        from ektp.application.card.blank_moves import BlankMoves

        return BlankMoves(self._services)

    # --- writes ----------------------------------------------------------------
    def request_card(
        self,
        actor: Actor,
        *,
        nik: str | Nik,
        name: str,
        kk: str | KkNumber,
        village: str | VillageCode,
        rt: str | None = None,
        rw: str | None = None,
        reason: str | RequestReason = RequestReason.NEW,
        evidence: str | None = None,
        channel: str | Channel = Channel.OFFICE,
        dusun: str | None = None,
        phone: str | None = None,
    ) -> CardView:
        """Open a request; refused if the NIK already has an open one or the village
        does not exist. A NIK region missing from today's list, or a family card (KK)
        issued by another regency, is only a warning. `dusun`: the hamlet of the address;
        `phone`: the resident's phone number, when known (`ektp.domain.phone.parse_phone`)."""
        s = self._services
        command = self.request_command(actor, nik=nik, name=name, kk=kk, village=village, rt=rt,
                                       rw=rw, reason=reason, evidence=evidence, channel=channel,
                                       dusun=dusun, phone=phone)
        s.authorise(actor, cmd.RequestCard.action)
        events, card, warnings = self.requested(command)

        def attempt(tx: Transaction) -> CardView:
            self.claim(tx, command, events, card, blind=True)
            return CardView.of(card, warnings, reveal=may(actor, SEE_FULL_NIK))

        return s.store.transact(attempt, ref=f"NIK {command.nik.masked}")

    def request_command(
        self, actor: Actor, *, nik: str | Nik, name: str, kk: str | KkNumber,
        village: str | VillageCode, rt: str | None = None, rw: str | None = None,
        reason: str | RequestReason = RequestReason.NEW, evidence: str | None = None,
        channel: str | Channel = Channel.OFFICE, dusun: str | None = None,
        phone: str | None = None,
    ) -> cmd.RequestCard:
        """The request command for these values, each checked as `request_card` checks it
        (shared with `card import`, so a row is checked exactly as the command would be)."""
        s = self._services
        the_nik = s.parse_nik(nik)
        the_reason = parse_choice(RequestReason, reason, "reason")
        return cmd.RequestCard(
            **s.stamp(actor), card_id=uuid4(), nik=the_nik, name=parse_name(name),
            kk=kk if isinstance(kk, KkNumber) else KkNumber.parse(kk),
            village=s.parse_village(village), rt=parse_rt_rw(rt, "RT"), rw=parse_rt_rw(rw, "RW"),
            reason=the_reason, evidence=request_evidence(the_reason, evidence),
            channel=parse_choice(Channel, channel, "channel"), dusun=parse_dusun(dusun),
            phone=parse_phone(phone),
        )

    def requested(self, command: cmd.RequestCard) -> tuple[list[ev.CardEvent], Card, tuple[str, ...]]:
        """The request's events, the card they make and its warnings (a NIK region
        missing from today's list, a KK of another regency); raise if refused."""
        events = list(decide(None, command, self._services.config.card_policy))
        card = project(None, events)
        assert card is not None
        return events, card, self._nik_warnings(command.nik) + self._kk_warnings(command.kk)

    def claim(self, tx: Transaction, command: cmd.RequestCard, events: list[ev.CardEvent],
              card: Card, *, blind: bool) -> None:
        """Record the request and its claim of the NIK in `tx` (refused with
        `DuplicateOpenRequest` when the NIK has an open card). `blind`: the NIK's
        register is taken to be new unless cached (`Transaction.load_new`)."""
        # Imported here: only a request claims a NIK (`ektp card ready` starts quicker).
        from ektp.application.card.registers import register_to_claim
        from ektp.domain import open_requests

        register_id, register = register_to_claim(self._services, tx, command.nik, blind=blind)
        claimed = open_requests.claim(register, register_id, card.id, command.nik.masked,
                                      command.actor, command.at, command.office)
        tx.record(events, card)
        tx.record([claimed], open_requests.project(register, [claimed]))

    def _kk_warnings(self, kk: KkNumber) -> tuple[str, ...]:
        regency = self._services.config.regency
        if kk.regency == regency:
            return ()
        return (render("KkOutsideRegency", {"masked": kk.masked, "region": kk.regency,
                                            "regency": regency}),)

    def _nik_warnings(self, nik: Nik) -> tuple[str, ...]:
        if self._services.regions.get(nik.region_prefix) is not None:
            return ()
        return (render("NikRegionUnknown", {"masked": nik.masked, "region": nik.region_prefix}),)

    def confirm_print_readiness(
        self, actor: Actor, card: str | UUID, reference: str | None = None
    ) -> CardView:
        """Record that the central PRR cleared the applicant."""
        ref = parse_reference(reference, "PRR reference") if reference else None
        return self._change(card, actor, cmd.ConfirmPrintReadiness, reference=ref)

    def allocate_blank(self, actor: Actor, card: str | UUID, serial: str | None = None) -> CardView:
        """Set a blank aside for the card: `serial`, or the next serial in stock if None."""
        if not serial:
            return self._blanks.move(card, actor, cmd.AllocateBlank, next_in_stock=True)
        return self._blanks.move(card, actor, cmd.AllocateBlank, serial=parse_serial(serial))

    def record_printed(
        self, actor: Actor, card: str | UUID, station: str = "main", serial: str | None = None
    ) -> CardView:
        """Record that the card was printed on its allocated blank."""
        the_station = parse_reference(station, "station")
        the_serial = parse_serial(serial) if serial else None
        return self._blanks.move(card, actor, cmd.RecordPrinted, station=the_station, serial=the_serial)

    def record_print_failure(
        self, actor: Actor, card: str | UUID, reason: str | PrintFailureReason
    ) -> CardView:
        """Record a failed print: the blank is spoiled and the card needs a new one."""
        the_reason = parse_choice(PrintFailureReason, reason, "reason")
        return self._blanks.move(card, actor, cmd.RecordPrintFailure, reason=the_reason)

    def dispatch(self, actor: Actor, card: str | UUID, courier: str) -> CardView:
        """Give the card to a courier."""
        the_courier = parse_staff_id(courier, "courier")
        return self._change(card, actor, cmd.Dispatch, courier=the_courier)

    def record_failed_attempt(
        self, actor: Actor, card: str | UUID, reason: str | AttemptFailureReason,
        evidence: str | None = None,
    ) -> CardView:
        """Record a delivery attempt that did not reach the resident."""
        the_reason = parse_choice(AttemptFailureReason, reason, "reason")
        the_evidence = parse_reference(evidence, "evidence") if evidence else None
        return self._change(card, actor, cmd.RecordFailedAttempt, reason=the_reason,
                            evidence=the_evidence)

    def hand_over(
        self,
        actor: Actor,
        card: str | UUID,
        *,
        recipient: str | RecipientKind = RecipientKind.OWNER,
        verified_by: str | Verification,
        place: str | HandOverPlace = HandOverPlace.DOOR,
        proxy_nik: str | None = None,
        proxy_name: str | None = None,
        proxy_kk: str | None = None,
        relationship: str | Relationship | None = None,
        evidence: str | None = None,
        old_card: str | None = None,
    ) -> CardView:
        """Record the hand-over to the owner or to a proxy of the same KK."""
        who = self._recipient(parse_choice(RecipientKind, recipient, "recipient"),
                              proxy_nik, proxy_name, proxy_kk, relationship)
        return self._change(
            card, actor, cmd.HandOver, recipient=who,
            verified_by=parse_choice(Verification, verified_by, "verified-by"),
            place=parse_choice(HandOverPlace, place, "place"),
            evidence=parse_reference(evidence, "evidence") if evidence else None,
            old_card_serial=parse_serial(old_card) if old_card else None,
        )

    def _recipient(self, kind: RecipientKind, nik: str | None, name: str | None,
                   kk: str | None, relationship: str | Relationship | None) -> Recipient:
        if kind is RecipientKind.OWNER:
            if nik or name or kk or relationship:
                raise InvalidText(field="proxy details",
                                  reason=_("they are given only with --recipient proxy"))
            return Recipient.owner()
        return Recipient(
            kind,
            nik=self._services.parse_nik(nik).value if nik else None,
            name=parse_name(name, "proxy name") if name else None,
            kk=KkNumber.parse(kk).value if kk else None,
            relationship=parse_choice(Relationship, relationship, "relationship") if relationship else None,
        )

    def return_card(self, actor: Actor, card: str | UUID, reason: str) -> CardView:
        """Check an undelivered card back in at the office."""
        the_reason = parse_text(reason, "reason")
        return self._change(card, actor, cmd.ReturnToOffice, reason=the_reason)

    def cancel(
        self, actor: Actor, card: str | UUID, reason: str, record_number: str | None = None
    ) -> CardView:
        """Withdraw a request that is not printed yet (an allocated blank goes back to stock)."""
        the_reason = parse_text(reason, "reason")
        record = parse_reference(record_number, "record number") if record_number else None
        return self._blanks.move(card, actor, cmd.Cancel, reason=the_reason, record_number=record)

    def declare_uncollected(self, actor: Actor, card: str | UUID) -> CardView:
        """Close the holding period of a returned card."""
        return self._change(card, actor, cmd.DeclareUncollected)

    def destroy(self, actor: Actor, card: str | UUID, reason: str, record_number: str) -> CardView:
        """Destroy an uncollected card under a signed record."""
        the_reason = parse_text(reason, "reason")
        record = parse_reference(record_number, "record number")
        return self._change(card, actor, cmd.Destroy, reason=the_reason, record_number=record)

    def _change(self, ref: str | UUID, actor: Actor, command_type: type[cmd.CardCommand],
                **facts: Any) -> CardView:
        """Load the card, decide the command on it, record the events."""
        s = self._services
        s.authorise(actor, command_type.action)

        def attempt(tx: Transaction) -> CardView:
            card = load_card(s, tx, ref)
            step = decide_card(s, tx, card, command_type(**s.stamp(actor), **facts))
            # Masked: a full NIK is shown only where the access is recorded (`card`).
            return CardView.of(step.after, reveal=False)

        return s.store.transact(attempt, ref=ref)

    # --- bulk work (`ektp.application.card.bulk`, imported only when used) ---------
    def import_requests(self, actor: Actor, rows: Sequence[TableRow], *, partial: bool = False,
                        digits_checked: bool = False,
                        progress: Callable[[int], None] | None = None) -> FileRecorded:
        """Open a request for every row of a requests file: all rows or none unless
        `partial`; rows already recorded are skipped (see `ektp.application.card.bulk`)."""
        from ektp.application.card import bulk

        return bulk.import_requests(self, self._services, actor, rows, partial=partial,
                                    digits_checked=digits_checked, progress=progress)

    def confirm_ready_list(self, actor: Actor, rows: Sequence[TableRow], *, partial: bool = False,
                           digits_checked: bool = False,
                           progress: Callable[[int], None] | None = None) -> FileRecorded:
        """Confirm print readiness for every row of a print-readiness list (all or none
        unless `partial`; cards confirmed before are skipped)."""
        from ektp.application.card import bulk

        return bulk.confirm_ready_list(self._services, actor, rows, partial=partial,
                                       digits_checked=digits_checked, progress=progress)

    def allocate_all_ready(self, actor: Actor, village: str | None = None,
                           progress: Callable[[int], None] | None = None) -> BatchDone:
        """Allocate the next blank to every card awaiting one (optionally of one
        village), each card in its own transaction."""
        from ektp.application.card import bulk

        return bulk.allocate_all_ready(self, self._services, actor, village, progress)

    def record_print_run(self, actor: Actor, rows: Sequence[TableRow], station: str = "main",
                         *, digits_checked: bool = False,
                         progress: Callable[[int], None] | None = None) -> BatchDone:
        """Record a print station's run list, each card in its own transaction."""
        from ektp.application.card import bulk

        return bulk.record_print_run(self, self._services, actor, rows, station,
                                     digits_checked, progress)

    # --- queries ---------------------------------------------------------------
    def card(self, ref: str | UUID, actor: Actor | None = None, *, full: bool = False,
             purpose: str | None = None) -> CardView:
        """The card as it stands now (read fresh from the store), NIK, KK and phone masked
        and the name as initials; `full` shows them in full, to an `actor` who may see them, once the access is
        written to their access log (with the optional `purpose`): if that write
        fails, the card is not returned."""
        if full:
            self._services.authorise(actor, SEE_FULL_NIK)
        card = load_card(self._services, self._services.store.reads(), ref)
        if full:
            from ektp.application.personal_data.record import record_access

            assert actor is not None  # authorised above
            record_access(self._services, actor, "card show --full", [card.nik],
                          purpose=purpose, bulk=False)
        return CardView.of(card, reveal=full)

    def receipt(self, ref: str | UUID) -> Receipt:
        """What the card's request receipt shows (masked NIK and initials only)."""
        # Imported here: every card command imports this desk, one asks for this.
        from ektp.application.card.receipt import Receipt

        s = self._services
        card = load_card(s, s.store.reads(), ref)
        region = s.regions.get(card.village)
        return Receipt.of(card, region.name if region else card.village, s.config.office_name)

    def resident_status(self, ref: str) -> ResidentStatus:
        """Where a resident's card is, since when, and what happens next: `ref` is a NIK
        (its latest card) or a card's short code or id (that card: the receipt's QR code)."""
        # Imported here: every card command imports this desk, one asks for this.
        from ektp.application.card.resident_status import resident_status

        s = self._services
        reads = s.store.reads()
        digits = strip_separators(ref.strip())
        if len(digits) == 16 and digits.isascii() and digits.isdigit():
            the_nik = s.parse_nik(digits)
            cards = cards_of_nik(s, reads, the_nik)
            if not cards:
                raise CardNotFound(ref=f"NIK {the_nik.masked}")
            chosen = cards[-1]
        else:  # a short code or an id: that very card, as its receipt's QR code asks
            card = load_card(s, reads, ref)
            chosen = card.id
            cards = cards_of_nik(s, reads, s.parse_nik(card.nik)) or (chosen,)
        events = [e for e in s.store.events(chosen) if isinstance(e, ev.CardEvent)]
        village = events[0].village if isinstance(events[0], ev.Requested) else ""
        region = s.regions.get(village)
        return resident_status(events, s.config.card_policy, region.name if region else village,
                               len(cards))

    def personal_data(self, actor: Actor | None, nik: str, *, purpose: str | None = None
                      ) -> PersonalDataHeld:
        """What the office holds about the person `nik` names, in full, for their own
        request (head of office only; `CardNotFound` when the office holds nothing)."""
        # Imported here: one command asks for this.
        from ektp.application.card.personal_data import PersonalDataHeld, held_card

        s = self._services
        the_nik = s.parse_nik(nik)
        s.authorise(actor, EXPORT_RESIDENT_DATA)
        cards = cards_of_nik(s, s.store.reads(), the_nik)
        if not cards:
            raise CardNotFound(ref=f"NIK {the_nik.masked}")
        held = [held_card([e for e in s.store.events(c) if isinstance(e, ev.CardEvent)])
                for c in cards]
        # Shown in full to the head: recorded first (UU PDP Art. 31), as every full display.
        from ektp.application.personal_data.record import record_access

        assert actor is not None  # authorised above
        record_access(s, actor, "personal-data export", [the_nik.value],
                      purpose=purpose or "the data subject's request for their data", bulk=False)
        return PersonalDataHeld(nik=the_nik.value, cards=tuple(held))

    def card_history(self, ref: str | UUID) -> tuple[HistoryEntry, ...]:
        """Every event of the card, oldest first."""
        # Imported here: only `card history` needs it (`ektp card ready` starts quicker).
        from ektp.application.card.history import history_entry

        s = self._services
        the_id = card_id(s, s.store.reads(), ref)
        events = list(s.store.events(the_id))
        if not events or not isinstance(events[0], ev.CardEvent):
            raise CardNotFound(ref=f"card {the_id}")
        return tuple(history_entry(e) for e in events if isinstance(e, ev.CardEvent))


def request_evidence(reason: RequestReason, evidence: str | None) -> str | None:
    """A lost card's police report number, or a damaged card's old serial."""
    if evidence is None or not evidence.strip():
        return None
    if reason is RequestReason.DAMAGED:
        return parse_serial(evidence)
    return parse_reference(evidence, "evidence")
