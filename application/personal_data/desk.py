"""The access-log desk: who was shown whose personal data in full (``ektp access-log``).

Read by the head of office only, to answer a resident's request to know who processed
their data (UU PDP Art. 31) and to oversee the staff. The log is read from the event
store itself (every `PersonalDataAccessed`, in the order stored), not from a read
model: it is small next to the office's records, and what it answers must be exactly
what the audit export holds. A subject is looked up by computing the pseudonym of the
given NIK; nothing here returns a NIK in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs
from eventsourcing.utils import get_topic

from ektp.application.feed.pages import events_after
from ektp.application.kernel.dates import parse_day
from ektp.application.kernel.services import Services
from ektp.application.personal_data.record import pseudonymiser
from ektp.domain.actor import Actor
from ektp.domain.errors import InvalidDateRange
from ektp.domain.personal_data.events import PersonalDataAccessed
from ektp.domain.staff.vocabulary import parse_login

READ_ACCESS_LOG = "read the access log"
_TOPICS = (get_topic(PersonalDataAccessed),)


@attrs.frozen
class AccessEntry:
    """One access as the log shows it: when, who (login and role), what was shown, of
    whom (pseudonyms; `everyone` for a display of every resident), and why."""

    at: dt.datetime
    staff: str
    role: str
    what: str
    subjects: tuple[str, ...]
    everyone: bool
    purpose: str | None

    @classmethod
    def of(cls, event: PersonalDataAccessed) -> AccessEntry:
        """The entry of a stored event."""
        return cls(at=event.timestamp, staff=event.staff, role=str(event.actor.role),
                   what=event.what, subjects=event.subjects, everyone=event.everyone,
                   purpose=event.purpose)


@attrs.frozen
class AccessQuery:
    """The filters of ``ektp access-log``, checked: each None matches every entry. `subject`
    is the pseudonym of the NIK asked about; `start` and `end` are days in the office's
    time zone, both included."""

    subject: str | None = None
    staff: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def matches(self, entry: AccessEntry, zone: dt.tzinfo) -> bool:
        """Whether `entry` passes every filter."""
        day = entry.at.astimezone(zone).date()
        return ((self.subject is None or entry.everyone or self.subject in entry.subjects)
                and (self.staff is None or entry.staff == self.staff)
                and (self.start is None or day >= self.start)
                and (self.end is None or day <= self.end))


class AccessLogDesk:
    """Who was shown whose personal data in full."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def query(self, *, subject: str | None = None, staff: str | None = None,
              start: str | dt.date | None = None, end: str | dt.date | None = None) -> AccessQuery:
        """The typed filters checked (a bad NIK, login or date is refused with its reason)."""
        s = self._services
        first = parse_day(start, "--from") if start is not None else None
        last = parse_day(end, "--to") if end is not None else None
        if first is not None and last is not None and first > last:
            raise InvalidDateRange(start=first.isoformat(), end=last.isoformat())
        pseudonym = None
        if subject is not None:
            pseudonym = pseudonymiser(s).number(s.parse_nik(subject).value)
        return AccessQuery(subject=pseudonym, staff=parse_login(staff) if staff else None,
                           start=first, end=last)

    def entries(self, actor: Actor | None, query: AccessQuery | None = None) -> tuple[AccessEntry, ...]:
        """The accesses `query` matches, oldest first (the head of office only)."""
        s = self._services
        s.authorise(actor, READ_ACCESS_LOG)
        the_query = query or AccessQuery()
        zone = s.config.timezone
        found: Iterable[AccessEntry] = (
            AccessEntry.of(e) for _, e in events_after(s.store, topics=_TOPICS)
            if isinstance(e, PersonalDataAccessed))
        return tuple(e for e in found if the_query.matches(e, zone))
