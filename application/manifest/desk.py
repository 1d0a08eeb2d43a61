"""The manifest desk: a courier's manifest from opening to its signed close.

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
from collections.abc import Sequence
from uuid import UUID, uuid4

from ektp.application.card.lookup import load_card
from ektp.application.card.steps import decide_card
from ektp.application.kernel.dates import parse_day, parse_moment
from ektp.application.kernel.i18n import _
from ektp.application.kernel.references import PREFIX_PROBE, hyphenated, id_prefix, only_match
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Transaction
from ektp.application.manifest.results import record_rows
from ektp.application.manifest.results_file import ResultRow
from ektp.application.manifest.sheet import build_sheet
from ektp.application.manifest.steps import decide_manifest, load_manifest
from ektp.application.manifest.views import ManifestView, ResultsRecorded, Sheet
from ektp.application.ports.rows import ManifestRow
from ektp.domain.actor import Actor, parse_staff_id
from ektp.domain.card import commands as card_cmd
from ektp.domain.choice import parse_choice
from ektp.domain.errors import InvalidText, ManifestNotFound
from ektp.domain.manifest import commands as cmd
from ektp.domain.manifest.decide import decide
from ektp.domain.manifest.state import Manifest, Report, project
from ektp.domain.manifest.vocabulary import ManifestStatus, Outcome
from ektp.domain.text import parse_reference, parse_text


class ManifestDesk:
    """Manifests: open, assign, dispatch, record the round, check in, close."""

    def __init__(self, services: Services) -> None:
        self._services = services

    # --- reading -------------------------------------------------------------
    def manifest(self, ref: str | UUID, people: bool = False) -> ManifestView:
        """The manifest as it stands now (read fresh from the store); with `people`, each
        card's masked NIK and initials beside it (one more read per card)."""
        s = self._services
        reads = s.store.reads()
        manifest = load_manifest(reads, self._id(ref))
        if not people:
            return ManifestView.of(manifest)
        return ManifestView.of(manifest, {card_id: load_card(s, reads, card_id)
                                          for card_id in manifest.entries})

    def list_manifests(self, status: str | None = None) -> tuple[ManifestRow, ...]:
        """Every manifest (optionally of one status), oldest date first (from the read model)."""
        the_status = parse_choice(ManifestStatus, status, "status") if status else None
        return self._services.read_models.manifests(the_status.value if the_status else None)

    def manifest_sheet(self, ref: str | UUID, actor: Actor | None = None, *,
                       purpose: str | None = None) -> Sheet:
        """The courier's sheet: the cards in kecamatan, village, RT/RW order. It names
        every resident on it: given the `actor` who prints it, the access is written to
        their access log first (with its required `purpose`), and nothing is returned if
        that write fails."""
        s = self._services
        reads = s.store.reads()
        manifest = load_manifest(reads, self._id(ref))
        cards = [load_card(s, reads, card_id) for card_id in manifest.entries]
        if actor is not None:
            from ektp.application.personal_data.record import record_access

            record_access(s, actor, "manifest sheet", [c.nik for c in cards],
                          purpose=purpose, bulk=True)
        return build_sheet(ManifestView.of(manifest), cards, s.regions, s.config.office_name)

    # --- opening and filling -------------------------------------------------
    def open_manifest(
        self, actor: Actor, *, courier: str, date: str | dt.date, villages: Sequence[str]
    ) -> ManifestView:
        """Open a manifest for `courier`'s run on `date` through existing `villages`."""
        s = self._services
        codes = [s.parse_village(text).value for text in villages]
        if not codes:
            raise InvalidText(field="villages", reason=_("give at least one --village"))
        command = cmd.OpenManifest(
            **s.stamp(actor), manifest_id=uuid4(), courier=parse_staff_id(courier, "courier"),
            date=parse_day(date), villages=tuple(codes),
        )
        s.authorise(actor, cmd.OpenManifest.action)
        events = decide(None, command)
        manifest = project(None, events)
        assert manifest is not None

        def attempt(tx: Transaction) -> ManifestView:
            tx.record(events, manifest)
            return ManifestView.of(manifest)

        return s.store.transact(attempt, ref=f"manifest {manifest.id}")

    def assign_cards(
        self, actor: Actor, manifest: str | UUID, cards: Sequence[str | UUID]
    ) -> ManifestView:
        """Put cards on the manifest, all or none; each must be printed (or returned),
        of one of its villages, and on no other manifest."""
        s = self._services
        s.authorise(actor, cmd.AssignCard.action)

        def attempt(tx: Transaction) -> ManifestView:
            state = self._open(tx, manifest)
            for ref in cards:
                card = load_card(s, tx, ref)
                base = s.stamp(actor)
                state = decide_manifest(tx, state, cmd.AssignCard(
                    **base, card_id=card.id, village=card.village))
                decide_card(s, tx, card, card_cmd.AssignToManifest(**base, manifest_id=state.id))
            return ManifestView.of(state)

        return s.store.transact(attempt)

    def assign_ready_cards(self, actor: Actor, manifest: str | UUID) -> ManifestView:
        """Put every card of the manifest's villages that is ready to go out on it: printed,
        or returned to the office for re-delivery while under the attempt cap, and on no
        manifest. Printed cards first, then returned ones, each oldest request first."""
        s = self._services
        s.authorise(actor, cmd.AssignCard.action)
        state = load_manifest(s.store.reads(), self._id(manifest))
        cap = s.config.card_policy.attempt_cap
        # The read model only proposes the cards: each one's own rules decide again.
        ready = [c.id for status in ("PRINTED", "RETURNED") for c in s.read_models.cards(status=status)
                 if c.village in state.villages and c.manifest_id is None and c.attempts < cap]
        return self.assign_cards(actor, state.id, ready)

    def remove_cards(
        self, actor: Actor, manifest: str | UUID, cards: Sequence[str | UUID],
        reason: str | None = None,
    ) -> ManifestView:
        """Take cards off a manifest that has not been dispatched."""
        s = self._services
        the_reason = parse_text(reason, "reason") if reason else None
        s.authorise(actor, cmd.RemoveCard.action)

        def attempt(tx: Transaction) -> ManifestView:
            state = self._open(tx, manifest)
            for ref in cards:
                card = load_card(s, tx, ref)
                base = s.stamp(actor)
                state = decide_manifest(tx, state, cmd.RemoveCard(
                    **base, card_id=card.id, reason=the_reason))
                decide_card(s, tx, card, card_cmd.RemoveFromManifest(
                    **base, manifest_id=state.id, reason=the_reason))
            return ManifestView.of(state)

        return s.store.transact(attempt)

    # --- the round ----------------------------------------------------------
    def dispatch_manifest(self, actor: Actor, manifest: str | UUID, seal: str) -> ManifestView:
        """The courier leaves: the manifest and each of its cards are dispatched together."""
        s = self._services
        the_seal = parse_reference(seal, "seal number")
        s.authorise(actor, cmd.DispatchManifest.action)

        def attempt(tx: Transaction) -> ManifestView:
            before = self._open(tx, manifest)
            base = s.stamp(actor)
            state = decide_manifest(tx, before, cmd.DispatchManifest(**base, seal_number=the_seal))
            for card_id in before.entries:
                decide_card(s, tx, load_card(s, tx, card_id), card_cmd.Dispatch(
                    **base, courier=state.courier, manifest_id=state.id))
            return ManifestView.of(state)

        return s.store.transact(attempt)

    def record_results(
        self, actor: Actor, manifest: str | UUID, rows: Sequence[ResultRow],
        partial: bool = False, digits_checked: bool = False,
        at: str | dt.datetime | None = None,
    ) -> ResultsRecorded:
        """Record a courier's results: every row checked first; any bad row and nothing
        is recorded (`partial`: the good rows are). Rows already recorded are skipped.
        `digits_checked`: the clerk checked a CSV's bare NIK and KK digits that end in 0
        against the person's card (`ektp.application.tables.digits`). `at`: when the
        results happened (``2017-11-14 10:30``, office time), for every row without its
        own ``at`` cell; without either, when they are recorded."""
        s = self._services
        zone = s.config.timezone
        happened_at = parse_moment(at, "--at", zone).astimezone(zone) if at is not None else None
        s.authorise(actor, cmd.RecordOutcome.action)
        return s.store.transact(
            lambda tx: record_rows(s, tx, actor, self._open(tx, manifest), rows, partial,
                                   digits_checked, happened_at))

    def check_in_manifest(
        self, actor: Actor, manifest: str | UUID, *, seal_intact: bool, note: str | None = None
    ) -> ManifestView:
        """An officer other than the courier receives the courier back: every card not
        handed over is returned to the office."""
        s = self._services
        the_note = parse_text(note, "note") if note else None
        s.authorise(actor, cmd.CheckIn.action)

        def attempt(tx: Transaction) -> ManifestView:
            before = self._open(tx, manifest)
            base = s.stamp(actor)
            state = decide_manifest(tx, before, cmd.CheckIn(**base, seal_intact=seal_intact,
                                                            note=the_note))
            for entry in before.entries.values():
                if not entry.handed_over:
                    decide_card(s, tx, load_card(s, tx, entry.card_id), card_cmd.ReturnToOffice(
                        **base, reason=_return_reason(entry.reports), manifest_id=state.id))
            return ManifestView.of(state)

        return s.store.transact(attempt)

    def close_manifest(self, actor: Actor, manifest: str | UUID, record: str) -> ManifestView:
        """Settle the manifest under its signed record, once every card is handed over or back."""
        s = self._services
        the_record = parse_reference(record, "record number")
        s.authorise(actor, cmd.CloseManifest.action)

        def attempt(tx: Transaction) -> ManifestView:
            state = decide_manifest(tx, self._open(tx, manifest), cmd.CloseManifest(
                **s.stamp(actor), record_number=the_record))
            return ManifestView.of(state)

        return s.store.transact(attempt)

    def _id(self, ref: str | UUID) -> str | UUID:
        """`ref` with an id prefix (8 or more hex digits) replaced by the one manifest id
        it starts (`ManifestNotFound`, or `AmbiguousIdPrefix` when several); anything
        else as given, for `load_manifest` to read or refuse."""
        if isinstance(ref, UUID):
            return ref
        try:
            return UUID(ref.strip())
        except ValueError:
            pass
        prefix = id_prefix(ref)
        if prefix is None:
            return ref
        found = self._services.read_models.ids_with_prefix("manifest", hyphenated(prefix),
                                                           PREFIX_PROBE)
        the_id = only_match(found, prefix, "manifest")
        if the_id is None:
            raise ManifestNotFound(ref=f"the id prefix {prefix}")
        return the_id

    def _open(self, tx: Transaction, ref: str | UUID) -> Manifest:
        """Load the manifest for a write; a conflict's message names it."""
        manifest = load_manifest(tx, self._id(ref))
        tx.ref = f"manifest {manifest.id}"
        return manifest


def _return_reason(reports: Sequence[Report]) -> str:
    """Why a card came back, from the courier's last report on it."""
    if not reports:
        return "not attempted on the round"
    reason = reports[-1].reason or "no reason given"
    if reports[-1].outcome is Outcome.ATTEMPT_FAILED:
        return f"delivery attempt failed: {reason}"
    return reason
