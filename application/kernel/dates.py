"""Days typed by clerks (`--date`, `--from`, `--to`): one form, one message."""

from __future__ import annotations

import datetime as dt
import re

from ektp.domain.errors import InvalidText

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # not week dates (2017-W46-2) nor 20171114
FIRST_YEAR, LAST_YEAR = 2000, 2100  # e-KTP began in 2011: anything else is a typo


def parse_day(value: str | dt.date, field: str = "date", *, latest: dt.date | None = None) -> dt.date:
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
            raise InvalidText(field=field, reason="write it as YYYY-MM-DD, e.g. 2017-11-14") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidText(field=field, reason=f"it must be a year from {FIRST_YEAR} to {LAST_YEAR}")
    if latest is not None and day > latest:
        raise InvalidText(field=field, reason="it is in the future")
    return day
