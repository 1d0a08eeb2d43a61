"""Card status: one row per card (state, village, milestones, attempts), with no
plaintext personal data: the masked NIK and the name's initials to show, keyed blind
indexes (`ektp.application.ports.pseudonyms`) of the NIK, the KK and the name's
tokens to look up by (none when the office has no audit key to key them).

``proxy_index`` (version 5): the blind index of the NIK of the proxy who collected the
card (the NIK kind, so it equals the proxy's own ``nik_index`` on their cards), by
which an erasure or the retention policy finds the hand-overs a person collected as a
proxy without any NIK stored; cleared when that proxy is erased."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import assert_never, cast

from ektp.application.projections.changes import Change, SetRow
from ektp.domain.card import events as ev
from ektp.domain.card.vocabulary import RecipientKind
from ektp.application.ports.pseudonyms import KK, NIK, Pseudonyms
from ektp.domain.erased import is_erased
from ektp.domain.masking import initials, mask_digits
from ektp.domain.personal_data.events import PersonalDataErased
from ektp.domain.name_tokens import name_tokens

TABLE = "card_status"


def _row(event: ev.CardEvent, **values: object) -> SetRow:
    return SetRow(TABLE, (str(event.originator_id),), {
        "version": event.originator_version, "modified_at": event.timestamp, **values,
    })


def card_status_changes(event: object, timezone: dt.tzinfo,
                        pseudonyms: Pseudonyms | None = None) -> Iterator[Change]:
    """The card_status changes `event` makes (none for other aggregates' events);
    `pseudonyms` keys the blind indexes."""
    if isinstance(event, PersonalDataErased):
        # What stays of an erased resident's cards: the masked NIK (in its column from
        # the request), the status and dates; no initials and no blind index.
        for card in event.cards:
            yield SetRow(TABLE, (card,), {"initials": "", "nik_index": None, "kk_index": None,
                                          "name_index": None})
        # The cards they collected as a proxy: the holder's data stays, their index goes.
        for card in event.collected or ():
            yield SetRow(TABLE, (card,), {"proxy_index": None})
        return
    if not isinstance(event, ev.CardEvent):
        return
    e = cast(ev.AnyCardEvent, event)
    match e:
        case ev.Requested():
            erased = is_erased(e.nik)  # a rebuild after an erasure: the request's fields are gone
            yield SetRow(TABLE, (str(e.originator_id),), {
                "status": "REQUESTED", "village": e.village, "kecamatan": e.village[:8],
                "nik_masked": mask_digits(e.nik), "initials": initials(e.name),
                "nik_index": pseudonyms.index(NIK, e.nik) if pseudonyms and not erased else None,
                "kk_index": pseudonyms.index(KK, e.kk) if pseudonyms and not is_erased(e.kk) else None,
                "name_index": (pseudonyms.name_index(name_tokens(e.name))
                               if pseudonyms and not is_erased(e.name) else None),
                "reason": e.reason.value,
                "requested_at": e.timestamp, "modified_at": e.timestamp,
                "version": e.originator_version, "attempts": 0,
            }, create=True)
        case ev.PrintReadinessConfirmed():
            yield _row(e, status="READY_TO_PRINT")
        case ev.BlankAllocated():
            yield _row(e, status="BLANK_ALLOCATED", blank_serial=e.serial)
        case ev.PrintFailed():
            yield _row(e, status="READY_TO_PRINT", blank_serial=None)
        case ev.Printed():
            yield _row(e, status="PRINTED", printed_at=e.timestamp)
        case ev.AssignedToManifest():
            yield _row(e, manifest_id=str(e.manifest_id))
        case ev.RemovedFromManifest():
            yield _row(e, manifest_id=None)
        case ev.Dispatched():
            yield _row(e, status="DISPATCHED", dispatched_at=e.timestamp, courier=e.courier,
                       manifest_id=str(e.manifest_id) if e.manifest_id else None)
        case ev.DeliveryAttemptFailed():
            yield _row(e, attempts=e.attempt)
        case ev.HandedOver():
            proxy = e.recipient.nik if e.recipient.kind is RecipientKind.PROXY else None
            yield _row(e, status="HANDED_OVER", handed_over_at=e.occurred_at,
                       closed_at=e.occurred_at, recipient=e.recipient.kind.value,
                       proxy_index=(pseudonyms.index(NIK, proxy) if pseudonyms and
                                    isinstance(proxy, str) and not is_erased(proxy) else None))
        case ev.Returned():
            yield _row(e, status="RETURNED", returned_at=e.timestamp, courier=None, manifest_id=None)
        case ev.Cancelled():
            yield _row(e, status="CANCELLED", closed_at=e.timestamp)
        case ev.DeclaredUncollected():
            yield _row(e, status="UNCOLLECTED")
        case ev.Destroyed():
            yield _row(e, status="DESTROYED", closed_at=e.timestamp)
        case _:
            assert_never(e)
