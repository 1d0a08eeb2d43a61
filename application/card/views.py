"""`CardView`: one card as the use cases return it, a plain value (never the store's object)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import attrs

from ektp.domain.card.state import Card
from ektp.domain.erased import Erased
from ektp.domain.masking import initials, mask_digits
from ektp.domain.phone import mask_phone


@attrs.frozen
class CardView:
    """One card as it stands now. `nik` and `kk` are in full only in a view made for
    someone who may see them (`revealed`); otherwise they hold the masked forms.
    `name` is personal data: mask it on display where it is not needed."""

    id: UUID
    status: str
    version: int
    nik: str
    name: str
    kk: str
    village: str
    rt: str | None
    rw: str | None
    dusun: str | None
    reason: str
    requested_at: dt.datetime
    modified_at: dt.datetime
    blank_serial: str | None
    spoiled_serials: tuple[str, ...]
    courier: str | None
    manifest_id: UUID | None
    attempts: int
    recipient: str | None
    # Things a clerk should know that are no reason to refuse (e.g. a NIK region
    # missing from today's region list).
    warnings: tuple[str, ...] = ()
    revealed: bool = True
    # The resident's phone number, when known: in full only if `revealed`, else masked
    # (``0812****7890``); ``[erased]`` once erased.
    phone: str | None = None

    @property
    def masked_nik(self) -> str:
        """The NIK as ``3517********0001``."""
        return mask_digits(self.nik) if self.revealed else self.nik

    @property
    def masked_kk(self) -> str:
        """The KK number as ``3517********0001``."""
        return mask_digits(self.kk) if self.revealed else self.kk

    @property
    def masked_phone(self) -> str | None:
        """The phone number as ``0812****7890`` (None when not known)."""
        if self.phone is None or not self.revealed:
            return self.phone
        return mask_phone(self.phone)

    @classmethod
    def of(cls, card: Card, warnings: tuple[str, ...] = (), *, reveal: bool) -> CardView:
        """The view of a card state (with `warnings` for the clerk, if any); NIK, KK, name
        and phone in full only if `reveal` (the name otherwise as its initials, as lists
        show it, the phone masked: a default output never carries personal data in full)."""
        return cls(
            id=card.id,
            status=card.status.value,
            version=card.version,
            nik=card.nik if reveal else mask_digits(card.nik),
            name=card.name if reveal or isinstance(card.name, Erased) else initials(card.name),
            kk=card.kk if reveal else mask_digits(card.kk),
            village=card.village,
            rt=card.rt,
            rw=card.rw,
            dusun=card.dusun,
            reason=card.reason.value,
            requested_at=card.requested_at,
            modified_at=card.modified_at,
            blank_serial=card.blank_serial,
            spoiled_serials=card.spoiled_serials,
            courier=card.courier,
            manifest_id=card.manifest_id,
            attempts=card.attempts,
            recipient=card.recipient.kind.value if card.recipient else None,
            warnings=warnings,
            revealed=reveal,
            phone=None if card.phone is None else card.phone if reveal else mask_phone(card.phone),
        )
