"""``ektp demo``: the Jombang launch scenario on a fresh SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

# The demo's records are made up; when no audit key is configured, its journal uses this
# published one (printed in the summary), never to be used for an office's records.
DEMO_AUDIT_KEY = bytes.fromhex("d3e0" * 16)

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import emit, number
from ektp.entrypoints.cli.session import session


@click.command(cls=translated.Command)
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("ektp-demo.db"), show_default=True, help="The SQLite file to create.")
@click.option("--replace", is_flag=True,
              help="Replace the file if it holds an earlier demo (any other file is left alone).")
def demo(path: Path, replace: bool) -> None:
    """Run the Jombang launch scenario (Nov 2017) on a fresh SQLite file and summarise it."""
    from ektp.adapters.clocks import ScriptedClock
    from ektp.entrypoints.composition import open_office
    from ektp.entrypoints.demo_scenario import DemoCounter, run_scenario

    from ektp.domain.errors import InvalidText

    if not path.name:
        raise InvalidText(field="--file", reason=_("it names no file"))
    if path.exists():
        if not replace:
            raise InvalidText(field="--file", reason=_("{path} already exists; use --replace or another --file").format(path=path))
        if not _is_demo_database(path):
            raise InvalidText(field="--file", reason=(
                _("{path} is not a database the demo made; --replace deletes only those").format(path=path)))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    from ektp.adapters.audit.key import audit_key

    key = audit_key()
    clock = ScriptedClock(dt.datetime(2017, 11, 6, tzinfo=dt.timezone.utc))
    # The demo's records are made up: stored plain even where the office has a cipher key,
    # so that --replace can tell a demo database from an office's.
    counter = DemoCounter()
    with open_office(f"sqlite:///{path}", clock=clock, audit_key=key or DEMO_AUDIT_KEY,
                     identity=counter, cipher_key=None) as office:
        summary = run_scenario(office, clock)
    s = session()
    lines = [_("Jombang launch scenario recorded in {path}:").format(path=path)]
    lines += [f"  {_(SUMMARY_WORDS.get(name, name.replace('_', ' ')))}: {_shown(value)}"
              for name, value in summary.items() if name != "by_status"]
    lines += [_("  cards by status: ") + ", ".join(f"{k} {v}" for k, v in summary["by_status"].items())]  # type: ignore[attr-defined]
    lines += [_("You ({host}) are its head of office: try "
              "{this_command} --db sqlite:///{path} card list, or staff list").format(host=counter.host, this_command=_this_command(), path=path)]
    if key is None:
        lines += [_("(journalled with the demo's audit key; to write to this file: "
                  "export EKTP_AUDIT_KEY={hex})").format(hex=DEMO_AUDIT_KEY.hex())]
    emit(s.as_json, {"file": str(path), "demo_audit_key": key is None, **summary}, "\n".join(lines))


#: The summary's lines as people read them (the keys stay in --json).
SUMMARY_WORDS = {
    "requests": N_("requests"), "cards": N_("cards"), "blanks_used": N_("blanks used"),
    "blanks_spoiled": N_("blanks spoiled"), "handed_over_to_owner": N_("handed over to the owner"),
    "handed_over_to_proxy": N_("handed over to a proxy"), "failed_attempts": N_("failed attempts"),
    "returned": N_("returned"), "manifests": N_("manifests"),
    "manifests_closed": N_("manifests closed"), "cards_dispatched": N_("cards dispatched"),
    "first_attempt_success_rate": N_("first attempt success rate"),
    "blanks_received": N_("blanks received"), "blanks_in_stock": N_("blanks in stock"),
    "blank_conservation_holds": N_("blank conservation holds"),
    "staff_enrolled": N_("staff enrolled"),
}


def _shown(value: object) -> str:
    """A summary value for people: yes/no for a truth, the number as the language writes it."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return number(value)
    return str(value)


def _is_demo_database(path: Path) -> bool:
    """Whether `path` is an SQLite file whose history starts with the demo's first request
    (so that --replace can never delete an office's real records)."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            row = connection.execute(
                "SELECT topic, state FROM stored_events WHERE topic = ? ORDER BY rowid LIMIT 1",
                ("ektp.domain.card.events:Requested",)).fetchone()
    except sqlite3.Error:
        return False
    if row is None:
        return False
    topic, state = row[0], bytes(row[1])
    return (topic == "ektp.domain.card.events:Requested" and b'"op.wulan"' in state
            and b'"timestamp":"2017-11-06T08:00' in state)


def _this_command() -> str:
    """How to run ektp again from here: ``ektp`` when that is this program on PATH,
    else the path it was started by (``.venv/bin/ektp`` from ./scripts/demo)."""
    import os
    import shutil
    import sys

    started = sys.argv[0] if sys.argv else ""
    if os.path.basename(started) != "ektp":
        return "ektp"
    on_path = shutil.which("ektp")
    if on_path and os.path.realpath(on_path) == os.path.realpath(started):
        return "ektp"
    shown = os.path.relpath(started) if not started.startswith("..") else started
    return shown if "/" in shown else f"./{shown}"
