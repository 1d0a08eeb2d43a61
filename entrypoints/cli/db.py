"""``ektp db ...``: create and check the database (events and read models)."""

from __future__ import annotations

import click

from ektp.entrypoints.cli.output import emit, table
from ektp.entrypoints.cli.session import session


@click.group()
def db() -> None:
    """Create, check, verify or upgrade the database that --db names."""


@db.command()
def init() -> None:
    """Create the event and read-model tables that are missing, then fill the read models.

    Safe to run again: it only adds what is missing.
    """
    s = session()
    statuses = s.office(must_exist=False).reports.initialise_database()
    emit(s.as_json, {"ready": True, "projections": [{"name": p.name, "position": p.position}
                                                    for p in statuses]},
         f"database ready: {len(statuses)} read models up to date.")


@db.command()
def check() -> None:
    """Say what --db connects to and whether its schema is current (creates nothing).

    Exit code 0 when current, 1 when something is missing or outdated
    (run ``ektp db init``), 5 when the database cannot be reached.
    """
    from ektp.entrypoints.cli import exit_codes

    s = session()
    status = s.office(must_exist=True, create_tables=False).reports.database_status()
    data = {
        "url": status.url, "engine": status.engine, "server_version": status.server_version,
        "event_tables": status.event_tables, "missing_read_model_tables": list(status.missing_read_model_tables),
        "projections": [{"name": p.name, "position": p.position, "lag": p.lag, "version": p.version,
                         "current_version": p.current_version} for p in status.projections],
        "current": status.current,
    }
    lines = [
        f"database     {status.url}",
        f"engine       {status.engine} {status.server_version}",
        f"event tables {'present' if status.event_tables else 'MISSING'}",
        "read models  " + ("MISSING " + ", ".join(status.missing_read_model_tables)
                           if status.missing_read_model_tables else "present"),
    ]
    if status.projections:
        lines.append(table(["projection", "position", "lag", "version"],
                           [(p.name, p.position, p.lag,
                             f"{p.version}" + ("" if p.version == p.current_version
                                               else f" (code has {p.current_version})"))
                            for p in status.projections]))
    lines.append("schema is current." if status.current else "schema is NOT current: run `ektp db init`.")
    emit(s.as_json, data, "\n".join(lines))
    if not status.current:
        raise SystemExit(exit_codes.REFUSED)


@db.command("verify")
@click.option("--public-key", metavar="PEM", type=click.Path(dir_okay=False),
              help="The office's Ed25519 public key: check every checkpoint's signature "
                   "(without it: integrity only, exit 7).")
@click.option("--checkpoint", "checkpoint_files", metavar="FILE", multiple=True,
              type=click.Path(dir_okay=False),
              help="A checkpoint held outside the database, e.g. by a witness (repeatable).")
def verify_store(public_key: str | None, checkpoint_files: tuple[str, ...]) -> None:
    """Recompute every stored event's journal leaf and compare it with the journal, its
    nodes, its head and every checkpoint; name the first event that differs.

    Needs the office's audit key (EKTP_AUDIT_KEY or EKTP_AUDIT_KEY_FILE). Exit 0 all
    matches, 7 all matches but no checkpoint's signature was checked, 6 a difference.
    """
    from ektp.adapters.audit.ed25519 import Ed25519Checker
    from ektp.adapters.audit.key import audit_key
    from ektp.application.audit.checkpoints import read_checkpoint
    from ektp.entrypoints.cli import exit_codes
    from ektp.entrypoints.cli.audit import _progress, _read_small

    s = session()
    key = audit_key()
    checker = Ed25519Checker.from_pem(public_key) if public_key else None
    held = [(path, read_checkpoint(_read_small(path), path)) for path in checkpoint_files]
    office = s.office(must_exist=True)
    with _progress(office.last_position(), "verifying") as progress:
        report = office.audit.verify_store(audit_key=key, held=held, public_key=checker,
                                           progress=progress)
    built = (f"leaves 0..{report.built_from - 1} built by 'ektp db upgrade', from leaf "
             f"{report.built_from} on written with their events" if report.built_from
             else "every leaf written with its event")
    status = "OK" if report.authentic else "INTEGRITY ONLY"
    lines = [f"{status}: {report.events} stored events each match their journal leaf; the "
             "journal's nodes and head match",
             f"  root        {report.root}",
             f"  journal     {built}"]
    if not report.checkpoints:
        lines.append("  checkpoints none to compare with: a journal rewritten to match the store "
                     "cannot be told apart (make one: ektp audit checkpoint)")
    for point in report.checkpoints:
        lines.append(f"  checkpoint  size {point.size} ({point.source}): matches; signature "
                     f"{point.signature}")
    if not report.authentic:
        lines.append("  authenticity not established: " + (
            "no --public-key" if checker is None else "no checkpoint to check"))
    emit(s.as_json, {"ok": True, "outcome": "verified" if report.authentic else "integrity-only",
                     "authentic": report.authentic, "events": report.events, "root": report.root,
                     "built_from": report.built_from,
                     "checkpoints": [{"size": c.size, "source": c.source, "signature": c.signature}
                                     for c in report.checkpoints]}, "\n".join(lines))
    if not report.authentic:
        raise SystemExit(exit_codes.INTEGRITY_ONLY)


@db.command()
def upgrade() -> None:
    """Build the journal of a database written before the journal existed, once: every
    stored event gets its leaf, computed from the event as it is stored today.

    Needs the office's audit key. Run it with the office closed (it holds the write lock).
    """
    from ektp.adapters.audit.key import audit_key

    s = session()
    key = audit_key()
    office = s.office(must_exist=True)
    head = office.audit.build_journal(audit_key=key)
    emit(s.as_json, {"leaves": head.size, "built_from": head.built_from},
         f"journal built for the {head.size} events already stored (leaves 0..{head.size - 1}, "
         f"from the events as stored today); from leaf {head.built_from} on, every leaf is written "
         "with its event." if head.size else
         "journal started: the database held no events; every leaf is written with its event.")
