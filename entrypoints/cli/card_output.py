"""How a card and its history look on screen and in JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli.output import local_time, table

if TYPE_CHECKING:
    from ektp.application.card.history import HistoryEntry
    from ektp.application.ports.rows import CardPage, CardRow
    from ektp.application.card.views import CardView


def card_data(card: CardView, full: bool = False) -> dict[str, Any]:
    """The JSON form of a card; NIK, KK and phone masked unless `full`."""
    return {
        "id": str(card.id),
        "status": card.status,
        "version": card.version,
        "nik": card.nik if full else card.masked_nik,
        "name": card.name,
        "kk": card.kk if full else card.masked_kk,
        "village": card.village,
        "rt": card.rt,
        "rw": card.rw,
        "dusun": card.dusun,
        "phone": card.phone if full else card.masked_phone,
        "reason": card.reason,
        "requested_at": card.requested_at,
        "modified_at": card.modified_at,
        "blank_serial": card.blank_serial,
        "spoiled_serials": list(card.spoiled_serials),
        "courier": card.courier,
        "manifest_id": str(card.manifest_id) if card.manifest_id else None,
        "attempts": card.attempts,
        "recipient": card.recipient,
        "warnings": list(card.warnings),
    }


def card_text(card: CardView, full: bool = False, village: str | None = None) -> str:
    """The readable form of a card; `village` is the village's label (code and name)."""
    data = card_data(card, full)
    # Dusun, RT, RW: the words the office writes them with, in any language.
    address = (village or data["village"]) + (f" Dusun {card.dusun}" if card.dusun else "") + (
        f" RT {card.rt}" if card.rt else "") + (f" RW {card.rw}" if card.rw else "")
    rows = [
        (N_("Card"), data["id"]),
        (N_("Status"), _("{status} (version {version})").format(
            status=card.status, version=card.version)),
        (N_("NIK"), data["nik"]),
        (N_("Name"), card.name),
        (N_("KK"), data["kk"]),
        (N_("Address"), address),
        (N_("Phone"), data["phone"] or "-"),
        (N_("Reason"), card.reason),
        (N_("Requested"), local_time(card.requested_at)),
        (N_("Last change"), local_time(card.modified_at)),
        (N_("Blank"), card.blank_serial or "-"),
        (N_("Spoiled"), ", ".join(card.spoiled_serials) or "-"),
        (N_("Courier"), card.courier or "-"),
        (N_("Attempts"), str(card.attempts)),
        (N_("Recipient"), card.recipient or "-"),
    ]
    labels = [_(label) for label, _value in rows]
    width = max(12, *(len(label) for label in labels))
    return "\n".join(f"{label:<{width}} {value}" for label, (_l, value) in zip(labels, rows, strict=True))


def history_data(entries: tuple[HistoryEntry, ...]) -> list[dict[str, Any]]:
    """The JSON form of a history (summaries only: no personal data in full)."""
    return [
        {
            "version": e.version,
            "time": e.time,
            "event": e.event,
            "actor": {"id": e.actor_id, "role": e.actor_role},
            "summary": e.summary,
        }
        for e in entries
    ]


def history_text(entries: tuple[HistoryEntry, ...]) -> str:
    """The readable history: one line per event."""
    return table(
        ["#", N_("time"), N_("actor"), N_("what happened")],
        [(e.version, local_time(e.time), f"{e.actor_id} ({e.actor_role})", e.summary) for e in entries],
    )


def row_data(row: CardRow) -> dict[str, Any]:
    """The JSON form of a card in a list (the NIK is always masked in lists)."""
    return {
        "id": str(row.id), "status": row.status, "version": row.version, "village": row.village,
        "kecamatan": row.kecamatan, "nik": row.nik_masked, "name": row.initials,
        "initials": row.initials, "reason": row.reason,
        "requested_at": row.requested_at, "printed_at": row.printed_at,
        "handed_over_at": row.handed_over_at, "attempts": row.attempts, "courier": row.courier,
        "recipient": row.recipient,
    }


def cards_table(cards: tuple[CardRow, ...], names: dict[str, str] | None = None) -> str:
    """A list of cards, one per line (`names`: village code -> name)."""
    if not cards:
        return _("no cards match.")
    names = names or {}
    return table(
        [N_("card"), N_("status"), N_("village"), N_("NIK"), N_("name"), N_("requested")],
        [(c.id, c.status, f"{c.village} {names.get(c.village, '')}".strip(), c.nik_masked,
          c.initials, local_time(c.requested_at)) for c in cards],
    )


SHORT_ID = 8  # hex digits: the shortest id prefix CARD accepts


def found_data(row: CardRow) -> dict[str, Any]:
    """The JSON form of a card found by name (masked NIK, initials, no name)."""
    return {"id": str(row.id), "short_id": row.id.hex[:SHORT_ID], "status": row.status,
            "village": row.village, "nik": row.nik_masked, "initials": row.initials}


def found_table(cards: tuple[CardRow, ...], names: dict[str, str]) -> str:
    """The cards `card find` found, one per line (`names`: village code -> name)."""
    if not cards:
        return _("no card holder has that name.")
    return table(
        [N_("card"), N_("NIK"), N_("name"), N_("village"), N_("status")],
        [(c.id.hex[:SHORT_ID], c.nik_masked, c.initials,
          f"{c.village} {names.get(c.village, '')}".strip(), c.status) for c in cards],
    )


def page_note(page: CardPage, limit: int | None) -> str:
    """``cards 51-100 of 230; next page: --offset 100`` under a paged list."""
    if not page.rows:
        return _("no cards from {first}; {total} match in all.").format(
            first=page.offset + 1, total=page.total)
    last = page.offset + len(page.rows)
    note = _("cards {first}-{last} of {total}").format(
        first=page.offset + 1, last=last, total=page.total)
    if last < page.total:
        note += _("; next page: --offset {last}").format(last=last) \
            + (f" --limit {limit}" if limit else "")
    return note + "."
