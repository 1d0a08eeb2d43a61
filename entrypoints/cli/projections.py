"""``ektp projections ...``: the read models' lag, and rebuilding them."""

from __future__ import annotations

import click

from ektp.application.kernel.i18n import N_, _, pgettext
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import counted, emit, table
from ektp.entrypoints.cli.session import session


@click.group(cls=translated.Group)
def projections() -> None:
    """Inspect and rebuild the read models (lists and reports)."""


@projections.command()
def status() -> None:
    """Each read model's position, lag behind the event store, and version."""
    s = session()
    statuses = s.office(must_exist=True).reports.projections_status()
    emit(s.as_json,
         [{"name": p.name, "position": p.position, "head": p.head, "lag": p.lag,
           "version": p.version, "current_version": p.current_version} for p in statuses],
         table([N_("projection"), N_("position"), pgettext("read model", "head"), N_("lag"), N_("version")],
               [(p.name, p.position, p.head, p.lag, p.version) for p in statuses]))


@projections.command()
@click.argument("name", required=False)
def rebuild(name: str | None) -> None:
    """Empty a read model (NAME, or all) and apply every event again from the first."""
    s = session()
    events = s.office(must_exist=True).reports.rebuild_read_models(name)
    emit(s.as_json, {"rebuilt": name or "all", "events": events},
         _("rebuilt {value} from {events}.").format(value=name or _('all read models'), events=counted(events, "{n} event", "{n} events")))
