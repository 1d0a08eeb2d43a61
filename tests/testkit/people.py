"""Well-formed NIKs, KK numbers and actors for tests (invented people)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from ektp.domain.actor import Actor, Role
from ektp.domain.nik import PROVINCE_CODES

OPERATOR = Actor("op.test", Role.OPERATOR)
OTHER_OPERATOR = Actor("op.other", Role.OPERATOR)
COURIER = Actor("kurir.test", Role.COURIER)
OTHER_COURIER = Actor("kurir.lain", Role.COURIER)
HEAD = Actor("kepala", Role.HEAD)
AUDITOR = Actor("auditor", Role.AUDITOR)
# The office's test staff (testkit.staff enrols them): each actor and a name.
STAFF = ((HEAD, "Kepala Uji"), (OPERATOR, "Operator Uji"), (OTHER_OPERATOR, "Operator Lain"),
         (COURIER, "Kurir Uji"), (OTHER_COURIER, "Kurir Lain"), (AUDITOR, "Auditor Uji"))
TODAY = dt.date(2026, 11, 2)
JABON = "35.17.09.2018"
NGUDIREJO = "35.17.08.2014"


def make_nik(
    region: str = "351709", day: int = 12, month: int = 3, year: int = 1985,
    female: bool = False, serial: int = 1,
) -> str:
    """A NIK from its parts."""
    return f"{region}{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{serial:04d}"


@st.composite
def niks(draw: st.DrawFn, today: dt.date = TODAY) -> str:
    """Any NIK that is valid as of `today`."""
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    regency = draw(st.integers(1, 99))
    kecamatan = draw(st.integers(1, 99))
    # A century back from tomorrow: older dates would read as this century.
    oldest = dt.date(today.year - 100, today.month, today.day) + dt.timedelta(days=1)
    birth = draw(st.dates(min_value=oldest, max_value=today))
    female = draw(st.booleans())
    serial = draw(st.integers(1, 9999))
    return make_nik(f"{province:02d}{regency:02d}{kecamatan:02d}", birth.day, birth.month,
                    birth.year, female, serial)


def kk_for(nik: str) -> str:
    """A KK number in the same regency as `nik`."""
    return f"{nik[:6]}0101100{nik[-3:]}"


def dispatched_card(office: Any, operator: Actor, nik: str, name: str, serial: str,
                    phone: str | None = None) -> str:
    """Request a card for `nik` (village 35.17.09.2018, RT 2 RW 1, with `phone` if given),
    confirm it, print it on blank `serial` and dispatch it with kurir.test, through the
    embedding API; its id."""
    card = str(office.request_card(operator, nik=nik, name=name, kk=kk_for(nik),
                                   village="35.17.09.2018", rt="2", rw="1", phone=phone).id)
    office.confirm_print_readiness(operator, card)
    office.allocate_blank(operator, card, serial)
    office.record_printed(operator, card)
    office.dispatch(operator, card, "kurir.test")
    return card
