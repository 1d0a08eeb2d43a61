"""``ektp db ...``: create, check, upgrade, back up and restore the office database.

``init`` is the one command that creates a database (and writes the office
configuration when there is none); ``check`` reports (`db_checks`); ``upgrade``,
``backup`` and ``restore`` are in `db_admin`.
"""

from __future__ import annotations

import click

from ektp.entrypoints.cli import db_admin, db_checks
from ektp.entrypoints.cli.session import session


@click.group()
def db() -> None:
    """Create, check, upgrade, back up and restore the office database."""


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


db.add_command(db_checks.check)
db.add_command(db_admin.upgrade)
db.add_command(db_admin.backup)
db.add_command(db_admin.restore)
