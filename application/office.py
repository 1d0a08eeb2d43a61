"""`Office`: the one service class of ektp, composed of desks.

Each desk holds the use cases of one part of the office and is built on first
use over the shared `Services` (so a card command never imports the manifest
or audit code): `office.cards`, `office.blanks`, `office.manifests`,
`office.reports`, `office.audit`, `office.feed`, `office.staff`. The flat
methods below (`office.request_card(...)`) are the documented API of the first
release and stay as thin delegates to the desks.

Who calls is established by the `identity` provider (the OS user, the
database login or the host program's authentication) and checked against the
staff register at the door of every use case (`application.staff.door`); an
office built without a provider admits nobody.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.application import Application

from ektp.application.config import OfficeConfig
from ektp.application.kernel.services import Services
from ektp.application.kernel.store import Store
from ektp.application.ports.clock import Clock
from ektp.application.ports.identity import IdentityProvider
from ektp.application.staff.door import StaffDoor
# The defaults are the values themselves, not their names: parsing a name costs a
# few microseconds a command (the desks accept either).
from ektp.domain.card.vocabulary import Channel, HandOverPlace, RecipientKind, RequestReason

if TYPE_CHECKING:
    from ektp.application.audit.desk import AuditDesk
    from ektp.application.ports.pseudonyms import Pseudonyms
    from ektp.application.audit.manifest import Manifest as AuditManifest
    from ektp.application.blank_stock.desk import BlankDesk
    from ektp.application.blank_stock.views import (
        BlankMovement,
        BlankView,
        Reconciliation,
        SpoiledBlank,
        StockFigure,
    )
    from ektp.application.card.desk import CardDesk
    from ektp.application.card.history import HistoryEntry
    from ektp.application.card.views import CardView
    from ektp.application.feed.following import FeedDesk
    from ektp.application.feed.record import EventRecord
    from ektp.application.manifest.desk import ManifestDesk
    from ektp.application.manifest.results_file import ResultRow
    from ektp.application.manifest.views import ManifestView, ResultsRecorded, Sheet
    from ektp.application.ports.audit_sink import AuditSink
    from ektp.application.ports.audit_source import AuditSource
    from ektp.application.ports.read_models import ReadModels
    from ektp.application.ports.region_directory import RegionDirectory
    from ektp.application.ports.rows import (
        BacklogRow,
        CardRow,
        DailyFigures,
        DatabaseStatus,
        ManifestRow,
        ProjectionStatus,
        VillageCoverage,
    )
    from ektp.application.ports.signer import Signer
    from ektp.application.ports.staff_accounts import StaffAccounts
    from ektp.application.reports.delivery import DeliveryFold
    from ektp.application.reports.desk import ReportDesk
    from ektp.application.staff.desk import StaffDesk
    from ektp.application.personal_data.desk import AccessLogDesk
    from ektp.application.personal_data.erasure import ErasureDesk
    from ektp.domain.actor import Actor
    from ektp.domain.address import VillageCode
    from ektp.domain.blank_stock.state import Ledger
    from ektp.domain.blank_stock.vocabulary import DestructionMethod, LoanDirection
    from ektp.domain.card.vocabulary import (
        AttemptFailureReason,
        CardStatus,
        PrintFailureReason,
        Relationship,
        Verification,
    )
    from ektp.domain.nik import KkNumber, Nik


def _no_legacy_registers() -> bool:
    """A store that keeps no uuid5 registers (one not made by `open_office`)."""
    return False


class Office:
    """An e-KTP office: the card lifecycle, the blank stock ledger, delivery manifests,
    lists and reports, its event feed, and the audit export.

    Build it with `ektp.entrypoints.open_office`; close it (or use it as a context
    manager) to release the database connections.
    """

    def __init__(
        self,
        store: Application[UUID],
        clock: Clock,
        config: OfficeConfig,
        read_models: Callable[[], ReadModels] | None = None,
        *,
        regions: Callable[[], RegionDirectory] | None = None,
        identity: IdentityProvider | None = None,
        accounts: Callable[[], StaffAccounts] | None = None,
        pseudonyms: Callable[[], Pseudonyms] | None = None,
        legacy_registers: Callable[[], bool] | None = None,
    ) -> None:
        self.services = Services(Store(store), clock, config, read_models, regions)
        # Keyed ids and blind indexes (issue 14): by default the store's own, when it
        # has them (`ektp.adapters.event_store.store.EktpStore.pseudonyms`).
        self.services.make_pseudonyms = pseudonyms or getattr(store, "pseudonyms", None)
        if legacy_registers is None:
            legacy_registers = getattr(store, "legacy_nik_registers", _no_legacy_registers)
        self.services.legacy_registers = legacy_registers
        self._door = StaffDoor(self.services.store, config.office_code, identity)
        self.services.door = self._door
        self._accounts = accounts  # made on first use, like the read models

    # --- the desks, each built on first use (the one lazy import of each) ------
    @cached_property
    def cards(self) -> CardDesk:
        """Requests, printing, delivery and closing of cards."""
        from ektp.application.card.desk import CardDesk

        return CardDesk(self.services)

    @cached_property
    def blanks(self) -> BlankDesk:
        """The blank stock ledger."""
        from ektp.application.blank_stock.desk import BlankDesk

        return BlankDesk(self.services)

    @cached_property
    def manifests(self) -> ManifestDesk:
        """Couriers' delivery manifests."""
        from ektp.application.manifest.desk import ManifestDesk

        return ManifestDesk(self.services)

    @cached_property
    def reports(self) -> ReportDesk:
        """Lists, reports and the read models' upkeep."""
        from ektp.application.reports.desk import ReportDesk

        return ReportDesk(self.services)

    @cached_property
    def audit(self) -> AuditDesk:
        """The audit export."""
        from ektp.application.audit.desk import AuditDesk

        return AuditDesk(self.services)

    @cached_property
    def staff(self) -> StaffDesk:
        """The staff register: who may act, in which roles."""
        from ektp.application.ports.staff_accounts import NoAccounts
        from ektp.application.staff.desk import StaffDesk

        accounts = self._accounts() if self._accounts is not None else NoAccounts()
        return StaffDesk(self.services, self._door, accounts)

    @cached_property
    def erasure(self) -> ErasureDesk:
        """Erasing a resident's personal data, on request or by the retention policy."""
        from ektp.application.personal_data.erasure import ErasureDesk

        return ErasureDesk(self.services)

    @cached_property
    def access_log(self) -> AccessLogDesk:
        """Who was shown whose personal data in full (the head of office's record of
        processing)."""
        from ektp.application.personal_data.desk import AccessLogDesk

        return AccessLogDesk(self.services)

    @cached_property
    def feed(self) -> FeedDesk:
        """The office's events in order, for embedding programs."""
        from ektp.application.feed.following import FeedDesk

        return FeedDesk(self.services)

    # --- what every desk shares ------------------------------------------------
    @property
    def store(self) -> Store:
        """The event store (the kernel's, shared by every desk)."""
        return self.services.store

    @property
    def identity(self) -> IdentityProvider | None:
        """How this office establishes who is calling (None: nobody is admitted)."""
        return self._door.identity

    def acting(self, as_role: str | None = None) -> Actor:
        """The caller as an `Actor`: the established login in `as_role` or its one role
        (`StaffDoor.acting`; the CLI's actor, without loading the staff desk)."""
        return self._door.acting(as_role)

    @property
    def config(self) -> OfficeConfig:
        """The office's configuration."""
        return self.services.config

    @property
    def read_models(self) -> ReadModels:
        """The read models, opened on first use (write commands never need them)."""
        return self.services.read_models

    @property
    def regions(self) -> RegionDirectory:
        """The region directory (built on first use)."""
        return self.services.regions

    def close(self, wait: float | None = 10.0) -> None:
        """Close the office, safely from any thread at any moment: calls started
        after it fail with `OfficeClosed`, calls already running finish (or fail
        with `OfficeClosed` at their next database call), `follow` ends, and the
        store's and the read models' connections are released once no call is
        using them. Waits up to `wait` seconds for running calls (None: as long as
        they take); any still running then release the connections as they finish.
        Closing again does nothing. See docs/embedding.md, "Threads"."""
        self.services.close(wait)

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- cards (`office.cards`) ---------------------------------------------------
    def request_card(
        self, actor: Actor, *, nik: str | Nik, name: str, kk: str | KkNumber,
        village: str | VillageCode, rt: str | None = None, rw: str | None = None,
        reason: str | RequestReason = RequestReason.NEW, evidence: str | None = None,
        channel: str | Channel = Channel.OFFICE, dusun: str | None = None,
        phone: str | None = None,
    ) -> CardView:
        """`CardDesk.request_card`."""
        return self.cards.request_card(actor, nik=nik, name=name, kk=kk, village=village, rt=rt,
                                       rw=rw, reason=reason, evidence=evidence, channel=channel,
                                       dusun=dusun, phone=phone)

    def confirm_print_readiness(self, actor: Actor, card: str | UUID,
                                reference: str | None = None) -> CardView:
        """`CardDesk.confirm_print_readiness`."""
        return self.cards.confirm_print_readiness(actor, card, reference)

    def allocate_blank(self, actor: Actor, card: str | UUID, serial: str | None = None) -> CardView:
        """`CardDesk.allocate_blank`."""
        return self.cards.allocate_blank(actor, card, serial)

    def record_printed(self, actor: Actor, card: str | UUID, station: str = "main",
                       serial: str | None = None) -> CardView:
        """`CardDesk.record_printed`."""
        return self.cards.record_printed(actor, card, station, serial)

    def record_print_failure(self, actor: Actor, card: str | UUID,
                             reason: str | PrintFailureReason) -> CardView:
        """`CardDesk.record_print_failure`."""
        return self.cards.record_print_failure(actor, card, reason)

    def dispatch(self, actor: Actor, card: str | UUID, courier: str) -> CardView:
        """`CardDesk.dispatch`."""
        return self.cards.dispatch(actor, card, courier)

    def record_failed_attempt(self, actor: Actor, card: str | UUID,
                              reason: str | AttemptFailureReason,
                              evidence: str | None = None) -> CardView:
        """`CardDesk.record_failed_attempt`."""
        return self.cards.record_failed_attempt(actor, card, reason, evidence)

    def hand_over(
        self, actor: Actor, card: str | UUID, *, recipient: str | RecipientKind = RecipientKind.OWNER,
        verified_by: str | Verification, place: str | HandOverPlace = HandOverPlace.DOOR,
        proxy_nik: str | None = None, proxy_name: str | None = None, proxy_kk: str | None = None,
        relationship: str | Relationship | None = None, evidence: str | None = None,
        old_card: str | None = None,
    ) -> CardView:
        """`CardDesk.hand_over`."""
        return self.cards.hand_over(
            actor, card, recipient=recipient, verified_by=verified_by, place=place,
            proxy_nik=proxy_nik, proxy_name=proxy_name, proxy_kk=proxy_kk,
            relationship=relationship, evidence=evidence, old_card=old_card)

    def return_card(self, actor: Actor, card: str | UUID, reason: str) -> CardView:
        """`CardDesk.return_card`."""
        return self.cards.return_card(actor, card, reason)

    def cancel(self, actor: Actor, card: str | UUID, reason: str,
               record_number: str | None = None) -> CardView:
        """`CardDesk.cancel`."""
        return self.cards.cancel(actor, card, reason, record_number)

    def declare_uncollected(self, actor: Actor, card: str | UUID) -> CardView:
        """`CardDesk.declare_uncollected`."""
        return self.cards.declare_uncollected(actor, card)

    def destroy(self, actor: Actor, card: str | UUID, reason: str, record_number: str) -> CardView:
        """`CardDesk.destroy`."""
        return self.cards.destroy(actor, card, reason, record_number)

    def card(self, ref: str | UUID, actor: Actor | None = None, *, full: bool = False) -> CardView:
        """`CardDesk.card`: NIK and KK masked unless `full` (for an actor who may see them)."""
        return self.cards.card(ref, actor, full=full)

    def card_history(self, ref: str | UUID) -> tuple[HistoryEntry, ...]:
        """`CardDesk.card_history`."""
        return self.cards.card_history(ref)

    # --- blanks (`office.blanks`) -------------------------------------------------
    def receive_blanks(self, actor: Actor, *, bast: str, source: str,
                       ranges: Iterable[str]) -> BlankMovement:
        """`BlankDesk.receive_blanks`."""
        return self.blanks.receive_blanks(actor, bast=bast, source=source, ranges=ranges)

    def lend_blanks(self, actor: Actor, *, to: str, record: str,
                    ranges: Iterable[str]) -> BlankMovement:
        """`BlankDesk.lend_blanks`."""
        return self.blanks.lend_blanks(actor, to=to, record=record, ranges=ranges)

    def borrow_blanks(self, actor: Actor, *, lender: str, record: str,
                      ranges: Iterable[str]) -> BlankMovement:
        """`BlankDesk.borrow_blanks`."""
        return self.blanks.borrow_blanks(actor, lender=lender, record=record, ranges=ranges)

    def return_loan(self, actor: Actor, *, counterpart: str, record: str, ranges: Iterable[str],
                    direction: str | LoanDirection) -> BlankMovement:
        """`BlankDesk.return_loan`."""
        return self.blanks.return_loan(actor, counterpart=counterpart, record=record,
                                       ranges=ranges, direction=direction)

    def spoil_blanks(self, actor: Actor, serials: Iterable[str],
                     reason: str | PrintFailureReason) -> BlankMovement:
        """`BlankDesk.spoil_blanks`."""
        return self.blanks.spoil_blanks(actor, serials, reason)

    def destroy_spoiled(self, actor: Actor, *, record: str, method: str | DestructionMethod,
                        witnesses: Iterable[str], serials: Iterable[str] = (),
                        all_spoiled: bool = False) -> BlankMovement:
        """`BlankDesk.destroy_spoiled`."""
        return self.blanks.destroy_spoiled(actor, record=record, method=method,
                                           witnesses=witnesses, serials=serials,
                                           all_spoiled=all_spoiled)

    def count_blanks(self, actor: Actor, counted: int) -> BlankMovement:
        """`BlankDesk.count_blanks`."""
        return self.blanks.count_blanks(actor, counted)

    def report_missing(self, actor: Actor, serials: Iterable[str],
                       police_report: str) -> BlankMovement:
        """`BlankDesk.report_missing`."""
        return self.blanks.report_missing(actor, serials, police_report)

    def blank_ledger(self) -> Ledger:
        """`BlankDesk.blank_ledger`."""
        return self.blanks.blank_ledger()

    def blank_stock(self, day: str | dt.date | None = None) -> StockFigure:
        """`BlankDesk.blank_stock`."""
        return self.blanks.blank_stock(day)

    def spoiled_blanks(self) -> tuple[SpoiledBlank, ...]:
        """`BlankDesk.spoiled_blanks`."""
        return self.blanks.spoiled_blanks()

    def blank(self, serial: str) -> BlankView:
        """`BlankDesk.blank`."""
        return self.blanks.blank(serial)

    def reconcile_blanks(self) -> Reconciliation:
        """`BlankDesk.reconcile_blanks`."""
        return self.blanks.reconcile_blanks()

    # --- manifests (`office.manifests`) -----------------------------------------
    def manifest(self, ref: str | UUID) -> ManifestView:
        """`ManifestDesk.manifest`."""
        return self.manifests.manifest(ref)

    def list_manifests(self, status: str | None = None) -> tuple[ManifestRow, ...]:
        """`ManifestDesk.list_manifests`."""
        return self.manifests.list_manifests(status)

    def manifest_sheet(self, ref: str | UUID) -> Sheet:
        """`ManifestDesk.manifest_sheet`."""
        return self.manifests.manifest_sheet(ref)

    def open_manifest(self, actor: Actor, *, courier: str, date: str | dt.date,
                      villages: Sequence[str]) -> ManifestView:
        """`ManifestDesk.open_manifest`."""
        return self.manifests.open_manifest(actor, courier=courier, date=date, villages=villages)

    def assign_cards(self, actor: Actor, manifest: str | UUID,
                     cards: Sequence[str | UUID]) -> ManifestView:
        """`ManifestDesk.assign_cards`."""
        return self.manifests.assign_cards(actor, manifest, cards)

    def assign_ready_cards(self, actor: Actor, manifest: str | UUID) -> ManifestView:
        """`ManifestDesk.assign_ready_cards`."""
        return self.manifests.assign_ready_cards(actor, manifest)

    def remove_cards(self, actor: Actor, manifest: str | UUID, cards: Sequence[str | UUID],
                     reason: str | None = None) -> ManifestView:
        """`ManifestDesk.remove_cards`."""
        return self.manifests.remove_cards(actor, manifest, cards, reason)

    def dispatch_manifest(self, actor: Actor, manifest: str | UUID, seal: str) -> ManifestView:
        """`ManifestDesk.dispatch_manifest`."""
        return self.manifests.dispatch_manifest(actor, manifest, seal)

    def record_results(self, actor: Actor, manifest: str | UUID, rows: Sequence[ResultRow],
                       partial: bool = False, digits_checked: bool = False,
                       at: str | dt.datetime | None = None) -> ResultsRecorded:
        """`ManifestDesk.record_results`."""
        return self.manifests.record_results(actor, manifest, rows, partial, digits_checked, at)

    def check_in_manifest(self, actor: Actor, manifest: str | UUID, *, seal_intact: bool,
                          note: str | None = None) -> ManifestView:
        """`ManifestDesk.check_in_manifest`."""
        return self.manifests.check_in_manifest(actor, manifest, seal_intact=seal_intact, note=note)

    def close_manifest(self, actor: Actor, manifest: str | UUID, record: str) -> ManifestView:
        """`ManifestDesk.close_manifest`."""
        return self.manifests.close_manifest(actor, manifest, record)

    # --- reports (`office.reports`) ---------------------------------------------
    def list_cards(self, status: str | CardStatus | None = None,
                   village: str | VillageCode | None = None) -> tuple[CardRow, ...]:
        """`ReportDesk.list_cards`."""
        return self.reports.list_cards(status, village)

    def daily_report(self, day: str | dt.date | None = None) -> DailyFigures:
        """`ReportDesk.daily_report`."""
        return self.reports.daily_report(day)

    def backlog_report(self) -> tuple[BacklogRow, ...]:
        """`ReportDesk.backlog_report`."""
        return self.reports.backlog_report()

    def village_report(self) -> tuple[VillageCoverage, ...]:
        """`ReportDesk.village_report`."""
        return self.reports.village_report()

    def delivery_report(self, start: str | dt.date | None = None,
                        end: str | dt.date | None = None) -> DeliveryFold:
        """`ReportDesk.delivery_report`."""
        return self.reports.delivery_report(start, end)

    def projections_status(self) -> tuple[ProjectionStatus, ...]:
        """`ReportDesk.projections_status`."""
        return self.reports.projections_status()

    def catch_up_read_models(self) -> int:
        """`ReportDesk.catch_up_read_models`."""
        return self.reports.catch_up_read_models()

    def initialise_database(self) -> tuple[ProjectionStatus, ...]:
        """`ReportDesk.initialise_database`."""
        return self.reports.initialise_database()

    def database_status(self) -> DatabaseStatus:
        """`ReportDesk.database_status`."""
        return self.reports.database_status()

    def rebuild_read_models(self, name: str | None = None) -> int:
        """`ReportDesk.rebuild_read_models`."""
        return self.reports.rebuild_read_models(name)

    # --- the feed and the audit export ---------------------------------------------
    def events_since(self, position: int = 0) -> Iterator[EventRecord]:
        """`FeedDesk.events_since`."""
        return self.feed.events_since(position)

    def follow(self, position: int = 0, *, poll_seconds: float = 1.0,
               stop: Callable[[], bool] = lambda: False) -> Iterator[EventRecord]:
        """`FeedDesk.follow`."""
        return self.feed.follow(position, poll_seconds=poll_seconds, stop=stop)

    def last_position(self) -> int:
        """The position of the newest stored event (0 for an empty store)."""
        return self.store.last_position()

    def export_audit(
        self, actor: Actor, sink: AuditSink, *, audit_key: bytes | None,
        reveal_personal_data: bool = False, previous: AuditSource | None = None,
        upto: int | None = None, signer: Signer | None = None,
        progress: Callable[[int], None] | None = None, purpose: str | None = None,
    ) -> AuditManifest:
        """`AuditDesk.export_audit`."""
        return self.audit.export_audit(
            actor, sink, audit_key=audit_key, reveal_personal_data=reveal_personal_data,
            previous=previous, upto=upto, signer=signer, progress=progress, purpose=purpose)
