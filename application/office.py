"""`Office`: the one service class of ektp, with a method per use case."""

from __future__ import annotations

from ektp.application.audit_desk import AuditDesk
from ektp.application.blank_desk import BlankDesk
from ektp.application.card_desk import CardDesk
from ektp.application.delivery_desk import DeliveryDesk
from ektp.application.following import Following
from ektp.application.report_desk import ReportDesk


class Office(DeliveryDesk, CardDesk, BlankDesk, ReportDesk, Following, AuditDesk):
    """An e-KTP office: the card lifecycle, the blank stock ledger, delivery manifests,
    lists and reports, its event feed, and the audit export.

    Build it with `ektp.entrypoints.open_office`; close it (or use it as a context
    manager) to release the database connections.
    """

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
