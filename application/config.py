"""The office's configuration: who it is and its limits."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import attrs

from ektp.domain.card.decide import CardPolicy


@attrs.frozen
class OfficeConfig:
    """Identity and limits of one civil registry office (default: Jombang)."""

    office_code: str = "35.17"
    office_name: str = "Dispendukcapil Kabupaten Jombang"
    regency: str = "35.17"
    attempt_cap: int = 3
    holding_days: int = 90
    utc_offset_hours: int = 7

    # Cached: every command reads these (attrs supports cached_property on slotted classes).
    @cached_property
    def card_policy(self) -> CardPolicy:
        """The card rules' limits."""
        return CardPolicy(attempt_cap=self.attempt_cap, holding_days=self.holding_days)

    @cached_property
    def timezone(self) -> dt.timezone:
        """The office's local time zone (WIB by default)."""
        return dt.timezone(dt.timedelta(hours=self.utc_offset_hours))
