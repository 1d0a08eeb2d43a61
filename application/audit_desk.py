"""The audit use case of `Office`: exporting the history (``ektp audit export``).

Everything it needs is imported inside the method, so the write commands that
load `Office` do not pay for the audit modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ektp.application.office_base import OfficeBase
from ektp.domain.actor import Actor, require_permission

if TYPE_CHECKING:
    from ektp.application.audit.manifest import Manifest
    from ektp.application.ports.audit_sink import AuditSink
    from ektp.application.ports.audit_source import AuditSource
    from ektp.application.ports.signer import Signer


class AuditDesk(OfficeBase):
    """Exports of the office's history in the ``ektp-audit/1`` format."""

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
    ) -> Manifest:
        """Export the history (after `previous`, if given) to `sink`.

        Personal data is pseudonymised with `audit_key` (refused without one)
        unless `reveal_personal_data`, which only the head of office may ask.
        """
        from ektp.application.audit.canonical import ZERO_HASH
        from ektp.application.audit.export import export_history
        from ektp.application.audit.lines import PersonalDataPolicy
        from ektp.application.audit.manifest import parse_manifest
        from ektp.application.audit.personal import Pseudonymiser, Revealer
        from ektp.application.errors import AuditCheckFailed, AuditKeyMissing

        require_permission(actor, "export the audit trail")
        personal: PersonalDataPolicy
        if reveal_personal_data:
            require_permission(actor, "export personal data in full")
            personal = Revealer()
        elif audit_key is None:
            raise AuditKeyMissing()
        else:
            personal = Pseudonymiser(audit_key)
        after, start_hash = 0, ZERO_HASH
        if previous is not None:
            before = parse_manifest(previous.manifest(), where="the previous export's manifest.json")
            if before.office != self._config.office_code:
                raise AuditCheckFailed(where="the previous export",
                                       reason=f"it is of office {before.office[:20]!r}")
            if before.personal_data != personal.mode:
                raise AuditCheckFailed(
                    where="the previous export",
                    reason=f"its personal data is {before.personal_data}; continue it the same way")
            after, start_hash = before.last_seq, before.end_hash
        return export_history(
            self._store, sink, office=self._config.office_code, personal=personal,
            after=after, start_hash=start_hash, upto=upto, signer=signer, progress=progress)

    def last_position(self) -> int:
        """The position of the newest stored event (0 for an empty store)."""
        from ektp.application.store_access import store_errors

        with store_errors():
            return self._store.recorder.max_notification_id() or 0
