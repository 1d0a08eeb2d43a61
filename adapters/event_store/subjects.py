"""Per-subject data keys (issue 14's crypto-shredding): each resident's personal fields
are encrypted under a key of that person's own, so that destroying one key erases
that person from every stored event while the events still load.

Which fields: a card request's NIK, KK number, name and phone number (the subject: the
requested NIK), and a hand-over's proxy NIK, KK number and name (the subject: the proxy's NIK).
The subject is named by the office's keyed pseudonym of the NIK (the hex HMAC of
``MASKED~HMAC``, the form `ektp.application.audit.personal.Pseudonymiser` gives the
journal and the exports), so the key table holds no NIK.

Stored form: such a field's value in the event's JSON becomes ``{"~e": [KEY_ID,
SEALED, LEAF]}``: the id of the subject's key, the field's text AES-256-GCM-encrypted
under it (base64 of nonce, ciphertext and tag; the key id and the field's path as
associated data) and the field's *leaf form*, the pseudonymised form the journal leaf
was computed from (``MASKED~HMAC`` for a number, ``STARS~HMAC`` for a phone, the
initials for a name). That JSON
is then encrypted whole by the office cipher (`cipher.EktpCipher`) as every payload.
Reading a field whose key is gone gives `ektp.domain.erased.Erased` carrying that
leaf form, so the journal leaf recomputed from the event is the one written.

The keys: table ``ektp_subject_keys`` (key id, subject, key wrapped under the office
key as the data keys of `keyring` are, the id of the office key that wrapped it). A
subject's first key is made while its first event is encoded and inserted by the
recorder in the event's own transaction (`pending_rows`); a `PersonalDataErased`
among the events written deletes the subject's keys in that same transaction
(`erasing_subjects`). ``ektp keys rotate`` re-wraps them with the data keys.

A subject this process holds no key for is given a new key *blind*, without asking the
table first (as the NIK register's first event is written blind, `Transaction.load_new`):
on PostgreSQL that look-up is a round trip of its own before every new resident's
first write. If the subject has a key after all (another process made it), the
table's unique subject refuses the insert: the recorder raises `SubjectKeyTaken`, the
whole transaction is rolled back (no event, no key), and the store encodes the events
again, this time under the key the table keeps (`SubjectCipher.end` marks the subjects
of a failed write to be looked up). So no field is ever stored under a key that was not
kept, and a subject still has one key.

Without the office's cipher key nothing of this applies: the fields are stored as
they always were, and nothing can be erased (``personal-data erase`` says so).
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError

from ektp.adapters.cipher_key import KEY_BYTES, key_id
from ektp.adapters.event_store.keyring import KeyringError
from ektp.domain.erased import Erased
from ektp.domain.masking import initials

TABLE = "ektp_subject_keys"
SEALED = "~e"
NUMBER, NAME, PHONE = "number", "name", "phone"
# The encrypted fields of each event topic: the path of the subject's NIK, and each
# personal field's path and kind.
FIELDS: dict[str, tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]]] = {
    "ektp.domain.card.events:Requested": (
        ("nik",), ((("nik",), NUMBER), (("kk",), NUMBER), (("name",), NAME), (("phone",), PHONE))),
    "ektp.domain.card.events:HandedOver": (
        ("recipient", "nik"), ((("recipient", "nik"), NUMBER), (("recipient", "kk"), NUMBER),
                               (("recipient", "name"), NAME))),
}
ERASED_TOPIC = "ektp.domain.personal_data.events:PersonalDataErased"

KeyRow = tuple[str, str, bytes, str]
"""A row of the table: key id, subject, wrapped key, id of the office key that wrapped it."""


def create_statement(kind: str) -> str:
    """The table's CREATE statement on `kind` (``sqlite`` or ``postgresql``)."""
    blob = "bytea" if kind == "postgresql" else "BLOB"
    return (f"CREATE TABLE IF NOT EXISTS {TABLE} (key_id TEXT PRIMARY KEY, subject TEXT NOT NULL "
            f"UNIQUE, wrapped {blob} NOT NULL, wrapped_by TEXT NOT NULL)")


class KeyTable:
    """Where the wrapped keys are read from: `by_subject` and `by_id` give a row or None."""

    def by_subject(self, subject: str) -> KeyRow | None:  # pragma: no cover - interface
        """The row of `subject`'s key."""
        raise NotImplementedError

    def by_id(self, kid: str) -> KeyRow | None:  # pragma: no cover - interface
        """The row of the key `kid`."""
        raise NotImplementedError

    def writable(self) -> bool:
        """Whether new keys can be kept (and so personal fields sealed)."""
        return True


class SqlKeyTable(KeyTable):
    """The table in the store's own database (SQLite or PostgreSQL); a database without
    it yet has no keys."""

    def __init__(self, datastore: Any, kind: str) -> None:
        self._datastore = datastore
        self._kind = kind
        self._mark = "%s" if kind == "postgresql" else "?"

    def _one(self, column: str, value: str) -> KeyRow | None:
        statement = (f"SELECT key_id, subject, wrapped, wrapped_by FROM {TABLE} "
                     f"WHERE {column} = {self._mark}")
        try:
            if self._kind == "postgresql":
                # One statement, one round trip (a transaction would add two).
                with self._datastore.get_connection() as connection:
                    found = connection.execute(statement, (value,)).fetchall()
            else:
                with self._datastore.transaction(commit=False) as cursor:
                    cursor.execute(statement, (value,))
                    found = cursor.fetchall()
        except Exception as error:  # noqa: BLE001 - only a missing table means "no keys"
            if "no such table" in str(error) or "does not exist" in str(error):
                return None
            raise
        if not found:
            return None
        r = found[0]
        r = list(r.values()) if isinstance(r, dict) else list(r)
        return (str(r[0]), str(r[1]), bytes(r[2]), str(r[3]))

    def by_subject(self, subject: str) -> KeyRow | None:
        """The row of `subject`'s key."""
        return self._one("subject", subject)

    def writable(self) -> bool:
        """Whether keys can be kept: on SQLite always (the recorder makes the table at the
        first key), on PostgreSQL once the table exists (``db init`` makes it as the
        tables' owner; staff logins may not create tables)."""
        if self._kind != "postgresql":
            return True
        with self._datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT to_regclass('{TABLE}') IS NOT NULL AS found")
            found = cursor.fetchall()[0]
        return bool(found["found"] if isinstance(found, dict) else found[0])

    def by_id(self, kid: str) -> KeyRow | None:
        """The row of the key `kid`."""
        return self._one("key_id", kid)


class MemoryKeyTable(KeyTable):
    """Rows kept in a dict (tests; `insert` and `erase` stand for the recorder's writes)."""

    def __init__(self) -> None:
        self.rows: dict[str, KeyRow] = {}

    def by_subject(self, subject: str) -> KeyRow | None:
        """The row of `subject`'s key."""
        return next((r for r in self.rows.values() if r[1] == subject), None)

    def by_id(self, kid: str) -> KeyRow | None:
        """The row of the key `kid`."""
        return self.rows.get(kid)

    def insert(self, rows: Iterable[KeyRow]) -> None:
        """Add rows (as a recorder does in the event's transaction)."""
        for row in rows:
            self.rows[row[0]] = row

    def erase(self, subject: str) -> None:
        """Destroy `subject`'s keys."""
        for kid in [k for k, r in self.rows.items() if r[1] == subject]:
            del self.rows[kid]


class SubjectKeyError(KeyringError):
    """A subject key cannot be unwrapped with the configured office key (reason)."""


class SubjectKeyTaken(IntegrityError):
    """A write's new subject key met a key the table keeps for that subject already
    (made by another process): nothing was written; encode again under the kept key.
    An `IntegrityError`, so that where it is not handled it is the conflict it is."""

    def __init__(self, subjects: Sequence[str]) -> None:
        super().__init__(f"{len(subjects)} subject key(s) already kept")
        self.subjects = list(subjects)


class SubjectCipher:
    """Seals the personal fields of the events being stored and opens them when read.

    `office_key` wraps the subjects' keys; `leaf_form` gives the journal's
    pseudonymiser (the audit key's), asked when first needed."""

    def __init__(self, office_key: bytes, table: KeyTable, leaf_form: Callable[[], Any]) -> None:
        self._kek = office_key
        self._kek_id = key_id(office_key)
        self.table = table
        self._leaf_form = leaf_form
        self._personal: Any = None
        self._by_subject: dict[str, tuple[str, Any]] = {}
        self._by_id: dict[str, Any] = {}
        self._gone: set[str] = set()  # key ids known destroyed (an id never comes back)
        # Subjects to look up in the table before a key is made for them: those of a write
        # that failed (its new key may have met one kept already, `SubjectKeyTaken`).
        self._look_up: set[str] = set()
        self._wrap = _wrapper(office_key)
        self._pending = threading.local()
        self._lock = threading.Lock()
        self._available: bool | None = None

    # --- the write path ------------------------------------------------------------
    def begin(self) -> list[KeyRow]:
        """Start collecting the keys made while a batch of events is encoded (per
        thread); the list is what the recorder inserts with the events."""
        rows: list[KeyRow] = []
        self._pending.rows = rows
        return rows

    def end(self, rows: Sequence[KeyRow], committed: bool, erased: Iterable[str] = ()) -> None:
        """After the batch's transaction: keep its new keys if it committed, forget them
        if not, and look their subjects up before making them again (the write may have
        failed because another process keeps a key for one of them); forget the keys of
        `erased` subjects."""
        self._pending.rows = None
        with self._lock:
            for kid, subject, _, _ in rows:
                if not committed and self._by_subject.get(subject, ("",))[0] == kid:
                    del self._by_subject[subject]
                    self._by_id.pop(kid, None)
                if not committed:
                    self._look_up.add(subject)
            for subject in erased if committed else ():
                known = self._by_subject.pop(subject, None)
                if known is not None:
                    self._by_id.pop(known[0], None)
                    self._gone.add(known[0])

    def available(self) -> bool:
        """Whether this store seals personal fields under subject keys (asked once: a
        PostgreSQL database made before the keys' table has none, and its fields stay
        under the office key only)."""
        if self._available is None:
            self._available = self.table.writable()
        return self._available

    def personal(self) -> Any:
        """The journal's pseudonymiser."""
        if self._personal is None:
            self._personal = self._leaf_form()
        return self._personal

    def seal(self, topic: str, state: dict[str, Any]) -> dict[str, Any]:
        """`state` (an event's fields, about to be stored) with its personal fields sealed
        (the same dict for an event that has none)."""
        spec = FIELDS.get(topic)
        if spec is None or not self.available():
            return state
        subject_path, fields = spec
        nik = _get(state, subject_path)
        if not isinstance(nik, str) or isinstance(nik, Erased):
            return state
        personal = self.personal()
        subject = personal.number(nik).partition("~")[2]
        kid, aead = self._key_for(subject)
        state = dict(state)
        for path, kind in fields:
            value = _get(state, path)
            if not isinstance(value, str) or isinstance(value, Erased):
                continue
            leaf = (personal.number(value) if kind == NUMBER else personal.phone(value)
                    if kind == PHONE else initials(value))
            nonce = os.urandom(12)
            sealed = nonce + aead.encrypt(nonce, value.encode("utf-8"), _aad(kid, path))
            _set(state, path, {SEALED: [kid, base64.b64encode(sealed).decode("ascii"), leaf]})
        return state

    def _key_for(self, subject: str) -> tuple[str, Any]:
        """The key to seal `subject`'s fields with: the one this process holds, the
        table's for a subject marked to be looked up (`end`), else a new one, kept with
        the events (the table refuses it if the subject has one: `SubjectKeyTaken`)."""
        known = self._by_subject.get(subject)
        if known is not None:
            return known
        row = None
        if subject in self._look_up:
            row = self.table.by_subject(subject)
            with self._lock:
                self._look_up.discard(subject)
        if row is None:
            pending = getattr(self._pending, "rows", None)
            if pending is None:
                raise RuntimeError("a subject key is made only while a batch is written")
            key = os.urandom(KEY_BYTES)
            kid = key_id(key)
            row = (kid, subject, self._wrap(key, kid), self._kek_id)
            pending.append(row)
        else:
            key = self._unwrap(row)
        aead = _aead(key)
        with self._lock:
            self._by_subject[subject] = (row[0], aead)
            self._by_id[row[0]] = aead
        return row[0], aead

    # --- the read path -------------------------------------------------------------
    def opens(self, topic: str) -> bool:
        """Whether events of `topic` may hold sealed fields."""
        return topic in FIELDS

    def open(self, state: dict[str, Any]) -> dict[str, Any]:
        """`state` (as stored) with each sealed field opened, or `Erased` where its key is gone."""
        for name, value in state.items():
            if type(value) is dict:
                if SEALED in value:
                    state[name] = self._open_one(value[SEALED], (name,))
                else:
                    for inner, item in value.items():
                        if type(item) is dict and SEALED in item:
                            value[inner] = self._open_one(item[SEALED], (name, inner))
        return state

    def _open_one(self, sealed: list[Any], path: tuple[str, ...]) -> Any:
        kid, text, leaf = str(sealed[0]), str(sealed[1]), str(sealed[2])
        aead = self._aead_of(kid)
        if aead is None:
            return Erased(leaf)
        data = base64.b64decode(text)
        return aead.decrypt(data[:12], data[12:], _aad(kid, path)).decode("utf-8")

    def _aead_of(self, kid: str) -> Any:
        aead = self._by_id.get(kid)
        if aead is not None or kid in self._gone:
            return aead
        row = self.table.by_id(kid)
        if row is None:
            with self._lock:
                self._gone.add(kid)
            return None
        aead = _aead(self._unwrap(row))
        with self._lock:
            self._by_id[kid] = aead
        return aead

    def _unwrap(self, row: KeyRow) -> bytes:
        kid, _, wrapped, wrapped_by = row
        if wrapped_by != self._kek_id:
            raise SubjectKeyError(f"subject key {kid} is wrapped by office key {wrapped_by}, "
                                  f"not the configured {self._kek_id}")
        return _unwrap(self._kek, wrapped, kid)


# --- what the recorders write in the events' transaction ---------------------------

def pending_rows(kwargs: dict[str, Any]) -> Sequence[KeyRow]:
    """The new subject keys to insert with the events being written."""
    return kwargs.get("subject_keys") or ()


def erasing_subjects(events: Sequence[Any] | None) -> list[str]:
    """The subjects whose keys the events being written destroy (a `PersonalDataErased`
    names its subject as ``MASKED~HMAC``; the table is keyed by the HMAC)."""
    found = []
    for event in events or ():
        if type(event).__name__ == "PersonalDataErased":
            found.append(str(event.subject).partition("~")[2])
    return found


def write_statements(kwargs: dict[str, Any], mark: str) -> list[tuple[str, tuple[Any, ...]]]:
    """The statements (and parameters) a recorder runs in the events' transaction: the
    new keys inserted, the erased subjects' keys deleted."""
    statements: list[tuple[str, tuple[Any, ...]]] = [
        (f"INSERT INTO {TABLE} (key_id, subject, wrapped, wrapped_by) "
         f"VALUES ({mark}, {mark}, {mark}, {mark})", row) for row in pending_rows(kwargs)]
    statements += [(f"DELETE FROM {TABLE} WHERE subject = {mark}", (subject,))
                   for subject in erasing_subjects(kwargs.get("events"))]
    return statements


def rewrap_rows(rows: Iterable[KeyRow], old_kek: bytes, new_kek: bytes) -> list[KeyRow]:
    """The rows re-wrapped from `old_kek` to `new_kek` (``keys rotate``)."""
    new_id = key_id(new_kek)
    return [(kid, subject, _wrap(new_kek, _unwrap(old_kek, wrapped, kid)), new_id)
            for kid, subject, wrapped, _ in rows]


# --- helpers -----------------------------------------------------------------------

def _aead(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _aad(kid: str, path: tuple[str, ...]) -> bytes:
    return f"{kid}/{'.'.join(path)}".encode("ascii")


def _wrap(kek: bytes, key: bytes) -> bytes:
    from ektp.adapters.event_store.keyring import wrap

    return wrap(kek, key)


def _wrapper(kek: bytes) -> Callable[[bytes, str], bytes]:
    from ektp.adapters.event_store.keyring import wrapper

    return wrapper(kek)


def _unwrap(kek: bytes, wrapped: bytes, kid: str) -> bytes:
    from ektp.adapters.event_store.keyring import KeyringError, unwrap

    try:
        return unwrap(kek, bytes(wrapped), kid)
    except KeyringError as error:
        raise SubjectKeyError(str(error)) from None


def _get(state: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = state
    for key in path:
        if isinstance(value, dict):
            value = value.get(key)
        elif value is not None and hasattr(value, key):
            value = getattr(value, key)  # an attrs value object (the recipient), not yet plain
        else:
            return None
    return value


def _set(state: dict[str, Any], path: tuple[str, ...], sealed: Any) -> None:
    if len(path) == 1:
        state[path[0]] = sealed
        return
    head = path[0]
    inner = state[head]
    if not isinstance(inner, dict):
        import attrs

        inner = {f.name: getattr(inner, f.name) for f in attrs.fields(type(inner))}
    else:
        inner = dict(inner)
    _set(inner, path[1:], sealed)
    state[head] = inner
