"""How a manifest looks on screen and in JSON (village names beside codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli.output import counted, local_time, table

if TYPE_CHECKING:
    from ektp.application.manifest.views import ManifestView, ResultsRecorded
    from ektp.application.ports.region_directory import RegionDirectory
    from ektp.application.ports.rows import ManifestRow


def manifest_data(m: ManifestView) -> dict[str, Any]:
    """The JSON form of a manifest."""
    return {
        "id": str(m.id), "status": m.status, "version": m.version, "courier": m.courier,
        "date": m.date.isoformat(), "villages": list(m.villages),
        "cards": [{"card": str(c.card_id), "village": c.village, "outcome": c.outcome,
                   "reports": list(c.reports),
                   **({"nik": c.nik_masked, "initials": c.initials} if c.nik_masked else {})}
                  for c in m.cards],
        "opened_by": m.opened_by, "opened_at": m.opened_at, "seal_number": m.seal_number,
        "dispatched_by": m.dispatched_by, "dispatched_at": m.dispatched_at,
        "dispatched_count": m.dispatched_count, "handed_over": m.handed_over,
        "checked_in": m.checked_in, "seal_intact": m.seal_intact, "returned_by": m.returned_by,
        "returned_at": m.returned_at, "record_number": m.record_number, "closed_at": m.closed_at,
    }


def manifest_text(m: ManifestView, regions: RegionDirectory) -> str:
    """The readable form of a manifest and its cards."""
    from ektp.application.reports.region_names import village_label

    seal = {None: "", True: _(", seal intact"), False: _(", SEAL BROKEN")}[m.seal_intact]
    rows = [
        ("Manifest", str(m.id)),
        (_("Status"), _("{status} (version {version})").format(status=m.status, version=m.version)),
        (_("Courier"), m.courier),
        (_("Date"), m.date.isoformat()),
        (_("Villages"), "; ".join(village_label(regions, v) for v in m.villages)),
        (_("Opened"), _("{opened_at} by {opened_by}").format(opened_at=local_time(m.opened_at), opened_by=m.opened_by)),
        (_("Dispatched"), _("{dispatched_at} by {dispatched_by}, "
                       "{dispatched_count}, seal {seal_number}").format(dispatched_at=local_time(m.dispatched_at), dispatched_by=m.dispatched_by, dispatched_count=counted(m.dispatched_count, '{n} card', '{n} cards'), seal_number=m.seal_number)
                       if m.dispatched_at else "-"),
        (_("Checked in"), _("{returned_at} by {returned_by}{seal}").format(returned_at=local_time(m.returned_at), returned_by=m.returned_by, seal=seal)
                       if m.returned_at else "-"),
        (_("Closed"), _("{closed_at}, record {record_number}").format(closed_at=local_time(m.closed_at), record_number=m.record_number) if m.closed_at else "-"),
        (_("Cards"), _("{cards}: {handed_over} handed over, {checked_in} checked in").format(cards=len(m.cards), handed_over=m.handed_over, checked_in=m.checked_in)),
    ]
    width = max(11, *(len(label) for label, _value in rows))
    head = "\n".join(f"{label:<{width}} {value}" for label, value in rows)
    if not m.cards:
        return head
    if m.cards[0].nik_masked is None:
        cards = table([N_("card"), N_("village"), N_("outcome"), N_("reports")],
                      [(c.card_id, village_label(regions, c.village), c.outcome,
                        ", ".join(c.reports) or "-") for c in m.cards])
    else:
        cards = table([N_("card"), N_("NIK"), N_("name"), N_("village"), N_("outcome"), N_("reports")],
                      [(c.card_id, c.nik_masked, c.initials, village_label(regions, c.village),
                        c.outcome, ", ".join(c.reports) or "-") for c in m.cards])
    return f"{head}\n\n{cards}"


def manifest_row_data(m: ManifestRow) -> dict[str, Any]:
    """The JSON form of a manifest in a list."""
    return {
        "id": str(m.id), "status": m.status, "courier": m.courier, "date": m.date.isoformat(),
        "villages": list(m.villages), "cards": m.cards, "dispatched_count": m.dispatched_count,
        "handed_over": m.handed_over, "failed_attempts": m.failed_attempts,
        "checked_in": m.checked_in, "seal_number": m.seal_number, "opened_at": m.opened_at,
        "dispatched_at": m.dispatched_at, "closed_at": m.closed_at, "record_number": m.record_number,
    }


def manifests_table(found: tuple[ManifestRow, ...], regions: RegionDirectory) -> str:
    """A list of manifests, one per line, villages with their names."""
    from ektp.application.reports.region_names import name_of

    if not found:
        return _("no manifests match.")
    return table([N_("manifest"), N_("status"), N_("date"), N_("courier"), N_("cards"), N_("villages")],
                 [(m.id, m.status, m.date.isoformat(), m.courier, m.cards,
                   ", ".join(f"{v} {name_of(regions, v)}" for v in m.villages)) for m in found])


def results_data(r: ResultsRecorded, shown: int | None = None, note: str = "") -> dict[str, Any]:
    """The JSON form of a recorded results file: the first `shown` skipped rows (all
    when None), their count, and `note` (where the full list was written)."""
    data = {"manifest": manifest_data(r.manifest), "recorded": r.recorded,
            "already_recorded": r.already_recorded, "without_outcome": r.without_outcome,
            "skipped": list(r.skipped[:shown]), "skipped_count": len(r.skipped)}
    if note:
        data["errors_note"] = note
    return data


def results_text(r: ResultsRecorded, shown: int | None = None, note: str = "") -> str:
    """What recording did, with the first `shown` skipped rows (all when None) and
    `note` (where the full list was written)."""
    line = (_("manifest {id}: recorded {recorded}, "
            "{already_recorded} already recorded, {without_outcome} without an outcome").format(id=r.manifest.id, recorded=counted(r.recorded, '{n} row', '{n} rows'), already_recorded=r.already_recorded, without_outcome=r.without_outcome))
    if r.skipped:
        line += (_("; skipped {counted}:\n").format(counted=counted(len(r.skipped), '{n} bad row', '{n} bad rows'))
                 + "\n".join(f"  {s}" for s in r.skipped[:shown]))
        if note:
            line += f"\n  {note}"
    return line
