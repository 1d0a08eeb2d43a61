"""The delivery use cases: a courier's manifest from opening to its signed close.

Each use case decides on the manifest and on every card it touches, and saves
all their events in one transaction: dispatching a manifest dispatches its
cards, a recorded hand-over is on the card and on the manifest at once, and the
check-in returns every undelivered card. "A card is on at most one open
manifest" is the card's own rule (its state names the one manifest it is on);
two clerks assigning the same card at the same moment both write the card's
stream at the same version, and the store lets only one of them in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID, uuid4

from ektp.application.office_base import OfficeBase
from ektp.application.stale_retry import write_use_case
from ektp.domain.errors import InvalidText

# The manifest's domain is imported by the methods that use it, so that a card
# command, which builds an Office too, does not pay for it at start-up.
if TYPE_CHECKING:
    from ektp.application.read_views import ManifestRow
    from ektp.application.batch import Batch
    from ektp.application.delivery_report import DeliveryFold
    from ektp.application.manifest_views import ManifestView, ResultsRecorded, Sheet
    from ektp.application.results_file import ResultRow
    from ektp.domain.actor import Actor
    from ektp.domain.card import commands as card_cmd
    from ektp.domain.card.state import Card
    from ektp.domain.manifest import commands as cmd
    from ektp.domain.manifest.state import Manifest, Report


class DeliveryDesk(OfficeBase):
    """Manifests: open, assign, dispatch, record the round, check in, close."""

    # --- reading -------------------------------------------------------------
    def _manifest_id(self, ref: str | UUID) -> UUID:
        from ektp.domain.errors import InvalidManifestReference
        if isinstance(ref, UUID):
            return ref
        try:
            return UUID(ref.strip())
        except ValueError:
            raise InvalidManifestReference(ref=ref.strip()[:40]) from None

    def _load_manifest(self, ref: str | UUID, fresh: bool = False) -> Manifest:
        from ektp.domain.errors import ManifestNotFound
        from ektp.domain.manifest.state import project
        manifest_id = self._manifest_id(ref)
        manifest = self._load(manifest_id, project, fresh)
        if manifest is None:
            raise ManifestNotFound(ref=f"manifest {manifest_id}")
        return manifest

    def manifest(self, ref: str | UUID) -> ManifestView:
        """The manifest as it stands now (read fresh from the store)."""
        from ektp.application.manifest_views import ManifestView
        return ManifestView.of(self._load_manifest(ref, fresh=True))

    def list_manifests(self, status: str | None = None) -> tuple[ManifestRow, ...]:
        """Every manifest (optionally of one status), oldest date first (from the read model)."""
        from ektp.domain.choice import parse_choice
        from ektp.domain.manifest.vocabulary import ManifestStatus

        the_status = parse_choice(ManifestStatus, status, "status") if status else None
        return self.read_models.manifests(the_status.value if the_status else None)

    def manifest_sheet(self, ref: str | UUID) -> Sheet:
        """The courier's sheet: the cards in kecamatan, village, RT/RW order."""
        from ektp.application.manifest_views import ManifestView
        from ektp.application.delivery_queries import build_sheet

        manifest = self._load_manifest(ref, fresh=True)
        cards = [self._load_card(card_id, fresh=True) for card_id in manifest.entries]
        return build_sheet(ManifestView.of(manifest), cards, self.regions,
                           self._config.office_name)

    def delivery_report(
        self, start: str | dt.date | None = None, end: str | dt.date | None = None
    ) -> DeliveryFold:
        """Delivery figures per village, kecamatan and courier between two dates (inclusive),
        from the delivery facts read model."""
        from ektp.application.delivery_report import DeliveryFold

        first = _parse_date(start, "from") if start else None
        last = _parse_date(end, "to") if end else None
        if first and last and last < first:
            raise InvalidText(field="to", reason="it is before --from")
        fold = DeliveryFold(start=first, end=last, timezone=self._config.timezone)
        for fact, village in self.read_models.delivery_facts(first, last):
            fold.add_fact(fact, village)
        return fold

    # --- opening and filling -------------------------------------------------
    @write_use_case
    def open_manifest(
        self, actor: Actor, *, courier: str, date: str | dt.date, villages: Sequence[str]
    ) -> ManifestView:
        """Open a manifest for `courier`'s run on `date` through existing `villages`."""
        from ektp.application.manifest_views import ManifestView
        from ektp.application.store_access import save
        from ektp.domain.address import VillageCode
        from ektp.domain.errors import UnknownVillage
        from ektp.domain.manifest import commands as cmd
        from ektp.domain.manifest.decide import decide
        from ektp.domain.manifest.state import project
        from ektp.application.errors import VillageOutsideRegency
        from ektp.domain.actor import parse_staff_id

        codes: list[str] = []
        for text in villages:
            code = VillageCode.parse(text)
            if code.regency != self._config.regency:
                raise VillageOutsideRegency(village=code.value, regency=self._config.regency)
            if self.regions.get(code.value) is None:
                raise UnknownVillage(village=code.value)
            codes.append(code.value)
        if not codes:
            raise InvalidText(field="villages", reason="give at least one --village")
        command = cmd.OpenManifest(
            actor=actor, at=self._now(), office=self._config.office_code, manifest_id=uuid4(),
            courier=parse_staff_id(courier, "courier"), date=_parse_date(date),
            villages=tuple(codes),
        )
        events = decide(None, command)
        manifest = project(None, events)
        assert manifest is not None
        save(self._store, events, ref=f"manifest {manifest.id}", states=[manifest])
        return ManifestView.of(manifest)

    @write_use_case
    def assign_cards(
        self, actor: Actor, manifest: str | UUID, cards: Sequence[str | UUID]
    ) -> ManifestView:
        """Put cards on the manifest, all or none; each must be printed (or returned),
        of one of its villages, and on no other manifest."""
        from ektp.application.batch import Batch
        from ektp.domain.card import commands as card_cmd
        from ektp.domain.manifest import commands as cmd
        state = self._load_manifest(manifest)
        batch = Batch()
        for ref in cards:
            card = self._load_card(ref)
            base = self._who(actor)
            state = self._step(batch, state, cmd.AssignCard(**base, card_id=card.id,
                                                            village=card.village))
            self._card_step(batch, card, card_cmd.AssignToManifest(**base, manifest_id=state.id))
        return self._save(batch, state)

    @write_use_case
    def assign_ready_cards(self, actor: Actor, manifest: str | UUID) -> ManifestView:
        """Put every printed card of the manifest's villages that is on no manifest on it."""
        state = self._load_manifest(manifest, fresh=True)
        # The read model only proposes the cards: each one's own rules decide again.
        ready = [c.id for c in self.read_models.cards(status="PRINTED")
                 if c.village in state.villages and c.manifest_id is None]
        return self.assign_cards(actor, state.id, ready)

    @write_use_case
    def remove_cards(
        self, actor: Actor, manifest: str | UUID, cards: Sequence[str | UUID],
        reason: str | None = None,
    ) -> ManifestView:
        """Take cards off a manifest that has not been dispatched."""
        from ektp.application.batch import Batch
        from ektp.domain.card import commands as card_cmd
        from ektp.domain.manifest import commands as cmd
        from ektp.domain.text import parse_text
        the_reason = parse_text(reason, "reason") if reason else None
        state = self._load_manifest(manifest)
        batch = Batch()
        for ref in cards:
            card = self._load_card(ref)
            base = self._who(actor)
            state = self._step(batch, state, cmd.RemoveCard(**base, card_id=card.id,
                                                            reason=the_reason))
            self._card_step(batch, card, card_cmd.RemoveFromManifest(
                **base, manifest_id=state.id, reason=the_reason))
        return self._save(batch, state)

    # --- the round ----------------------------------------------------------
    @write_use_case
    def dispatch_manifest(self, actor: Actor, manifest: str | UUID, seal: str) -> ManifestView:
        """The courier leaves: the manifest and each of its cards are dispatched together."""
        from ektp.application.batch import Batch
        from ektp.domain.card import commands as card_cmd
        from ektp.domain.manifest import commands as cmd
        from ektp.domain.text import parse_reference
        the_seal = parse_reference(seal, "seal number")
        state = self._load_manifest(manifest)
        base = self._who(actor)
        batch = Batch()
        cards = list(state.entries)
        state = self._step(batch, state, cmd.DispatchManifest(**base, seal_number=the_seal))
        for card_id in cards:
            self._card_step(batch, self._load_card(card_id), card_cmd.Dispatch(
                **base, courier=state.courier, manifest_id=state.id))
        return self._save(batch, state)

    @write_use_case
    def record_results(
        self, actor: Actor, manifest: str | UUID, rows: Sequence[ResultRow],
        partial: bool = False,
    ) -> ResultsRecorded:
        """Record a courier's results: every row checked first; any bad row and nothing
        is recorded (`partial`: the good rows are). Rows already recorded are skipped."""
        from ektp.application.results_recording import record_rows

        return record_rows(self, actor, self._load_manifest(manifest), rows, partial)

    @write_use_case
    def check_in_manifest(
        self, actor: Actor, manifest: str | UUID, *, seal_intact: bool, note: str | None = None
    ) -> ManifestView:
        """An officer other than the courier receives the courier back: every card not
        handed over is returned to the office."""
        from ektp.application.batch import Batch
        from ektp.domain.card import commands as card_cmd
        from ektp.domain.manifest import commands as cmd
        from ektp.domain.text import parse_text
        the_note = parse_text(note, "note") if note else None
        state = self._load_manifest(manifest)
        base = self._who(actor)
        batch = Batch()
        before = state
        state = self._step(batch, state, cmd.CheckIn(**base, seal_intact=seal_intact,
                                                     note=the_note))
        for entry in before.entries.values():
            if entry.handed_over:
                continue
            self._card_step(batch, self._load_card(entry.card_id), card_cmd.ReturnToOffice(
                **base, reason=_return_reason(entry.reports), manifest_id=state.id))
        return self._save(batch, state)

    @write_use_case
    def close_manifest(self, actor: Actor, manifest: str | UUID, record: str) -> ManifestView:
        """Settle the manifest under its signed record, once every card is handed over or back."""
        from ektp.application.batch import Batch
        from ektp.domain.manifest import commands as cmd
        from ektp.domain.text import parse_reference
        the_record = parse_reference(record, "record number")
        state = self._load_manifest(manifest)
        batch = Batch()
        state = self._step(batch, state, cmd.CloseManifest(
            actor=actor, at=self._now(), office=self._config.office_code,
            record_number=the_record))
        return self._save(batch, state)

    # --- shared steps ---------------------------------------------------------
    def _who(self, actor: Actor) -> dict[str, Any]:
        """The actor, time and office every command carries."""
        return {"actor": actor, "at": self._now(), "office": self._config.office_code}

    def _step(self, batch: Batch, manifest: Manifest, command: cmd.ManifestCommand) -> Manifest:
        from ektp.domain.manifest.decide import decide
        from ektp.domain.manifest.state import project
        events = decide(manifest, command)
        after = project(manifest, events)
        assert after is not None
        batch.add(events, after, after.id)
        return after

    def _card_step(self, batch: Batch, card: Card, command: card_cmd.CardCommand) -> Card:
        """Decide on a card (already changed in this batch if it was), freeing its NIK if it closes."""
        from ektp.domain.card.decide import decide as decide_card
        from ektp.domain.card.state import Card
        from ektp.domain.card.state import project as project_card
        from ektp.domain.event import DomainEvent
        from ektp.domain.nik import Nik
        current = batch.states.get(card.id, card)
        assert isinstance(current, Card)
        events: list[DomainEvent] = list(decide_card(current, command, self._config.card_policy))
        after = project_card(current, events)  # type: ignore[arg-type]
        assert after is not None
        batch.add(events, after, after.id)
        if not after.is_open:
            from ektp.domain import open_requests

            stream = open_requests.register_id(Nik(card.nik))
            held = batch.states.get(stream)
            register: open_requests.OpenRequest | None = (
                cast(open_requests.OpenRequest, held) if held is not None
                else self._load(stream, open_requests.project))
            released = register and open_requests.release(
                register, card.id, command.actor, command.at, command.office)
            if released:
                batch.add([released], open_requests.project(register, [released]), stream)
        return after

    def _save(self, batch: Batch, manifest: Manifest) -> ManifestView:
        from ektp.application.manifest_views import ManifestView
        from ektp.application.store_access import save
        if batch.events:
            save(self._store, batch.events, ref=f"manifest {manifest.id}",
                 states=list(batch.states.values()))
        return ManifestView.of(manifest)


def _parse_date(value: str | dt.date, field: str = "date") -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        text = value.strip()
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):  # not week dates (2017-W46-2)
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidText(field=field, reason="use the form 2017-11-14") from None
    if not 2000 <= day.year <= 2100:
        raise InvalidText(field=field, reason="it must be a year from 2000 to 2100")
    return day


def _return_reason(reports: Sequence[Report]) -> str:
    """Why a card came back, from the courier's last report on it."""
    from ektp.domain.manifest.vocabulary import Outcome
    if not reports:
        return "not attempted on the round"
    reason = reports[-1].reason or "no reason given"
    if reports[-1].outcome is Outcome.ATTEMPT_FAILED:
        return f"delivery attempt failed: {reason}"
    return reason
