"""``ektp db ...``: create, check, verify, upgrade, back up and restore the office database.

``init`` is the one command that creates a database (and writes the office
configuration when there is none, protects the event tables and founds the
staff register with its first head); ``check`` reports (`db_checks`);
``verify`` recomputes the journal (issue 13); ``upgrade``, ``backup`` and
``restore`` are in `db_admin`.

Who may run them (docs/operations.md, "Who runs the administrator's commands"):
they work on the database itself, not through the staff register (an upgrade
or a restore must work on a database that has no register yet), so they are
the database owner's: ``upgrade``, ``backup`` and ``restore`` refuse anyone
but the OS user owning the SQLite file (or root) and the login owning the
PostgreSQL tables (or a superuser); ``init`` creates a database for whoever
runs it, and on an existing one sets the protections only as its owner. The
staff-changing part of ``init`` (``--head``) works only while the register is
empty; after that only a head changes it (``ektp staff``). ``verify`` and
``check`` read; ``verify`` passes the door like every staff command.
"""

from __future__ import annotations

import os

import click

from ektp.application.kernel.i18n import _, say
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli import db_admin, db_checks
from ektp.entrypoints.cli.output import emit
from ektp.entrypoints.cli.session import session


@click.group(cls=translated.Group)
def db() -> None:
    """Create, check, verify, upgrade, back up and restore the office database."""


@db.command()
@click.option("--office", "office_code", metavar="CODE",
              help="The office code, e.g. 35.17 (written to the configuration).")
@click.option("--office-name", metavar="NAME", help="The office's name, for manifest sheets.")
@click.option("--regency", metavar="CODE", help="The regency the office serves, e.g. 35.17.")
@click.option("--language", metavar="LANG",
              help="The office's language of messages and help: id (the default for a new "
                   "office) or en; --lang, LANGUAGE or LANG override it for one person.")
@click.option("--config-group", metavar="GROUP",
              help="Let this group read the configuration file it writes (mode 0640, not 0600).")
@click.option("--head", metavar="LOGIN",
              help="Found the staff register with LOGIN as its first head of office "
                   "(only while the register is empty).")
@click.option("--name", help="The head of office's name (with --head).")
@click.option("--nip", help="The head of office's NIP (with --head).")
@click.option("--group", metavar="GROUP",
              help="SQLite: the OS group whose members may open the database file (mode "
                   "0660; its folder must be GROUP's, setgid). PostgreSQL: the staff group "
                   "role (default ektp_staff).")
def init(office_code: str | None, office_name: str | None, regency: str | None,
         language: str | None, config_group: str | None, head: str | None, name: str | None,
         nip: str | None, group: str | None) -> None:
    """Create the office database (the one command that does), or add what is missing
    to it, then fill the read models; write the office configuration if there is none;
    with --head, found the staff register with its first head of office.

    The database is --db, else EKTP_DATABASE_URL, else the configuration's, else
    ektp.db in the current folder. On SQLite the file is created readable by its
    owner only (0600), or by GROUP too (0660). On PostgreSQL, run it as the tables'
    owner: the event tables become append-only, each row signed with the login that
    inserted it, and the staff group role gets only the privileges ektp's commands
    need. Safe to run again: it only adds what is missing.
    """
    s = session()
    s.writes_config = True
    s.flags.update({"office.code": office_code, "office.name": office_name,
                    "office.regency": regency,
                    "office.language": _new_office_language(language, s.config_path)})
    db_admin.initialise(s, config_group, head=head, name=name, nip=nip, group=group)


def _new_office_language(language: str | None, config_path: str | None) -> str | None:
    """A new office speaks Indonesian unless told otherwise (--language, EKTP_LANGUAGE).
    Where a configuration exists already, its language stands (one configured before
    issue 15 keeps the English its file says)."""
    from ektp.adapters import office_config

    if language is not None or os.environ.get("EKTP_LANGUAGE", "").strip():
        return language
    path, _how, _explicit = office_config.locate(config_path, os.environ)
    return None if os.path.exists(path) else "id"


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
    built = (_("leaves 0..{value} built by 'ektp db upgrade', from leaf "
             "{built_from} on written with their events").format(value=report.built_from - 1, built_from=report.built_from) if report.built_from
             else _("every leaf written with its event"))
    status = _("OK") if report.authentic else _("INTEGRITY ONLY")
    lines = [_("{status}: {events} stored events each match their journal leaf; the "
             "journal's nodes and head match").format(status=status, events=report.events),
             _("  root        {root}").format(root=report.root),
             _("  journal     {built}").format(built=built)]
    if not report.checkpoints:
        lines.append(_("  checkpoints none to compare with: a journal rewritten to match the store "
                     "cannot be told apart (make one: ektp audit checkpoint)"))
    for point in report.checkpoints:
        lines.append(_("  checkpoint  size {size} ({source}): matches; signature "
                     "{signature}").format(size=point.size, source=say(point.source), signature=say(point.signature)))
    if not report.authentic:
        lines.append(_("  authenticity not established: ") + (
            _("no --public-key") if checker is None else _("no checkpoint to check")))
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
