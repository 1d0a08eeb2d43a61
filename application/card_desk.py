"""The card use cases: one method per command of `ektp card`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from ektp.application.card_change import CardChange
from ektp.application.errors import VillageOutsideRegency
from ektp.application.office_base import OfficeBase
from ektp.application.stale_retry import write_use_case
from ektp.application.store_access import is_cached, put_events, remember, save, store_errors
from ektp.application.views import CardView
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
from ektp.domain.errors import CardNotFound, ConcurrentChange, InvalidText, UnknownVillage
from ektp.domain.event import DomainEvent
from ektp.domain.nik import KkNumber, Nik
from ektp.domain.serial import parse_serial

if TYPE_CHECKING:
    from ektp.application.history import HistoryEntry
    from ektp.domain.open_requests import NikClaimed, OpenRequest
from ektp.domain.text import parse_name, parse_reference, parse_text

CommandFactory = Callable[..., cmd.CardCommand]


class CardDesk(OfficeBase):
    """Requests, printing, delivery and closing of cards."""

    @write_use_case
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
    ) -> CardView:
        """Open a request; refused if the NIK already has an open one or the village
        does not exist. A NIK region missing from today's list is only a warning."""
        the_nik = self._parse_nik(nik)
        the_reason = parse_choice(RequestReason, reason, "reason")
        command = cmd.RequestCard(
            actor=actor,
            at=self._now(),
            office=self._config.office_code,
            card_id=uuid4(),
            nik=the_nik,
            name=parse_name(name),
            kk=kk if isinstance(kk, KkNumber) else KkNumber.parse(kk),
            village=self._parse_village(village),
            rt=parse_rt_rw(rt, "RT"),
            rw=parse_rt_rw(rw, "RW"),
            reason=the_reason,
            evidence=self._parse_evidence(the_reason, evidence),
            channel=parse_choice(Channel, channel, "channel"),
        )
        events = decide(None, command, self._config.card_policy)
        card = project(None, events)
        assert card is not None
        warnings = self._nik_warnings(the_nik)
        self._claim_and_save(the_nik, command, events, card)
        return CardView.of(card, warnings)

    def _parse_village(self, village: str | VillageCode) -> VillageCode:
        code = village if isinstance(village, VillageCode) else VillageCode.parse(village)
        if code.regency != self._config.regency:
            raise VillageOutsideRegency(village=code.value, regency=self._config.regency)
        if self.regions.get(code.value) is None:
            raise UnknownVillage(village=code.value)
        return code

    def _nik_warnings(self, nik: Nik) -> tuple[str, ...]:
        if self.regions.get(nik.region_prefix) is not None:
            return ()
        from ektp.domain.messages import render

        return (render("NikRegionUnknown", {"masked": nik.masked, "region": nik.region_prefix}),)

    @staticmethod
    def _parse_evidence(reason: RequestReason, evidence: str | None) -> str | None:
        if evidence is None or not evidence.strip():
            return None
        if reason is RequestReason.DAMAGED:
            return parse_serial(evidence)
        return parse_reference(evidence, "evidence")

    def _claim_and_save(
        self, nik: Nik, command: cmd.RequestCard, events: list[ev.CardEvent], card: Card
    ) -> None:
        from ektp.domain import open_requests  # only requests and closings touch the register

        stream = open_requests.register_id(nik)

        def claim(register: OpenRequest | None) -> NikClaimed:
            return open_requests.claim(
                register, stream, command.card_id, nik.masked,
                command.actor, command.at, command.office,
            )

        # Most NIKs have never been requested: write the claim as the register's
        # first event without reading it first; the store refuses the write if
        # the register exists, and only then do we read it and decide properly.
        register = None if not is_cached(self._store, stream) else self._load(stream, open_requests.project)
        claimed = claim(register)
        with store_errors():
            try:
                put_events(self._store, [*events, claimed])
            except IntegrityError:
                if register is not None:
                    raise ConcurrentChange(ref=f"NIK {nik.masked}") from None
            else:
                remember(self._store, [card, open_requests.project(register, [claimed])])
                return
        register = self._load(stream, open_requests.project, fresh=True)
        claimed = claim(register)
        save(self._store, [*events, claimed], ref=f"NIK {nik.masked}",
             states=[card, open_requests.project(register, [claimed])])

    @write_use_case
    def confirm_print_readiness(
        self, actor: Actor, card: str | UUID, reference: str | None = None
    ) -> CardView:
        """Record that the central PRR cleared the applicant."""
        ref = parse_reference(reference, "PRR reference") if reference else None
        return self._change(card, actor, partial(cmd.ConfirmPrintReadiness, reference=ref))

    @write_use_case
    def allocate_blank(self, actor: Actor, card: str | UUID, serial: str | None = None) -> CardView:
        """Set a blank aside for the card: `serial`, or the next serial in stock if None."""
        if not serial:
            return self._move_blank(card, actor, cmd.AllocateBlank, next_in_stock=True)
        the_serial = parse_serial(serial)
        return self._move_blank(card, actor, partial(cmd.AllocateBlank, serial=the_serial))

    @write_use_case
    def record_printed(
        self, actor: Actor, card: str | UUID, station: str = "main", serial: str | None = None
    ) -> CardView:
        """Record that the card was printed on its allocated blank."""
        the_station = parse_reference(station, "station")
        the_serial = parse_serial(serial) if serial else None
        return self._move_blank(
            card, actor, partial(cmd.RecordPrinted, station=the_station, serial=the_serial)
        )

    @write_use_case
    def record_print_failure(
        self, actor: Actor, card: str | UUID, reason: str | PrintFailureReason
    ) -> CardView:
        """Record a failed print: the blank is spoiled and the card needs a new one."""
        the_reason = parse_choice(PrintFailureReason, reason, "reason")
        return self._move_blank(card, actor, partial(cmd.RecordPrintFailure, reason=the_reason))

    @write_use_case
    def dispatch(self, actor: Actor, card: str | UUID, courier: str) -> CardView:
        """Give the card to a courier."""
        the_courier = parse_staff_id(courier, "courier")
        return self._change(card, actor, partial(cmd.Dispatch, courier=the_courier))

    @write_use_case
    def record_failed_attempt(
        self,
        actor: Actor,
        card: str | UUID,
        reason: str | AttemptFailureReason,
        evidence: str | None = None,
    ) -> CardView:
        """Record a delivery attempt that did not reach the resident."""
        the_reason = parse_choice(AttemptFailureReason, reason, "reason")
        the_evidence = parse_reference(evidence, "evidence") if evidence else None
        return self._change(
            card, actor,
            partial(cmd.RecordFailedAttempt, reason=the_reason, evidence=the_evidence),
        )

    @write_use_case
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
        who = self._recipient(
            parse_choice(RecipientKind, recipient, "recipient"),
            proxy_nik, proxy_name, proxy_kk, relationship,
        )
        the_verification = parse_choice(Verification, verified_by, "verified-by")
        the_place = parse_choice(HandOverPlace, place, "place")
        the_evidence = parse_reference(evidence, "evidence") if evidence else None
        the_old_card = parse_serial(old_card) if old_card else None
        return self._change(
            card, actor,
            partial(
                cmd.HandOver, recipient=who, verified_by=the_verification, place=the_place,
                evidence=the_evidence, old_card_serial=the_old_card,
            ),
        )

    def _recipient(
        self,
        kind: RecipientKind,
        nik: str | None,
        name: str | None,
        kk: str | None,
        relationship: str | Relationship | None,
    ) -> Recipient:
        if kind is RecipientKind.OWNER:
            if nik or name or kk or relationship:
                raise InvalidText(field="proxy details",
                                  reason="they are given only with --recipient proxy")
            return Recipient.owner()
        return Recipient(
            kind,
            nik=self._parse_nik(nik).value if nik else None,
            name=parse_name(name, "proxy name") if name else None,
            kk=KkNumber.parse(kk).value if kk else None,
            relationship=parse_choice(Relationship, relationship, "relationship") if relationship else None,
        )

    @write_use_case
    def return_card(self, actor: Actor, card: str | UUID, reason: str) -> CardView:
        """Check an undelivered card back in at the office."""
        the_reason = parse_text(reason, "reason")
        return self._change(card, actor, partial(cmd.ReturnToOffice, reason=the_reason))

    @write_use_case
    def cancel(
        self, actor: Actor, card: str | UUID, reason: str, record_number: str | None = None
    ) -> CardView:
        """Withdraw a request that is not printed yet (an allocated blank goes back to stock)."""
        the_reason = parse_text(reason, "reason")
        record = parse_reference(record_number, "record number") if record_number else None
        return self._move_blank(
            card, actor, partial(cmd.Cancel, reason=the_reason, record_number=record)
        )

    @write_use_case
    def declare_uncollected(self, actor: Actor, card: str | UUID) -> CardView:
        """Close the holding period of a returned card."""
        return self._change(card, actor, cmd.DeclareUncollected)

    @write_use_case
    def destroy(self, actor: Actor, card: str | UUID, reason: str, record_number: str) -> CardView:
        """Destroy an uncollected card under a signed record."""
        the_reason = parse_text(reason, "reason")
        record = parse_reference(record_number, "record number")
        return self._change(
            card, actor, partial(cmd.Destroy, reason=the_reason, record_number=record)
        )

    def _change(self, ref: str | UUID, actor: Actor, build: CommandFactory) -> CardView:
        change = self._decide_change(ref, actor, build)
        self._save_change(change)
        return CardView.of(change.after)

    def _save_change(self, change: CardChange) -> None:
        save(self._store, change.events, ref=change.card.id, states=change.states)

    def _move_blank(
        self, ref: str | UUID, actor: Actor, build: CommandFactory, next_in_stock: bool = False
    ) -> CardView:
        """A command that moves the card's blank: the card's events and the blank
        ledger's are saved together, in one transaction. With `next_in_stock`,
        `build` is given the serial the ledger hands out next."""
        from ektp.application.card_blanks import move_blank  # only these commands need the ledger

        return move_blank(self, self._decide_change, self._save_change,
                          ref, actor, build, next_in_stock)

    def _decide_change(
        self, ref: str | UUID, actor: Actor, build: CommandFactory, fresh: bool = False
    ) -> CardChange:
        """Decide a command on the card (and free its NIK if it closes); write nothing."""
        card = self._load_card(ref, fresh)
        command = build(actor=actor, at=self._now(), office=self._config.office_code)
        card_events = decide(card, command, self._config.card_policy)
        events: list[DomainEvent] = list(card_events)
        after = project(card, card_events)
        assert after is not None
        states: list[object] = [after]
        if not after.is_open:
            from ektp.domain import open_requests

            register = self._load(open_requests.register_id(Nik(card.nik)), open_requests.project)
            released = register and open_requests.release(
                register, card.id, command.actor, command.at, command.office)
            if released:
                events.append(released)
                states.append(open_requests.project(register, [released]))
        return CardChange(card, card_events, after, events, states)

    def card(self, ref: str | UUID) -> CardView:
        """The card as it stands now (read fresh from the store)."""
        return CardView.of(self._load_card(ref, fresh=True))

    def card_history(self, ref: str | UUID) -> tuple[HistoryEntry, ...]:
        """Every event of the card, oldest first."""
        from ektp.application.history import history_entry  # only queries need it

        card_id = self._card_id(ref, fresh=True)
        with store_errors():
            events = list(self._store.events.get(card_id))
        if not events or not isinstance(events[0], ev.CardEvent):
            raise CardNotFound(ref=f"card {card_id}")
        return tuple(history_entry(e) for e in events if isinstance(e, ev.CardEvent))

