"""``ektp audit ...``: export the history for auditors, and check, replay and
reconcile an export without the database (docs/audit-format.md)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from ektp.entrypoints.cli.output import emit
from ektp.entrypoints.cli.session import session

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from ektp.application.audit.lines import AuditLine
    from ektp.application.audit.manifest import Manifest

EXPORT_DIR = click.argument("folder", metavar="DIR",
                            type=click.Path(exists=True, file_okay=False))
AS_OF = click.option("--as-of", metavar="TIME",
                     help="Only events up to this moment (ISO 8601; UTC when no offset is given).")


@click.group()
def audit() -> None:
    """Export the history as a verifiable ektp-audit/1 folder; verify, replay and
    reconcile such a folder offline. Exit code 6 means it does not check out."""


@audit.command()
@click.option("--out", "out", required=True, metavar="DIR", type=click.Path(file_okay=False),
              help="Folder to write events.jsonl and manifest.json into (must not hold an export).")
@click.option("--continue", "previous", metavar="PREVIOUS_DIR",
              type=click.Path(exists=True, file_okay=False),
              help="Export only what came after this earlier export, chained to it.")
@click.option("--sign-key", metavar="PEM", type=click.Path(dir_okay=False),
              help="Ed25519 private key (PEM) to sign the manifest with (writes manifest.sig).")
@click.option("--reveal-personal-data", is_flag=True,
              help="Write NIKs and names in full (head of office only).")
@click.option("--upto", type=click.IntRange(min=1), metavar="SEQ",
              help="Stop at this store position (to re-export a range exactly).")
def export(out: str, previous: str | None, sign_key: str | None, reveal_personal_data: bool,
           upto: int | None) -> None:
    """Write the office's history (cards, blank stock, manifests) for auditors.

    NIKs become masked pseudonyms keyed by the office's audit key (EKTP_AUDIT_KEY
    or EKTP_AUDIT_KEY_FILE) and names become initials, unless --reveal-personal-data.
    """
    from ektp.adapters.audit.files import DirectorySink, DirectorySource
    from ektp.adapters.audit.key import audit_key
    from ektp.adapters.audit.ed25519 import Ed25519Signer

    s = session()
    actor = s.actor()
    key = None if reveal_personal_data else audit_key()
    signer = Ed25519Signer.from_pem(sign_key) if sign_key else None
    office = s.office(must_exist=True)
    sink = DirectorySink(out)
    with _progress(office.last_position(), "exporting") as progress:
        manifest = office.audit.export_audit(
            actor, sink, audit_key=key, reveal_personal_data=reveal_personal_data,
            previous=DirectorySource(previous) if previous else None, upto=upto,
            signer=signer, progress=progress)
    signed = "signed" if signer else "not signed"
    emit(s.as_json, {"folder": out, "signed": bool(signer), **manifest.as_dict()},
         f"exported {manifest.count} events (seq {manifest.first_seq}..{manifest.last_seq}) to "
         f"{out}; personal data {manifest.personal_data}; {signed}\nend_hash {manifest.end_hash}")


@audit.command()
@click.option("--private", "private_path", required=True, metavar="PEM",
              type=click.Path(dir_okay=False), help="Where to write the private key (kept secret).")
@click.option("--public", "public_path", required=True, metavar="PEM",
              type=click.Path(dir_okay=False), help="Where to write the public key (for auditors).")
def keygen(private_path: str, public_path: str) -> None:
    """Make an Ed25519 key pair for signing exports (never overwrites a file)."""
    from ektp.adapters.audit.ed25519 import generate_key_pair

    generate_key_pair(private_path, public_path)
    emit(session().as_json, {"private": private_path, "public": public_path},
         f"private key: {private_path} (keep it secret)\npublic key: {public_path} (give it to auditors)")


@audit.command()
@EXPORT_DIR
@click.option("--public-key", metavar="PEM", type=click.Path(dir_okay=False),
              help="Check manifest.sig with this Ed25519 public key (PEM).")
@click.option("--against", "older", metavar="OLDER_DIR", type=click.Path(exists=True, file_okay=False),
              help="An older export this one must contain unchanged, or continue.")
@click.option("--host-login", "host_logins", metavar="LOGIN", multiple=True,
              help="A host program's login that records events for the staff it authenticates "
                   "itself (repeatable): its lines may have another actor.")
def verify(folder: str, public_key: str | None, older: str | None,
           host_logins: tuple[str, ...]) -> None:
    """Check an export: every line's hash and link, order, versions, manifest and signature,
    and that each event's actor is the login that inserted it into the store."""
    from ektp.adapters.audit.files import DirectorySource
    from ektp.adapters.audit.ed25519 import Ed25519Checker
    from ektp.adapters.audit.spilling_versions import SpillingStreamVersions
    from ektp.application.audit.verify import verify_export

    source = DirectorySource(folder)
    checker = Ed25519Checker.from_pem(public_key) if public_key else None
    versions = SpillingStreamVersions()
    try:
        with _progress(source.size(), "verifying") as progress:
            report = verify_export(source, versions, public_key=checker,
                                   older=DirectorySource(older) if older else None, progress=progress,
                                   host_logins=frozenset(host_logins))
    finally:
        versions.close()
    m = report.manifest
    lines = [f"OK: {folder} checks out ({m.format})",
             f"  events     {m.count} (seq {m.first_seq}..{m.last_seq}), office {m.office}",
             f"  chain      {m.start_hash[:16]}... -> {m.end_hash}",
             f"  personal   {m.personal_data}",
             f"  signature  {report.signature}",
             f"  actors     {_signers(report.unsigned, report.by_host, m.count)}"]
    if report.against:
        lines.append(f"  against    {older}: {report.against}")
    emit(session().as_json, {"ok": True, "signature": report.signature, "against": report.against,
                             "unsigned": report.unsigned, "by_host": report.by_host,
                             "manifest": m.as_dict()}, "\n".join(lines))


def _signers(unsigned: int, by_host: int, count: int) -> str:
    """How the actors checked out against the inserting logins, in words."""
    checked = count - unsigned - by_host
    parts = [f"{checked} inserted by their own login"]
    if by_host:
        parts.append(f"{by_host} by a host program (--host-login)")
    if unsigned:
        parts.append(f"{unsigned} without a recorded inserting login (not checked)")
    return ", ".join(parts)


@audit.command()
@EXPORT_DIR
@click.argument("card", metavar="CARD")
@AS_OF
def replay(folder: str, card: str, as_of: str | None) -> None:
    """A card's state and history as they stood at --as-of, from the export alone."""
    from uuid import UUID

    from ektp.application.audit.replay import card_events, replay_card
    from ektp.application.errors import InvalidCardReference
    from ektp.domain.errors import CardNotFound
    from ektp.entrypoints.cli.audit_output import replay_data, replay_text

    try:
        card_id = str(UUID(card.strip()))
    except ValueError:
        from ektp.domain.masking import mask_digits
        from ektp.domain.nik import strip_separators

        digits = strip_separators(card)
        shown = mask_digits(digits) if digits.isdigit() else card[:40]
        raise InvalidCardReference(ref=shown) from None
    moment = _parse_time(as_of)
    with _checked_lines(folder) as (manifest, lines):
        events = card_events(lines, card_id, manifest.office, moment)
    state = replay_card(events)
    if state is None:
        when = f" up to {as_of}" if as_of else ""
        raise CardNotFound(ref=f"card {card_id} in {folder}{when}")
    emit(session().as_json, replay_data(state, events), replay_text(state, events))


@audit.command()
@EXPORT_DIR
@AS_OF
@click.option("--destruction-deadline-days", type=click.IntRange(min=0), default=30, show_default=True,
              help="Days within which a spoiled blank must be destroyed.")
def reconcile(folder: str, as_of: str | None, destruction_deadline_days: int) -> None:
    """Reconcile an export: blanks, prints, dispatches, hand-overs, manifests (exit 0 only when clean)."""
    from ektp.application.audit.checks import all_checks
    from ektp.application.audit.reconcile import ReconcilePolicy
    from ektp.application.audit.reconcile import reconcile as run_checks
    from ektp.application.errors import ReconcileProblems
    from ektp.entrypoints.cli.audit_output import reconcile_data, reconcile_text

    moment = _parse_time(as_of)
    checks = all_checks(ReconcilePolicy(destruction_deadline_days=destruction_deadline_days))
    with _checked_lines(folder) as (manifest, lines):
        from ektp.application.audit.canonical import parse_time

        now = moment or parse_time(manifest.created) or dt.datetime.now(dt.timezone.utc)
        upto = (line for line in lines if moment is None or line.time <= moment)
        results = run_checks(upto, checks, now)
    emit(session().as_json, reconcile_data(results, now), reconcile_text(results, now))
    failing = [r for r in results if r.status == "problems"]
    if failing:
        raise ReconcileProblems(count=sum(len(r.findings) for r in failing),
                                checks=", ".join(r.name for r in failing))


@audit.command()
@EXPORT_DIR
@click.option("--csv", "as_csv", is_flag=True, help="CSV on standard output, for spreadsheets.")
def cards(folder: str, as_csv: bool) -> None:
    """One row per card with the time of each milestone (UTC)."""
    from ektp.application.audit.milestones import COLUMNS, card_rows
    from ektp.entrypoints.cli.audit_output import write_csv

    with _checked_lines(folder) as (_, lines):
        rows = [row.cells() for row in card_rows(lines)]
    if as_csv:
        write_csv(COLUMNS, rows)
        return
    from ektp.entrypoints.cli.output import table

    emit(session().as_json, [dict(zip(COLUMNS, r, strict=True)) for r in rows],
         table(["card", "status", "requested", "printed", "handed_over"],
               [(r[0], r[1], r[4], r[7], r[9]) for r in rows]) if rows else "no cards.")


def _parse_time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    from ektp.application.errors import InvalidAuditTime

    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidAuditTime(value=text[:40]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


class _checked_lines:
    """``with _checked_lines(DIR) as (manifest, lines)``: the export's checked lines,
    read once, with bounded memory for the version map."""

    def __init__(self, folder: str) -> None:
        from ektp.adapters.audit.files import DirectorySource
        from ektp.adapters.audit.spilling_versions import SpillingStreamVersions

        self._source = DirectorySource(folder)
        self._versions = SpillingStreamVersions()

    def __enter__(self) -> tuple[Manifest, Iterator[AuditLine]]:
        from ektp.application.audit.manifest import parse_manifest
        from ektp.application.audit.reading import read_lines

        manifest = parse_manifest(self._source.manifest())
        return manifest, read_lines(self._source, manifest, self._versions)

    def __exit__(self, *exc_info: object) -> None:
        self._versions.close()


class _progress:
    """A progress bar on stderr for long runs, only when stderr is a terminal."""

    THRESHOLD = 200_000  # positions or bytes below which no bar is worth showing

    def __init__(self, total: int, label: str) -> None:
        import sys

        self._bar = None
        self._done = 0
        if total >= self.THRESHOLD and sys.stderr.isatty():
            self._bar = click.progressbar(length=total, label=label, file=sys.stderr)

    def __enter__(self) -> Callable[[int], None] | None:
        if self._bar is None:
            return None
        self._bar.__enter__()
        return self._update

    def _update(self, position: int) -> None:
        assert self._bar is not None
        self._bar.update(position - self._done)
        self._done = position

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
