"""Days typed by clerks (`--date`, `--from`, `--to`): one form, one message."""

from __future__ import annotations

import datetime as dt
import re

from ektp.application.kernel.i18n import N_, _
from ektp.domain.errors import InvalidText

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # not week dates (2017-W46-2) nor 20171114
FIRST_YEAR, LAST_YEAR = 2000, 2100  # e-KTP began in 2011: anything else is a typo


def parse_day(value: str | dt.date, field: str = N_("date"), *, latest: dt.date | None = None) -> dt.date:
    """A calendar day written YYYY-MM-DD, from 2000 to 2100 and, with `latest`, not after it."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = value.strip()
        try:
            if not _DAY.fullmatch(text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidText(field=field, reason=_("write it as YYYY-MM-DD, e.g. 2017-11-14")) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidText(field=field, reason=_(
            "it must be a year from {first_year} to {last_year}").format(
                first_year=FIRST_YEAR, last_year=LAST_YEAR))
    if latest is not None and day > latest:
        raise InvalidText(field=field, reason=_("it is in the future"))
    return day


_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


def parse_month(value: str, field: str = N_("month")) -> tuple[dt.date, dt.date]:
    """A calendar month written YYYY-MM (2000 to 2100): its first and last day."""
    text = value.strip()
    if not _MONTH.fullmatch(text) or not 1 <= int(text[5:]) <= 12:
        raise InvalidText(field=field, reason=_("write it as YYYY-MM, e.g. 2017-11"))
    first = parse_day(f"{text}-01", field)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


# ``2017-11-14 10:30``, ``2017-11-14T10:30:15``, with an optional ``+07:00``/``Z`` zone.
_MOMENT = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2}(?::[0-9]{2})?)"
                     r"(?:\.[0-9]{1,6})?\s*(Z|[+-][0-9]{2}:?[0-9]{2})?")
MOMENT_EXAMPLE = "2017-11-14 10:30"


def parse_moment(value: str | dt.datetime, field: str, zone: dt.tzinfo) -> dt.datetime:
    """A moment typed by a clerk: ``YYYY-MM-DD HH:MM`` (seconds and a zone such as
    ``+07:00`` optional), in the office's time zone `zone` when no zone is written.

    A day alone is refused: a courier's round has a dispatch time, and "that day"
    could fall before it (or, for today, in the future); the clerk copies the time
    from the courier's sheet instead of ektp guessing one.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise InvalidText(field=field, reason=_("a moment needs its time zone"))
        moment = value
    else:
        text = value.strip()
        match = _MOMENT.fullmatch(text)
        if match is None:
            reason = (f"give the time too, e.g. {MOMENT_EXAMPLE}" if _DAY.fullmatch(text)
                      else f"write it as YYYY-MM-DD HH:MM, e.g. {MOMENT_EXAMPLE}")
            raise InvalidText(field=field, reason=reason)
        day, time, offset = match.groups()
        try:
            moment = dt.datetime.fromisoformat(f"{day}T{time}")
            if offset:
                moment = moment.replace(tzinfo=dt.datetime.fromisoformat(
                    f"2000-01-01T00:00{'+00:00' if offset == 'Z' else offset}").tzinfo)
        except ValueError:
            raise InvalidText(field=field, reason=_(
                "no such day or time (e.g. {moment_example})").format(
                    moment_example=MOMENT_EXAMPLE)) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidText(field=field, reason=_(
            "it must be a year from {first_year} to {last_year}").format(
                first_year=FIRST_YEAR, last_year=LAST_YEAR))
    return moment
