"""What the staff desk returns: plain values, never the store's objects."""

from __future__ import annotations

import datetime as dt

import attrs

from ektp.application.kernel.i18n import N_
from ektp.domain.staff.state import StaffMember


@attrs.frozen
class StaffView:
    """One member of the register. `name` and `nip` are personal data; `notes` say
    what is left to do about the member's sign-in account (see `StaffAccounts`)."""

    login: str
    name: str | None
    nip: str | None
    roles: tuple[str, ...]
    suspended: bool
    suspended_reason: str | None
    enrolled_at: dt.datetime
    enrolled_by: str
    version: int
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, member: StaffMember, notes: tuple[str, ...] = ()) -> StaffView:
        """The view of a member's state."""
        return cls(login=member.login, name=member.name, nip=member.nip,
                   roles=tuple(r.value for r in member.ordered_roles),
                   suspended=member.suspended, suspended_reason=member.suspended_reason,
                   enrolled_at=member.enrolled_at, enrolled_by=member.enrolled_by,
                   version=member.version, notes=notes)

    @property
    def status(self) -> str:
        """``active`` or ``suspended``."""
        return N_("suspended") if self.suspended else N_("active")


@attrs.frozen
class WhoAmI:
    """The caller as the office sees them: the established identity and its record."""

    login: str
    established_by: str
    member: StaffView | None  # None: not in the register
    register_founded: bool
