"""Envelope keys (issue 14): the office's cipher key is a key-encryption key; the
events are encrypted with data keys, each stored wrapped by the office key in the
table ``ektp_data_keys`` of the office database itself.

A payload's header names the key that encrypted it (`cipher.EktpCipher`). Before the
first ``ektp keys rotate`` the table does not exist and events are encrypted with the
office key itself (as ektp always did). ``keys rotate`` makes a new office key and, in
one transaction, re-wraps every data key under it: the old office key becomes one more
data key at the first rotation (it encrypted the events written so far), a fresh data key encrypts the events
written from then on, and no event is rewritten. The old key file is then no longer
needed by anyone (keep it only as long as the backups taken before the rotation).

A wrapped key is AES-256-GCM under the office key: a 12-byte nonce, then the
ciphertext and tag of the 32-byte data key, the data key's id as associated data
(so a row cannot be moved onto another id).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from ektp.application.kernel.i18n import _
from ektp.adapters.cipher_key import KEY_BYTES, key_id

TABLE = "ektp_data_keys"
NONCE_BYTES = 12

Row = tuple[str, bytes, str, bool]
"""A row of the table: data key id, wrapped key, id of the office key that wrapped it,
whether it encrypts the events written now."""


class KeyringError(Exception):
    """The key table cannot be read with the configured office key (reason)."""


def wrap(kek: bytes, dek: bytes) -> bytes:
    """`dek` wrapped under the office key `kek`."""
    return wrapper(kek)(dek, key_id(dek))


def wrapper(kek: bytes) -> Callable[[bytes, str], bytes]:
    """`wrap` under `kek` for many keys: the office key's cipher made once, each data key
    given with its id (which its maker has computed already)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(kek)

    def wrapped(dek: bytes, dek_id: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + aead.encrypt(nonce, dek, dek_id.encode("ascii"))

    return wrapped


def unwrap(kek: bytes, wrapped: bytes, dek_id: str) -> bytes:
    """The data key `wrapped` holds (`KeyringError` if `kek` did not wrap it, or the
    row was altered)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        dek = AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:],
                                  dek_id.encode("ascii"))
    except (InvalidTag, ValueError):
        raise KeyringError(_("data key {dek_id} does not unwrap with office key {kek}").format(
            dek_id=dek_id, kek=key_id(kek))) from None
    if len(dek) != KEY_BYTES or key_id(dek) != dek_id:
        raise KeyringError(_("data key {dek_id} is damaged").format(dek_id=dek_id))
    return dek


@attrs.frozen
class Keyring:
    """The unwrapped data keys by id, and which one encrypts new events (None: the
    office key itself, before any rotation)."""

    keys: dict[str, bytes] = attrs.field(repr=False)
    current: str | None
    wrapped_by: str | None


def open_ring(kek: bytes, rows: Sequence[Row]) -> Keyring:
    """The keyring of the table's `rows` under the office key `kek` (`KeyringError` if
    the rows were wrapped by another office key: the configured key is not the current one)."""
    mine = key_id(kek)
    keys: dict[str, bytes] = {}
    current = None
    wrapped_by = None
    for dek_id, wrapped, kek_id, is_current in rows:
        wrapped_by = kek_id
        if kek_id != mine:
            raise KeyringError(_(
                "the data keys are wrapped by office key {kek_id}, but the configured cipher key "
                "is {mine} (was the key rotated?)").format(
                    kek_id=kek_id, mine=mine))
        keys[dek_id] = unwrap(kek, bytes(wrapped), dek_id)
        if is_current:
            current = dek_id
    return Keyring(keys, current, wrapped_by)


def rewrap(old_kek: bytes, new_kek: bytes, rows: Sequence[Row],
           new_dek: bytes | None = None) -> list[Row]:
    """The table's rows after a rotation from `old_kek` to `new_kek`: every data key
    re-wrapped, the old office key kept as a data key at the first rotation (the events
    it encrypted itself), and a
    fresh data key (`new_dek`, random by default) the current one."""
    ring = open_ring(old_kek, rows)
    keys = dict(ring.keys)
    if not rows:
        # The first rotation: the office key itself encrypted the events so far. After
        # that it only ever wrapped data keys, and is kept by no one.
        keys[key_id(old_kek)] = old_kek
    fresh = new_dek if new_dek is not None else os.urandom(KEY_BYTES)
    keys[key_id(fresh)] = fresh
    new_id = key_id(new_kek)
    return [(dek_id, wrap(new_kek, dek), new_id, dek_id == key_id(fresh))
            for dek_id, dek in sorted(keys.items())]


# --- the table, on SQLite and PostgreSQL ---------------------------------------------

def _create(kind: str) -> str:
    blob = "bytea" if kind == "postgresql" else "BLOB"
    return (f"CREATE TABLE IF NOT EXISTS {TABLE} (key_id TEXT PRIMARY KEY, wrapped {blob} "
            f"NOT NULL, wrapped_by TEXT NOT NULL, is_current BOOLEAN NOT NULL)")


def _datastore(store: Any) -> Any:
    return store.factory.datastore


def read_rows(store: Any) -> list[Row]:
    """The key table's rows ([] when the office was never rotated: no table)."""
    kind = "postgresql" if "postgres" in type(_datastore(store)).__module__ else "sqlite"
    if kind == "sqlite":
        exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ektp_data_keys'"
    else:
        exists = "SELECT 1 AS found WHERE to_regclass('ektp_data_keys') IS NOT NULL"
    with _datastore(store).transaction(commit=False) as cursor:
        cursor.execute(exists)
        if not cursor.fetchall():
            return []
        cursor.execute(f"SELECT key_id, wrapped, wrapped_by, is_current FROM {TABLE}")
        return [_row(r) for r in cursor.fetchall()]


def _row(found: Any) -> Row:
    """A row as `Row` (PostgreSQL's cursor gives dicts, SQLite's sequences)."""
    r = list(found.values()) if isinstance(found, dict) else list(found)
    return (str(r[0]), bytes(r[1]), str(r[2]), bool(r[3]))


def replace_rows(store: Any, old_kek: bytes, new_kek: bytes) -> list[Row]:
    """Rotate the key table from `old_kek` to `new_kek` in one transaction (the table
    made if needed; on PostgreSQL read by the staff group); the new rows."""
    kind = "postgresql" if "postgres" in type(_datastore(store)).__module__ else "sqlite"
    mark = "%s" if kind == "postgresql" else "?"
    with _datastore(store).transaction(commit=True) as cursor:
        cursor.execute(_create(kind))
        if kind == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"SELECT key_id, wrapped, wrapped_by, is_current FROM {TABLE}")
        rows = [_row(r) for r in cursor.fetchall()]
        new_rows = rewrap(old_kek, new_kek, rows)
        cursor.execute(f"DELETE FROM {TABLE}")
        for row in new_rows:
            cursor.execute(f"INSERT INTO {TABLE} (key_id, wrapped, wrapped_by, is_current) "
                           f"VALUES ({mark}, {mark}, {mark}, {mark})", row)
        _rewrap_subject_keys(cursor, kind, mark, old_kek, new_kek)
        if kind == "postgresql":
            _grant_staff(cursor)
    return new_rows


def _rewrap_subject_keys(cursor: Any, kind: str, mark: str, old_kek: bytes, new_kek: bytes) -> None:
    """Re-wrap the residents' own keys (`subjects`) under the new office key, in the
    rotation's transaction."""
    from ektp.adapters.event_store.subjects import TABLE as SUBJECTS
    from ektp.adapters.event_store.subjects import create_statement, rewrap_rows

    if kind == "postgresql":
        # Only the tables' owner makes tables there: a database without this one has no keys.
        cursor.execute(f"SELECT to_regclass('{SUBJECTS}') IS NOT NULL AS found")
        found_row = cursor.fetchall()[0]
        if not (found_row["found"] if isinstance(found_row, dict) else found_row[0]):
            return
    else:
        cursor.execute(create_statement(kind))
    cursor.execute(f"SELECT key_id, subject, wrapped, wrapped_by FROM {SUBJECTS}")
    found = [list(r.values()) if isinstance(r, dict) else list(r) for r in cursor.fetchall()]
    rows = [(str(r[0]), str(r[1]), bytes(r[2]), str(r[3])) for r in found]
    for kid, _, wrapped, wrapped_by in rewrap_rows(rows, old_kek, new_kek):
        cursor.execute(f"UPDATE {SUBJECTS} SET wrapped = {mark}, wrapped_by = {mark} "
                       f"WHERE key_id = {mark}", (wrapped, wrapped_by, kid))


def _grant_staff(cursor: Any) -> None:
    """Let the staff group role read the table (`ektp db init`'s group), where there is one."""
    from ektp.adapters.postgres_admin import DEFAULT_GROUP, quote

    cursor.execute("SELECT 1 AS found FROM pg_roles WHERE rolname = %s", (DEFAULT_GROUP,))
    if cursor.fetchall():
        cursor.execute(f"GRANT SELECT ON {TABLE} TO {quote(DEFAULT_GROUP)}")


RowSource = Callable[[], Sequence[Row]]
