"""`Office`: the one service class of ektp, with a method per use case."""

from __future__ import annotations

from ektp.application.blank_desk import BlankDesk
from ektp.application.card_desk import CardDesk
from ektp.application.views import CardView
from ektp.domain.address import VillageCode
from ektp.domain.card.vocabulary import CardStatus
from ektp.domain.choice import parse_choice


class Office(CardDesk, BlankDesk):
    """An e-KTP office: the card lifecycle, the blank stock ledger, their queries (delivery later).

    Build it with `ektp.entrypoints.open_office`; close it (or use it as a context
    manager) to release the database connections.
    """

    def list_cards(
        self, status: str | CardStatus | None = None, village: str | VillageCode | None = None
    ) -> tuple[CardView, ...]:
        """Cards, optionally of one status and one village, oldest request first."""
        from ektp.application.card_listing import scan_cards  # not on the write path

        the_status = parse_choice(CardStatus, status, "status") if status else None
        the_village = (
            village if isinstance(village, VillageCode) else VillageCode.parse(village)
        ) if village else None
        return scan_cards(
            self._store,
            status=the_status.value if the_status else None,
            village=the_village.value if the_village else None,
        )

    def close(self) -> None:
        """Release the store's connections."""
        self._store.close()

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
