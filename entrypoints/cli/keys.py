"""``ektp keys``: the office's keys, each in a file of its own and each with one purpose.

``keys init`` makes the cipher key that encrypts every stored event (AES-256-GCM,
`ektp.adapters.cipher_key`); ``keys rotate`` replaces it with a new office key and
re-wraps the data keys under it without rewriting any event
(`ektp.adapters.event_store.keyring`); ``keys list`` shows every configured key by its id and
purpose (the cipher key, the audit key of the journal and exports' pseudonyms and
of the keyed stream ids and blind indexes, the signing key of checkpoints), never the
key itself.
"""

from __future__ import annotations

import os
from typing import Any

import click

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import emit, table
from ektp.entrypoints.cli.session import session


@click.group(cls=translated.Group)
def keys() -> None:
    """The office's keys: make and rotate the cipher key, list every key by id and purpose."""


@keys.command()
@click.option("--cipher-key-file", "path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Where to write the new cipher key (mode 0600; never over an existing "
                   "file). Default: the configuration's [keys] cipher_key_file, or "
                   "EKTP_CIPHER_KEY_FILE.")
def init(path: str | None) -> None:
    """Make the office's cipher key: every event written from now on is stored encrypted
    with it (events written before stay readable). Name the file in the configuration
    ([keys] cipher_key_file) or EKTP_CIPHER_KEY_FILE, and keep a copy apart from the
    backups: without the key, the records cannot be read."""
    from ektp.adapters.cipher_key import new_key_file

    s = session()
    target = path or s.settings().config.keys.cipher_key_file or os.environ.get(
        "EKTP_CIPHER_KEY_FILE", "")
    if not target:
        raise click.UsageError(_("name the key's file: --cipher-key-file FILE (then put it in "
                               "the configuration's [keys] cipher_key_file)"))
    made = new_key_file(target)
    named = os.path.abspath(target) == os.path.abspath(
        s.settings().config.keys.cipher_key_file or os.environ.get("EKTP_CIPHER_KEY_FILE", "") or "/")
    lines = [_("cipher key {id} written to {target} (mode 0600).").format(id=made.id, target=target)]
    if not named:
        lines.append(_("use it: set [keys] cipher_key_file = \"{abspath}\" in the "
                     "configuration (or EKTP_CIPHER_KEY_FILE)").format(abspath=os.path.abspath(target)))
    lines.append(_("keep a copy of it apart from the backups: without it the records cannot be read"))
    emit(s.as_json, {"purpose": "cipher", "id": made.id, "file": target, "configured": named},
         "\n".join(lines))


@keys.command()
def rotate() -> None:
    """Replace the office's cipher key with a new one (head of office only): every data
    key is re-wrapped under the new key in one transaction, no event is rewritten, and
    the events written from now on get a fresh data key. The new key takes the old
    one's file; the old key is kept beside it as FILE.ID.retired, which nothing needs
    any more (keep it only with the backups taken before the rotation)."""
    from ektp.adapters.cipher_key import FILE_VARIABLE, cipher_key, new_key_file
    from ektp.adapters.event_store.keyring import KeyringError, replace_rows

    s = session()
    s.settings()
    old = cipher_key()
    if old is None:
        raise click.UsageError(_("no cipher key is configured ({FILE_VARIABLE} or [keys] "
                               "cipher_key_file): make one with `ektp keys init`").format(FILE_VARIABLE=FILE_VARIABLE))
    office = s.office()
    office.services.authorise(s.actor(), _("rotate the cipher key"))
    app = office.store.app
    cipher: Any = app.mapper.cipher  # an EktpCipher: a key is configured
    cipher.current_id  # the configured key must open the key table as it is now
    pending = f"{old.path}.new"
    new = new_key_file(pending)  # refused if a rotation left one behind
    try:
        rows = replace_rows(app, old.key, new.key)
    except BaseException as error:
        os.unlink(pending)  # nothing was re-wrapped: the old key stays the office's
        if isinstance(error, KeyringError):  # another rotation came first
            from ektp.application.errors import CipherKeyWrong

            raise CipherKeyWrong(found=_("of another rotation"), configured=old.id) from None
        raise
    retired = f"{old.path}.{old.id}.retired"
    from ektp.adapters.files import retire_and_replace

    try:
        retire_and_replace(old.path, pending, retired)
    except OSError as error:
        # The data keys are wrapped by the new key already: say where it is.
        raise click.ClickException(
            _("the data keys are now wrapped by the new key {id}, in {pending}, but it "
            "could not take {path}'s place ({strerror}): configure {pending}").format(id=new.id, pending=pending, path=old.path, strerror=error.strerror)) from None
    cipher.forget()
    current = next(r[0] for r in rows if r[3])
    emit(s.as_json, {"purpose": "cipher", "id": new.id, "previous_id": old.id,
                     "data_keys": len(rows), "current_data_key": current,
                     "file": old.path, "retired": retired},
         _("cipher key {id} replaces {id2} in {path}; {rows} data keys "
         "re-wrapped, events now encrypted with data key {current}.\n"
         "the old key is in {retired}: nothing needs it any more; remove it once the "
         "backups taken before this rotation are gone").format(id=new.id, id2=old.id, path=old.path, rows=len(rows), current=current, retired=retired))


@keys.command("list")
def list_() -> None:
    """Every configured key by its id and purpose, and where it comes from (never the key)."""
    s = session()
    s.settings()  # the configuration's key paths become their variables
    rows = [_cipher(), _audit(), _signing()]
    text = table([N_("purpose"), N_("id"), N_("from"), N_("used for")],
                 [(r["purpose"], r["id"] or "-", r["source"] or _("not configured"), _(r["use"]) if r["use"] else "")
                  for r in rows])
    if _cipher_is_audit_key():
        # Three keys, three purposes: the cipher key is to be rotated, the audit key
        # (stream ids, blind indexes) kept for good, so one must never be the other.
        rows[0]["same_key_as"] = "audit"
        text += (_("\nwarning: the cipher key and the audit key are the same key; make a new "
                 "cipher key with `ektp keys init` (each key has one purpose)."))
    emit(s.as_json, rows, text)


def _cipher_is_audit_key() -> bool:
    """Whether the configured cipher key's bytes are the audit key's."""
    from ektp.adapters.audit.key import audit_key
    from ektp.adapters.cipher_key import cipher_key

    cipher, audit = cipher_key(), audit_key()
    return cipher is not None and audit is not None and cipher.key == audit


def _cipher() -> dict[str, str | None]:
    from ektp.adapters.cipher_key import FILE_VARIABLE, cipher_key

    found = cipher_key()
    return {"purpose": "cipher", "id": found.id if found else None,
            "source": f"{FILE_VARIABLE}={found.path}" if found else None,
            "use": N_("encrypts every stored event and snapshot (AES-256-GCM)")}


def _audit() -> dict[str, str | None]:
    from ektp.adapters.audit.key import FILE_VARIABLE, KEY_VARIABLE, audit_key
    from ektp.application.audit.journal import journal_key_id

    found = audit_key()
    source = None
    if found is not None:
        source = KEY_VARIABLE if os.environ.get(KEY_VARIABLE, "").strip() else \
            f"{FILE_VARIABLE}={os.environ.get(FILE_VARIABLE, '').strip()}"
    return {"purpose": "audit", "id": journal_key_id(found).hex() if found else None,
            "source": source, "use": N_("keys the journal's and exports' NIK pseudonyms, the NIK registers' "
                   "stream ids and the read models' blind indexes (HMAC)")}


def _signing() -> dict[str, str | None]:
    import hashlib

    from ektp.adapters.audit.ed25519 import Ed25519Signer

    path = os.environ.get("EKTP_SIGN_KEY_FILE", "").strip()
    key_id = None
    if path:
        key_id = hashlib.sha256(Ed25519Signer.from_pem(path).public_bytes()).hexdigest()[:16]
    return {"purpose": "signing", "id": key_id,
            "source": f"EKTP_SIGN_KEY_FILE={path}" if path else None,
            "use": N_("signs checkpoints and export manifests (Ed25519)")}
