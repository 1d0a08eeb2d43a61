"""``ektp audit ...``: export the history for auditors, and check, replay and
reconcile an export without the database (docs/audit-format.md)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from ektp.application.kernel.i18n import N_, _, say
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import counted, emit
from ektp.entrypoints.cli.session import session

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from ektp.application.audit.lines import AuditLine
    from ektp.application.audit.manifest import Manifest
    from ektp.application.audit.note import SignedCheckpoint

EXPORT_DIR = click.argument("folder", metavar="DIR",
                            type=click.Path(exists=True, file_okay=False))
AS_OF = click.option("--as-of", metavar="TIME",
                     help="Only events up to this moment (ISO 8601; UTC when no offset is given).")


@click.group(cls=translated.Group)
def audit() -> None:
    """Export the history as a verifiable ektp-audit/2 folder; verify, replay and
    reconcile such a folder offline; sign checkpoints of the journal, prove their
    consistency, witness them, and prove a card's events to a third party.
    Exit code 6 means it does not check out, 7 integrity only (no public key)."""


@audit.command()
@click.option("--out", "out", required=True, metavar="DIR", type=click.Path(file_okay=False),
              help="A new folder to write events.jsonl and manifest.json into (made 0700), "
                   "or an empty one of yours.")
@click.option("--continue", "previous", metavar="PREVIOUS_DIR",
              type=click.Path(exists=True, file_okay=False),
              help="Export only what came after this earlier export, chained to it.")
@click.option("--sign-key", metavar="PEM", type=click.Path(dir_okay=False),
              help="Ed25519 private key (PEM) to sign the manifest with (writes manifest.sig).")
@click.option("--reveal-personal-data", is_flag=True,
              help="Write NIKs and names in full (head of office only).")
@click.option("--upto", type=click.IntRange(min=1, max=2**63 - 1), metavar="SEQ",
              help="Stop at this store position (to re-export a range exactly).")
@click.option("--purpose", help="Why personal data is revealed (required with "
              "--reveal-personal-data; recorded in the access log).")
def export(out: str, previous: str | None, sign_key: str | None, reveal_personal_data: bool,
           upto: int | None, purpose: str | None) -> None:
    """Write the office's history (cards, blank stock, manifests) for auditors.

    NIKs become masked pseudonyms keyed by the office's audit key (EKTP_AUDIT_KEY
    or EKTP_AUDIT_KEY_FILE) and names become initials, unless --reveal-personal-data.
    """
    from ektp.adapters.audit.files import DirectorySink, DirectorySource
    from ektp.adapters.audit.key import audit_key
    from ektp.adapters.audit.ed25519 import Ed25519Signer

    s = session()
    actor = s.actor()
    if reveal_personal_data:  # refused before the folder is made
        from ektp.application.personal_data.record import parse_purpose

        parse_purpose(purpose, "audit export --reveal-personal-data", required=True)
    key = None if reveal_personal_data else audit_key()
    signer = Ed25519Signer.from_pem(sign_key) if sign_key else None
    office = s.office(must_exist=True)
    sink = DirectorySink(out)
    with _progress(office.last_position(), "exporting") as progress:
        manifest = office.audit.export_audit(
            actor, sink, audit_key=key, reveal_personal_data=reveal_personal_data,
            previous=DirectorySource(previous) if previous else None, upto=upto,
            signer=signer, progress=progress, purpose=purpose)
    signed = _("signed") if signer else _("not signed")
    emit(s.as_json, {"folder": out, "signed": bool(signer), **manifest.as_dict()},
         _("exported {count} (seq {first_seq}..{last_seq}) to "
         "{out}; personal data {personal_data}; {signed}\nend_hash {end_hash}").format(count=counted(manifest.count, "{n} event", "{n} events"), first_seq=manifest.first_seq, last_seq=manifest.last_seq, out=out, personal_data=manifest.personal_data, signed=signed, end_hash=manifest.end_hash))


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
         _("private key: {private_path} (keep it secret)\npublic key: {public_path} (give it to auditors)").format(private_path=private_path, public_path=public_path))


@audit.command()
@EXPORT_DIR
@click.option("--public-key", metavar="PEM", type=click.Path(dir_okay=False),
              help="Check manifest.sig (and any checkpoint's signature) with the office's Ed25519 "
                   "public key (PEM). Without it the result is integrity only (exit 7).")
@click.option("--against", "older", metavar="OLDER_DIR", type=click.Path(exists=True, file_okay=False),
              help="An older export this one must contain unchanged, or continue (its signature "
                   "is checked too).")
@click.option("--checkpoint", "checkpoint_files", metavar="FILE", multiple=True,
              type=click.Path(dir_okay=False),
              help="A checkpoint you hold (repeatable): the export must make its tree at that size.")
@click.option("--host-login", "host_logins", metavar="LOGIN", multiple=True,
              help="A host program's login that records events for the staff it authenticates "
                   "itself (repeatable): its lines may have another actor.")
def verify(folder: str, public_key: str | None, older: str | None,
           checkpoint_files: tuple[str, ...], host_logins: tuple[str, ...]) -> None:
    """Check an export: every line's hash, link and leaf, order, versions, the tree's
    root, the manifest, signatures and checkpoints held, and that each event's actor
    is the login that inserted it into the store.

    Exit 0 verified; 7 integrity only (no --public-key, or nothing signed); 6 it does
    not check out.
    """
    from ektp.adapters.audit.files import DirectorySource
    from ektp.adapters.audit.ed25519 import Ed25519Checker
    from ektp.adapters.audit.spilling_versions import SpillingStreamVersions
    from ektp.application.audit.verify import INTEGRITY_ONLY_TEXT, verify_export
    from ektp.entrypoints.cli import exit_codes

    source = DirectorySource(folder)
    checker = Ed25519Checker.from_pem(public_key) if public_key else None
    held = [_read_checkpoint_file(path) for path in checkpoint_files]
    versions = SpillingStreamVersions()
    try:
        with _progress(source.size(), "verifying") as progress:
            report = verify_export(source, versions, public_key=checker,
                                   older=DirectorySource(older) if older else None,
                                   checkpoints=held, progress=progress,
                                   host_logins=frozenset(host_logins))
    finally:
        versions.close()
    m = report.manifest
    if report.authentic:
        lines = [_("OK: {folder} checks out ({format})").format(folder=folder, format=m.format)]
    else:
        why = _("no --public-key") if checker is None else _("it is not signed")
        lines = [_("INTEGRITY ONLY: {folder} checks out ({format}), but authenticity is not "
                 "established ({why}): {INTEGRITY_ONLY_TEXT}").format(folder=folder, format=m.format, why=why, INTEGRITY_ONLY_TEXT=_(INTEGRITY_ONLY_TEXT))]
    lines += [_("  events     {count} (seq {first_seq}..{last_seq}), office {office}").format(count=m.count, first_seq=m.first_seq, last_seq=m.last_seq, office=m.office),
              _("  chain      {start_hash}... -> {end_hash}").format(start_hash=m.start_hash[:16], end_hash=m.end_hash),
              _("  personal   {personal_data}").format(personal_data=m.personal_data),
              _("  signature  {signature}").format(signature=say(report.signature)),
              _("  actors     {unsigned}").format(unsigned=_signers(report.unsigned, report.by_host, m.count))]
    if m.is_v2:
        lines.insert(3, _("  tree       leaves {start_size}..{value}, root {root} "
                        "({root2})").format(start_size=m.start_size, value=(m.tree_size or 1) - 1, root=m.root, root2=say(report.root)))
    if report.against:
        lines.append(_("  against    {older}: {against} (its signature: {older_signature})").format(older=older, against=say(report.against), older_signature=say(report.older_signature or "")))
    for point in report.checkpoints:
        lines.append(_("  checkpoint size {size}: {relation}; signature {signature}").format(size=point.size, relation=say(point.relation), signature=say(point.signature)))
    emit(session().as_json, {
        "ok": True, "outcome": report.outcome, "authentic": report.authentic,
        "integrity_only": not report.authentic, "signature": report.signature,
        "against": report.against, "older_signature": report.older_signature, "root": report.root,
        "unsigned": report.unsigned, "by_host": report.by_host,
        "checkpoints": [{"size": c.size, "root": c.root, "signature": c.signature,
                         "relation": c.relation} for c in report.checkpoints],
        "manifest": m.as_dict()}, "\n".join(lines))
    if not report.authentic:
        raise SystemExit(exit_codes.INTEGRITY_ONLY)


def _signers(unsigned: int, by_host: int, count: int) -> str:
    """How the actors checked out against the inserting logins, in words."""
    checked = count - unsigned - by_host
    parts = [_("{checked} inserted by their own login").format(checked=checked)]
    if by_host:
        parts.append(_("{by_host} by a host program (--host-login)").format(by_host=by_host))
    if unsigned:
        parts.append(_("{unsigned} without a recorded inserting login (not checked)").format(unsigned=unsigned))
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
        when = _(" up to {as_of}").format(as_of=as_of) if as_of else ""
        raise CardNotFound(ref=_("card {card_id} in {folder}{when}").format(card_id=card_id, folder=folder, when=when))
    emit(session().as_json, replay_data(state, events), replay_text(state, events))


@audit.command()
@EXPORT_DIR
@AS_OF
@click.option("--destruction-deadline-days", type=click.IntRange(min=0, max=36500), default=30, show_default=True,
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

    with _checked_lines(folder) as (_export, lines):
        rows = [row.cells() for row in card_rows(lines)]
    if as_csv:
        write_csv(COLUMNS, rows)
        return
    from ektp.entrypoints.cli.output import table

    emit(session().as_json, [dict(zip(COLUMNS, r, strict=True)) for r in rows],
         table([N_("card"), N_("status"), N_("requested"), N_("printed"), N_("handed_over")],
               [(r[0], r[1], r[4], r[7], r[9]) for r in rows]) if rows else _("no cards."))


# --- the journal: checkpoints, consistency, witnesses, proofs -------------------------
SIGN_KEY = click.option("--sign-key", metavar="PEM", type=click.Path(dir_okay=False), required=True,
                        envvar="EKTP_SIGN_KEY_FILE",
                        help="The office's Ed25519 private key (PEM), or EKTP_SIGN_KEY_FILE.")


@audit.command()
@SIGN_KEY
@click.option("--out", "out", metavar="FILE", type=click.Path(dir_okay=False),
              help="Also write the checkpoint to this file (it must not exist).")
def checkpoint(sign_key: str, out: str | None) -> None:
    """Sign a checkpoint of the journal as it is now (C2SP tlog-checkpoint), keep it in
    the database and print it. Hand one out every working day."""
    from ektp.adapters.audit.ed25519 import Ed25519Signer

    s = session()
    actor = s.actor()
    signer = Ed25519Signer.from_pem(sign_key)
    office = s.office(must_exist=True)
    signed, new = office.audit.checkpoint(actor, signer)
    text = signed.render()
    if out:
        _write_new(out, text)
    point = signed.checkpoint
    emit(s.as_json, {"origin": point.origin, "size": point.size, "root": point.root.hex(),
                     "new": new, "file": out, "checkpoint": text}, text.rstrip("\n"))


@audit.command()
@click.option("--from", "old", metavar="OLD_CHECKPOINT", required=True, type=click.Path(dir_okay=False),
              help="The checkpoint the other side holds.")
@click.option("--to", "new", metavar="NEW_CHECKPOINT", type=click.Path(dir_okay=False),
              help="The checkpoint to prove it grew into (default: the newest one kept).")
@click.option("--out", "out", metavar="PROOF", required=True, type=click.Path(dir_okay=False),
              help="Where to write the proof (it must not exist).")
def consistency(old: str, new: str | None, out: str) -> None:
    """Write the proof that the newer checkpoint's tree extends the older one's
    (the body of a C2SP tlog-witness add-checkpoint request)."""
    s = session()
    office = s.office(must_exist=True)
    proof = office.audit.consistency(_read_checkpoint_file(old),
                                     _read_checkpoint_file(new) if new else None)
    _write_new(out, proof.render())
    emit(s.as_json, {"file": out, "old": proof.old, "new": proof.new.checkpoint.size,
                     "hashes": len(proof.hashes)},
         _("consistency proof {old} -> {size} leaves "
         "({count}) written to {out}").format(old=proof.old, size=proof.new.checkpoint.size, count=counted(len(proof.hashes), "{n} hash", "{n} hashes"), out=out))


@audit.command()
@click.argument("proof_file", metavar="PROOF", type=click.Path(dir_okay=False))
@click.option("--held", "held", metavar="OLD", required=True, type=click.Path(dir_okay=False),
              help="The checkpoint this witness holds (it checked it before).")
@click.option("--new", "new", metavar="NEW", required=True, type=click.Path(dir_okay=False),
              help="The new checkpoint to cosign.")
@click.option("--key", "key", metavar="WITNESS_KEY", required=True, type=click.Path(dir_okay=False),
              help="The witness's Ed25519 private key (PEM; ektp audit keygen makes one).")
@click.option("--name", "name", metavar="NAME", default="ektp-witness", show_default=True,
              help="The witness's key name in its cosignature line (no spaces, no '+').")
@click.option("--public-key", metavar="PEM", type=click.Path(dir_okay=False),
              help="The office's public key: check its signature on both checkpoints too.")
@click.option("--out", "out", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the cosigned checkpoint here (it must not exist); else print it.")
def witness(proof_file: str, held: str, new: str, key: str, name: str, public_key: str | None,
            out: str | None) -> None:
    """As a witness: check that NEW extends the checkpoint held, by PROOF, and cosign NEW
    (C2SP tlog-cosignature v1). No database is needed. Keep the result as the new held."""
    import time

    from ektp.adapters.audit.ed25519 import Ed25519Checker, Ed25519Signer
    from ektp.application.audit.checkpoints import parse_consistency, witness as cosign_new

    proof = parse_consistency(_read_small(proof_file), where=proof_file)
    done = cosign_new(proof, _read_checkpoint_file(held), _read_checkpoint_file(new), name=name,
                      key=Ed25519Signer.from_pem(key), timestamp=int(time.time()),
                      office_key=Ed25519Checker.from_pem(public_key) if public_key else None)
    text = done.cosigned.render()
    if out:
        _write_new(out, text)
    point = done.cosigned.checkpoint
    s = session()
    if s.as_json:
        emit(True, {"origin": point.origin, "size": point.size, "relation": done.relation,
                    "office_signatures": done.office_signatures, "file": out, "checkpoint": text}, "")
    elif out:
        click.echo(_("cosigned: {origin} at {size} leaves {relation}; office "
                   "signatures {office_signatures}; written to {out}").format(origin=point.origin, size=point.size, relation=say(done.relation), office_signatures=say(done.office_signatures), out=out))
    else:
        click.echo(text, nl=False)


@audit.command()
@click.argument("card", metavar="CARD")
@click.option("--checkpoint", "checkpoint_file", metavar="FILE", required=True,
              type=click.Path(dir_okay=False), help="The signed checkpoint to prove the events in.")
@click.option("--out", "out", metavar="BUNDLE", required=True, type=click.Path(dir_okay=False),
              help="Where to write the bundle (it must not exist).")
def prove(card: str, checkpoint_file: str, out: str) -> None:
    """Write a card's events (pseudonymised) with their inclusion proofs, for a third party
    who holds the checkpoint: nothing of any other card but proof hashes."""
    from ektp.adapters.audit.key import audit_key

    s = session()
    actor = s.actor()
    office = s.office(must_exist=True)
    bundle = office.audit.prove_card(actor, card, _read_checkpoint_file(checkpoint_file),
                                     audit_key=audit_key())
    _write_new(out, bundle.decode("utf-8"))
    import json

    obj = json.loads(bundle)
    longest = max(len(e["proof"]) for e in obj["events"])
    emit(s.as_json, {"file": out, "card": obj["card"], "events": len(obj["events"]),
                     "tree_size": obj["tree_size"], "longest_proof": longest},
         _("{count} of card {card} proved in the tree of "
         "{count2} (at most {longest}, "
         "{value} bytes, each); "
         "written to {out}").format(count=counted(len(obj['events']), "{n} event", "{n} events"), card=obj['card'], count2=counted(obj['tree_size'], "{n} leaf", "{n} leaves"), longest=counted(longest, "{n} hash", "{n} hashes"), value=32 * longest, out=out))


@audit.command("verify-proof")
@click.argument("bundle", metavar="BUNDLE", type=click.Path(dir_okay=False))
@click.option("--checkpoint", "checkpoint_file", metavar="FILE", required=True,
              type=click.Path(dir_okay=False), help="The signed checkpoint the bundle was made for.")
@click.option("--public-key", metavar="PEM", type=click.Path(dir_okay=False),
              help="The office's Ed25519 public key: check the checkpoint's signature (without "
                   "it: integrity only, exit 7).")
@click.option("--witness", "witnesses", metavar="NAME=PEM", multiple=True,
              help="A witness whose cosignature the checkpoint must carry (repeatable).")
def verify_proof(bundle: str, checkpoint_file: str, public_key: str | None,
                 witnesses: tuple[str, ...]) -> None:
    """Check a card's bundle offline: every event's inclusion proof against the checkpoint.

    Exit 0 proved; 7 integrity only (no --public-key); 6 it does not check out.
    """
    from ektp.adapters.audit.ed25519 import Ed25519Checker
    from ektp.application.audit.proofs import verify_bundle
    from ektp.entrypoints.cli import exit_codes

    pairs = []
    for item in witnesses:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(_("give a witness as NAME=PEM"), param_hint="--witness")
        pairs.append((name, Ed25519Checker.from_pem(path)))
    report = verify_bundle(_read_small(bundle, limit=1 << 24), _read_checkpoint_file(checkpoint_file),
                           Ed25519Checker.from_pem(public_key) if public_key else None, pairs)
    events = counted(len(report.events), "{n} event", "{n} events")
    are = "is" if len(report.events) == 1 else "are"
    leaves = counted(report.tree_size, "{n} leaf", "{n} leaves")
    head = (_("OK: {events} of card {card} {are} in the tree of {leaves}").format(events=events, card=report.card, are=are, leaves=leaves)
            if report.authentic else
            _("INTEGRITY ONLY: {events} of card {card} {are} in the tree of "
            "{leaves}, but the checkpoint's signature was not checked (no "
            "--public-key): authenticity not established").format(events=events, card=report.card, are=are, leaves=leaves))
    lines = [head] + [_("  leaf {index:>8}  v{version:<3} {type:<24} "
                      "{time}  ({proof_hashes} proof hashes)").format(index=e.index, version=e.line['version'], type=e.line['type'], time=e.line['time'], proof_hashes=e.proof_hashes) for e in report.events]
    if report.witnesses:
        lines.append(_("  witnessed by ") + ", ".join(report.witnesses))
    emit(session().as_json, {"ok": True, "outcome": "verified" if report.authentic else "integrity-only",
                             "authentic": report.authentic, "card": report.card,
                             "tree_size": report.tree_size, "signature": report.signature,
                             "witnesses": list(report.witnesses),
                             "events": [{"index": e.index, "proof_hashes": e.proof_hashes, **e.line}
                                        for e in report.events]}, "\n".join(lines))
    if not report.authentic:
        raise SystemExit(exit_codes.INTEGRITY_ONLY)


def _read_small(path: str, limit: int = 1 << 16) -> bytes:
    """A small file's bytes (a checkpoint, a proof); a missing one is bad input."""
    from ektp.application.errors import InvalidCheckpoint

    try:
        with open(path, "rb") as file:
            data = file.read(limit + 1)
    except OSError as error:
        raise InvalidCheckpoint(where=path, reason=error.strerror or _("it cannot be read")) from None
    if len(data) > limit:
        raise InvalidCheckpoint(where=path, reason=_("it is far too large"))
    return data


def _read_checkpoint_file(path: str) -> SignedCheckpoint:
    from ektp.application.audit.checkpoints import read_checkpoint

    return read_checkpoint(_read_small(path), path)


def _write_new(path: str, text: str) -> None:
    """Write a new file (never over an existing one, never through a symbolic link,
    private: `ektp.adapters.files`)."""
    from ektp.adapters.files import write_file
    from ektp.application.errors import AuditFilesUnavailable, FileRefused

    try:
        write_file(path, text.encode("utf-8"), protected=_office_files())
    except FileRefused as refused:  # the audit commands' file errors keep their exit code, 5
        raise AuditFilesUnavailable(**refused.facts) from None


def _office_files() -> list[str]:
    """The office database's files, when it is an SQLite file: never written over."""
    from ektp.adapters.files import protected_paths

    try:
        url = session().database()
    except Exception:  # no database configured (a witness needs none): nothing to guard
        return []
    return protected_paths(url.path) if url.kind == "sqlite" else []


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
