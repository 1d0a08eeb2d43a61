"""``ektp db ...``: create, check, verify, upgrade, back up and restore the office database.

``init`` is the one command that creates a database (and writes the office
configuration when there is none); ``check`` reports (`db_checks`); ``verify``
recomputes the journal (issue 13); ``upgrade``, ``backup`` and ``restore`` are in
`db_admin`.
"""

from __future__ import annotations

import click

from ektp.entrypoints.cli import db_admin, db_checks
from ektp.entrypoints.cli.output import emit
from ektp.entrypoints.cli.session import session


@click.group()
def db() -> None:
    """Create, check, verify, upgrade, back up and restore the office database."""


@db.command()
@click.option("--office", "office_code", metavar="CODE",
              help="The office code, e.g. 35.17 (written to the configuration).")
@click.option("--office-name", metavar="NAME", help="The office's name, for manifest sheets.")
@click.option("--regency", metavar="CODE", help="The regency the office serves, e.g. 35.17.")
@click.option("--language", metavar="LANG", help="Language of messages: en or id.")
@click.option("--config-group", metavar="GROUP",
              help="Let this group read the configuration file it writes (mode 0640, not 0600).")
def init(office_code: str | None, office_name: str | None, regency: str | None,
         language: str | None, config_group: str | None) -> None:
    """Create the office database (the one command that does), or add what is missing
    to it, then fill the read models; write the office configuration if there is none.

    The database is --db, else EKTP_DATABASE_URL, else the configuration's, else
    ektp.db in the current folder. Safe to run again: it only adds what is missing.
    """
    s = session()
    s.writes_config = True
    s.flags.update({"office.code": office_code, "office.name": office_name,
                    "office.regency": regency, "office.language": language})
    db_admin.initialise(s, config_group)


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


db.add_command(db_checks.check)
db.add_command(db_admin.upgrade)
db.add_command(db_admin.backup)
db.add_command(db_admin.restore)
