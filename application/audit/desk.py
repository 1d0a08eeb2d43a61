"""The audit desk: exporting the office's history (``ektp audit export``)."""

from __future__ import annotations

from collections.abc import Callable

from ektp.application.audit.canonical import ZERO_HASH
from ektp.application.audit.export import export_history
from ektp.application.audit.lines import PersonalDataPolicy
from ektp.application.audit.manifest import Manifest, parse_manifest
from ektp.application.audit.personal import Pseudonymiser, Revealer
from ektp.application.errors import AuditCheckFailed, AuditKeyMissing
from ektp.application.kernel.services import Services
from ektp.application.ports.audit_sink import AuditSink
from ektp.application.ports.audit_source import AuditSource
from ektp.application.ports.signer import Signer
from ektp.domain.actor import Actor

EXPORT = "export the audit trail"
EXPORT_PERSONAL_DATA = "export personal data in full"


class AuditDesk:
    """Exports of the office's history in the ``ektp-audit/1`` format."""

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
    ) -> Manifest:
        """Export the history (after `previous`, if given) to `sink`.

        Personal data is pseudonymised with `audit_key` (refused without one)
        unless `reveal_personal_data`, which only the head of office may ask.
        """
        s = self._services
        s.authorise(actor, EXPORT)
        personal: PersonalDataPolicy
        if reveal_personal_data:
            s.authorise(actor, EXPORT_PERSONAL_DATA)
            personal = Revealer()
        elif audit_key is None:
            raise AuditKeyMissing()
        else:
            personal = Pseudonymiser(audit_key)
        after, start_hash = 0, ZERO_HASH
        if previous is not None:
            before = parse_manifest(previous.manifest(), where="the previous export's manifest.json")
            if before.office != s.config.office_code:
                raise AuditCheckFailed(where="the previous export",
                                       reason=f"it is of office {before.office[:20]!r}")
            if before.personal_data != personal.mode:
                raise AuditCheckFailed(
                    where="the previous export",
                    reason=f"its personal data is {before.personal_data}; continue it the same way")
            after, start_hash = before.last_seq, before.end_hash
        return export_history(
            s.store, sink, office=s.config.office_code, personal=personal,
            after=after, start_hash=start_hash, upto=upto, signer=signer, progress=progress)
