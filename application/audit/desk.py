"""The audit desk: exporting the office's history (``ektp audit export``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ektp.application.kernel.i18n import _
from ektp.application.audit.canonical import ZERO_HASH
from ektp.application.audit.checkpoints import consistency, latest_checkpoint, make_checkpoint
from ektp.application.audit.export import export_history, journal_of
from ektp.application.audit.journal import LeafForm, build_journal
from ektp.application.audit.lines import PersonalDataPolicy
from ektp.application.audit.manifest import Manifest, parse_manifest
from ektp.application.audit.personal import Pseudonymiser, Revealer
from ektp.application.audit.proofs import prove_card
from ektp.application.audit.store_check import verify_store
from ektp.application.card.lookup import card_id
from ektp.application.errors import AuditCheckFailed, AuditKeyMissing
from ektp.application.kernel.services import Services
from ektp.application.kernel.store import store_errors
from ektp.application.ports.audit_sink import AuditSink
from ektp.application.ports.audit_source import AuditSource
from ektp.application.ports.signer import SignatureChecker, Signer
from ektp.domain.actor import Actor

if TYPE_CHECKING:
    from uuid import UUID

    from ektp.application.audit.checkpoints import ConsistencyProof
    from ektp.application.ports.journal import JournalHead
    from ektp.application.audit.note import SignedCheckpoint
    from ektp.application.audit.store_check import StoreReport

EXPORT = "export the audit trail"
EXPORT_PERSONAL_DATA = "export personal data in full"
SIGN_CHECKPOINT = "sign a checkpoint"


class AuditDesk:
    """Exports of the office's history in the ``ektp-audit/2`` format."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def export_audit(
        self,
        actor: Actor,
        sink: AuditSink,
        *,
        audit_key: bytes | None,
        reveal_personal_data: bool = False,
        previous: AuditSource | None = None,
        upto: int | None = None,
        signer: Signer | None = None,
        progress: Callable[[int], None] | None = None,
        purpose: str | None = None,
    ) -> Manifest:
        """Export the history (after `previous`, if given) to `sink`.

        Personal data is pseudonymised with `audit_key` (refused without one)
        unless `reveal_personal_data`, which only the head of office may ask, with a
        `purpose`: the access is written to their access log first (an export of
        every resident), so the export itself holds it.
        """
        s = self._services
        s.authorise(actor, EXPORT)
        leaves = LeafForm(audit_key) if audit_key is not None else None
        personal: PersonalDataPolicy
        if reveal_personal_data:
            s.authorise(actor, EXPORT_PERSONAL_DATA)
            from ektp.application.personal_data.record import parse_purpose, record_access

            what = "audit export --reveal-personal-data"
            parse_purpose(purpose, what, required=True)  # refused before anything is written
            personal = Revealer()
        elif audit_key is None:
            raise AuditKeyMissing()
        else:
            personal = Pseudonymiser(audit_key)
        after, start_hash, start_size = 0, ZERO_HASH, 0
        if previous is not None:
            before = parse_manifest(previous.manifest(), where=_("the previous export's manifest.json"))
            if before.office != s.config.office_code:
                raise AuditCheckFailed(where=_("the previous export"),
                                       reason=_("it is of office {before_office!r}").format(
                                           before_office=before.office[:20]))
            if before.personal_data != personal.mode:
                raise AuditCheckFailed(
                    where=_("the previous export"),
                    reason=_(
                        "its personal data is {before_personal_data}; continue it the same "
                        "way").format(
                            before_personal_data=before.personal_data))
            if not before.is_v2 or before.tree_size is None:
                raise AuditCheckFailed(
                    where=_("the previous export"),
                    reason=_(
                        "it is {before_format}, which records no journal leaves; make one full "
                        "export in the new format, then continue that one").format(
                            before_format=before.format))
            after, start_hash, start_size = before.last_seq, before.end_hash, before.tree_size
        if reveal_personal_data:
            # Written last before the export reads the store, so it is in the export.
            record_access(s, actor, what, (), purpose=purpose, bulk=True, everyone=True)
        return export_history(
            s.store, sink, office=s.config.office_code, personal=personal, leaves=leaves,
            after=after, start_hash=start_hash, start_size=start_size, upto=upto, signer=signer,
            progress=progress)

    # --- the journal: checkpoints, proofs, the store checked, the upgrade -----------
    def checkpoint(self, actor: Actor, signer: Signer) -> tuple[SignedCheckpoint, bool]:
        """Sign and keep a checkpoint of the journal as it is now (second value: whether
        it is new; the same tree twice is kept once)."""
        s = self._services
        s.authorise(actor, SIGN_CHECKPOINT)
        return make_checkpoint(s.store, s.config.office_code, signer)

    def latest_checkpoint(self) -> SignedCheckpoint:
        """The newest checkpoint kept."""
        return latest_checkpoint(self._services.store)

    def consistency(self, old: SignedCheckpoint, new: SignedCheckpoint | None = None) -> ConsistencyProof:
        """The proof that `new` (default: the newest kept checkpoint) extends `old`."""
        s = self._services
        return consistency(s.store, s.config.office_code, old, new)

    def prove_card(self, actor: Actor, card: str | UUID, checkpoint: SignedCheckpoint, *,
                   audit_key: bytes | None) -> bytes:
        """The bundle proving a card's events in the checkpoint's tree (pseudonymised)."""
        s = self._services
        s.authorise(actor, EXPORT)
        if audit_key is None:
            raise AuditKeyMissing()
        the_card = card_id(s, s.store.reads(), card)
        return prove_card(s.store, the_card, checkpoint, LeafForm(audit_key))

    def verify_store(self, *, audit_key: bytes | None,
                     held: Sequence[tuple[str, SignedCheckpoint]] = (),
                     public_key: SignatureChecker | None = None,
                     progress: Callable[[int], None] | None = None) -> StoreReport:
        """``ektp db verify``: every stored event against its journal leaf, and the checkpoints."""
        if audit_key is None:
            raise AuditKeyMissing()
        s = self._services
        return verify_store(s.store, LeafForm(audit_key), s.config.office_code, held=held,
                            public_key=public_key, progress=progress)

    def journal_key(self, audit_key: bytes | None) -> tuple[str | None, str | None]:
        """``ektp db check``: the id of the key this database's journal is written with
        (None: no journal, or an empty one) and the id of `audit_key` (None: no key),
        so a misconfigured key is named before a write is refused with it."""
        journal = journal_of(self._services.store)
        with store_errors():
            head = journal.journal_head()
        expected = head.key_id.hex() if head is not None and head.key_id is not None else None
        return expected, LeafForm(audit_key).key_id.hex() if audit_key is not None else None

    def build_journal(self, *, audit_key: bytes | None) -> JournalHead:
        """``ektp db upgrade``: give the events of a database from before the journal
        their leaves, once (refused if it has a journal)."""
        if audit_key is None:
            raise AuditKeyMissing()
        s = self._services
        journal = journal_of(s.store)
        with store_errors():
            journal.create_journal_tables()
            head = build_journal(journal, s.store.app.mapper, LeafForm(audit_key))
        s.store.forget()
        return head
