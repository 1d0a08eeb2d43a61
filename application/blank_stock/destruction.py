"""What a destruction record (berita acara pemusnahan) lists: every blank serial and every
card destroyed in a span of days, each with why, under which signed record, how and
before which witnesses.

Two kinds of destruction are recorded: spoiled blanks destroyed under a record before
witnesses (the ledger's `SpoiledDestroyed`, whose serials got their reason when they were
spoiled: `BlankSpoiled`), and uncollected cards destroyed under a record (the card's
`Destroyed`, with its reason in words; the card event names no witnesses, so a card's
record shows the witnesses of the blank destruction under the same record number, if
any). The span is of office-local days, by when the destruction was recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from ektp.domain.blank_stock import events as ev
from ektp.domain.blank_stock.interval_set import IntervalSet
from ektp.domain.card import events as ce

BLANK, CARD = "blank", "card"


@attrs.frozen
class DestroyedItem:
    """One blank serial or one card destroyed."""

    kind: str  # BLANK or CARD
    serial: str | None  # the blank's serial; a card's is the blank it was printed on
    card_code: str | None  # the card's short code (a spoiled blank's card, if it had one)
    reason: str  # a blank's spoil reason code; a card's reason as written
    record_number: str
    at: dt.datetime


@attrs.frozen
class DestructionSitting:
    """One signed record's destruction: how, by whom, before which witnesses."""

    record_number: str
    at: dt.datetime
    method: str | None  # a blank destruction's method (burn, cut); None for cards alone
    by: str
    witnesses: tuple[tuple[str, str], ...]  # (name, role)
    count: int


@attrs.frozen
class DestructionRecord:
    """Every blank and card destroyed from `first` to `last` (office-local days)."""

    first: dt.date
    last: dt.date
    office_name: str
    items: tuple[DestroyedItem, ...]
    sittings: tuple[DestructionSitting, ...]


def _serials(event: ev.SpoiledDestroyed, spoiled: Mapping[str, object]) -> list[str]:
    """The serials `event` destroyed: those of its ranges that were spoiled (a destruction
    destroys only those), in order."""
    gone = IntervalSet.of(event.ranges)
    return sorted(s for s in spoiled if s in gone)


def destruction_record(
    ledger: Iterable[ev.LedgerEvent], cards: Iterable[tuple[ce.Destroyed, str | None]],
    start: dt.datetime, end: dt.datetime, first: dt.date, last: dt.date, office_name: str,
) -> DestructionRecord:
    """The record of what was destroyed from `start` (inclusive) to `end` (exclusive):
    `ledger` is the ledger's whole history, oldest first; `cards` the cards' `Destroyed`
    events, each with the serial of the blank the card was printed on."""
    spoiled: dict[str, tuple[str, str | None]] = {}  # serial -> (reason, card short code)
    items: list[DestroyedItem] = []
    sittings: dict[str, DestructionSitting] = {}
    for event in ledger:
        if isinstance(event, ev.BlankSpoiled):
            spoiled[event.serial] = (event.reason.value,
                                     event.card_id.hex[:8] if event.card_id else None)
        elif isinstance(event, ev.SpoiledDestroyed):
            serials = _serials(event, spoiled)
            if start <= event.timestamp < end:
                for serial in serials:
                    reason, code = spoiled[serial]
                    items.append(DestroyedItem(BLANK, serial, code, reason, event.record_number,
                                               event.timestamp))
                sittings[event.record_number] = DestructionSitting(
                    event.record_number, event.timestamp, event.method.value,
                    event.actor.id,
                    tuple((w.name, w.role) for w in event.witnesses), len(serials))
            for serial in serials:
                spoiled.pop(serial, None)
    for card_event, blank in cards:
        if not start <= card_event.timestamp < end:
            continue
        items.append(DestroyedItem(CARD, blank, card_event.originator_id.hex[:8],
                                   card_event.reason, card_event.record_number,
                                   card_event.timestamp))
        held = sittings.get(card_event.record_number)
        if held is None:
            sittings[card_event.record_number] = DestructionSitting(
                card_event.record_number, card_event.timestamp, None,
                card_event.actor.id, (), 1)
        else:
            sittings[card_event.record_number] = attrs.evolve(held, count=held.count + 1)
    items.sort(key=lambda i: (i.at, i.record_number, i.kind, i.serial or "", i.card_code or ""))
    return DestructionRecord(first, last, office_name, tuple(items),
                             tuple(sorted(sittings.values(), key=lambda s: (s.at, s.record_number))))
