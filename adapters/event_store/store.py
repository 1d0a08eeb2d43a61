"""The event store: eventsourcing's Application configured from a database URL."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import EventStore, Mapper, Recording
from eventsourcing.utils import Environment, EnvType

from ektp.application.kernel.i18n import _
from ektp.adapters.cipher_key import CipherKey
from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store import opening, waits
from ektp.adapters.event_store.codec import AttrsEventMapper
from ektp.adapters.office_config import DatabaseSection
from ektp.application.errors import StoreUnavailable
from ektp.application.kernel.store import store_errors
from ektp.application.operations import DatabaseMissing

if TYPE_CHECKING:
    from ektp.adapters.event_store.durability import Durability
    from ektp.adapters.schema import SchemaState

# The cache is updated with each saved state (no fast-forward query before each
# command: optimistic concurrency catches a stale state, see application/kernel/
# store.py), and states are immutable, so cached ones need no defensive copy.
# Snapshots (a table of their own, outside the notification log) let the blank
# ledger load from its latest snapshot plus a few events (application/blank_stock/
# ledger.py).
_CACHE_ENV = {
    "AGGREGATE_CACHE_MAXSIZE": "1000",
    "AGGREGATE_CACHE_FASTFORWARD": "n",
    "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
    "IS_SNAPSHOTTING_ENABLED": "y",
}


# Every event is a leaf of the office's journal, written by these recorders in the
# event's own transaction (application/audit/journal.py).
JOURNALLED_RECORDERS = {
    "sqlite": "ektp.adapters.event_store.journal_sqlite:JournalledSQLiteApplicationRecorder",
    "postgresql": "ektp.adapters.event_store.journal_postgres:JournalledPostgresApplicationRecorder",
}

AuditKey = bytes | Callable[[], "bytes | None"] | None
CipherKeySource = CipherKey | Callable[[], "CipherKey | None"] | None


def cipher_from_environment() -> CipherKey | None:
    """The cipher key EKTP_CIPHER_KEY_FILE names (None: payloads are stored in plain)."""
    from ektp.adapters.cipher_key import cipher_key

    return cipher_key()


def key_from_environment() -> bytes | None:
    """The audit key from EKTP_AUDIT_KEY / EKTP_AUDIT_KEY_FILE, read when first needed."""
    from ektp.adapters.audit.key import audit_key

    return audit_key()


def key_source(audit_key: AuditKey) -> Callable[[], bytes | None]:
    """`audit_key` as a function asked for the key at the first write."""
    if callable(audit_key):
        return audit_key
    fixed = audit_key

    def source() -> bytes | None:
        return fixed

    return source


# Writes of one batch whose new subject key met a kept one (each then encoded again under
# the key the table keeps; a key is met again only if it was destroyed or made meanwhile).
KEY_ATTEMPTS = 3


class JournalledEventStore(EventStore[UUID]):
    """Hands the recorder the domain events themselves, so the journal's leaves are
    computed from them rather than decoded back from the stored bytes."""

    def put(self, domain_events: Sequence[DomainEventProtocol[UUID]],
            **kwargs: Any) -> list[Recording[UUID]]:
        """Store the events (and, through the recorder, their leaves) in one transaction;
        with per-subject keys (`subjects`), the keys their encoding made are inserted,
        and an erasure's subject keys deleted, in that same transaction. A new key that
        met one another process keeps (`SubjectKeyTaken`: nothing was written) has the
        events encoded again under the kept key, up to `KEY_ATTEMPTS` writes."""
        subjects = getattr(self.mapper, "subjects", None)
        if subjects is None:
            return super().put(domain_events, events=domain_events, **kwargs)
        from ektp.adapters.event_store.subjects import SubjectKeyTaken, erasing_subjects

        erased = erasing_subjects(domain_events)
        attempt = 1
        while True:
            rows = subjects.begin()
            committed = False
            try:
                recordings = super().put(domain_events, events=domain_events, subject_keys=rows,
                                         **kwargs)
                committed = True
                return recordings
            except SubjectKeyTaken:
                if attempt >= KEY_ATTEMPTS:
                    raise  # an IntegrityError: the kernel's conflict, reported by name
                attempt += 1
            finally:
                subjects.end(rows, committed, erased)  # a failed write's subjects: looked up next


class EktpStore(Application[UUID]):
    """All of an office's event streams in one store (cards, registers, ledger...),
    each event journalled as it is written.

    `audit_key` keys the journal's pseudonyms: the key's bytes, a function giving
    them (asked at the first write), or by default the environment's
    EKTP_AUDIT_KEY / EKTP_AUDIT_KEY_FILE. Without a key, reads work and writes
    are refused (`JournalKeyMissing`).
    """

    name = "ektp"
    # What `opening` found when the store was opened (``ektp db check`` reports them).
    schema_state: SchemaState | None = None
    durability: Durability | None = None

    def __init__(self, env: EnvType | None = None, *, audit_key: AuditKey = key_from_environment) -> None:
        super().__init__(env)
        from ektp.application.audit.journal import JournalLeaves

        recorder: Any = self.recorder
        self._audit_key = key_source(audit_key)
        self._pseudonyms: Any = None
        if hasattr(recorder, "journal"):
            recorder.journal = JournalLeaves(self._audit_key, decode=self.mapper.to_domain_event)
        cipher: Any = getattr(self.mapper, "cipher", None)
        if hasattr(cipher, "rows") and hasattr(self.factory, "datastore"):
            # The envelope keys (`keyring`): read from this database when first needed.
            cipher.rows = self._data_key_rows
            if hasattr(recorder, "journal"):
                self._per_subject_keys(cipher.key)

    def _per_subject_keys(self, office_key: bytes) -> None:
        """Encrypt personal fields under their subject's key (`subjects`), wrapped by the
        office key, in this database's key table."""
        from ektp.adapters.event_store.subjects import SqlKeyTable, SubjectCipher

        datastore = self.factory.datastore  # type: ignore[attr-defined]
        kind = "postgresql" if "postgres" in type(datastore).__module__ else "sqlite"
        journal: Any = self.recorder.journal  # type: ignore[attr-defined]
        mapper: Any = self.mapper
        mapper.subjects = SubjectCipher(office_key, SqlKeyTable(datastore, kind),
                                        lambda: journal.form().personal)

    def _data_key_rows(self) -> Any:
        """The key table's rows of this database (`keyring.read_rows`)."""
        from ektp.adapters.event_store.keyring import read_rows

        return read_rows(self)

    def pseudonyms(self) -> Any:
        """The office's keyed pseudonyms (`ektp.adapters.pseudonyms`), made from the
        audit key on first use; `JournalKeyMissing` when no audit key is configured."""
        if self._pseudonyms is None:
            from ektp.adapters.pseudonyms import KeyedPseudonyms
            from ektp.application.errors import JournalKeyMissing

            key = self._audit_key()
            if key is None:
                raise JournalKeyMissing()
            self._pseudonyms = KeyedPseudonyms(key)
        return self._pseudonyms

    # Whether NIK registers may live under their uuid5 ids (a database made before schema
    # version 4): read as the store opens (`opening._legacy_registers`); False in memory.
    legacy_registers: bool = False

    def legacy_nik_registers(self) -> bool:
        """Whether registers may live under their uuid5 ids (read when the store opened)."""
        return self.legacy_registers

    def construct_event_store(self) -> EventStore[UUID]:
        """The event store that passes the domain events down to the journal."""
        if hasattr(self.recorder, "journal"):
            return JournalledEventStore(mapper=self.mapper, recorder=self.recorder)
        return super().construct_event_store()

    # The PostgreSQL login the store's connections were opened as (`session_user`),
    # read when it opens: the identity of a PostgreSQL office. None on other stores.
    login: str | None = None
    # The SQLite file, for the file's permissions and group. None on other stores.
    path: str | None = None

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the given settings: never the process environment (two stores can coexist)."""
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        """Events are frozen attrs classes rebuilt through their constructors; the cipher
        is eventsourcing's own choice from the environment (CIPHER_TOPIC, CIPHER_KEY)."""
        return AttrsEventMapper(cipher=self.factory.cipher())


def store_settings(url: DatabaseUrl, settings: DatabaseSection | None = None, *,
                   journal: bool = True, cipher: CipherKey | None = None) -> dict[str, str]:
    """The eventsourcing settings for `url` (timeouts from `settings`; `journal=False`
    only to measure the journal's cost; with `cipher`, eventsourcing's CIPHER_TOPIC and
    CIPHER_KEY, so that every payload is encrypted)."""
    return {**_store_settings(url, settings, journal), **(cipher.settings() if cipher else {})}


def _store_settings(url: DatabaseUrl, settings: DatabaseSection | None,
                    journal: bool) -> dict[str, str]:
    settings = settings or DatabaseSection()
    if url.kind == "memory":
        module = ("ektp.adapters.event_store.journal_popo:JournalledPOPOFactory" if journal
                  else "ektp.adapters.event_store.memory:MemoryFactory")
        return {"PERSISTENCE_MODULE": module, **_CACHE_ENV}
    recorder = {"APPLICATION_RECORDER_TOPIC": JOURNALLED_RECORDERS[url.kind]} if journal else {}
    if url.kind == "sqlite":
        return {
            "PERSISTENCE_MODULE": "ektp.adapters.event_store.durable_sqlite:DurableSQLiteFactory",
            "SQLITE_DBNAME": url.sqlite_uri() if url.read_only else url.path,
            "SQLITE_LOCK_TIMEOUT": str(settings.lock_timeout),
            **recorder,
            **_CACHE_ENV,
        }
    return {
        **recorder,
        "PERSISTENCE_MODULE": "ektp.adapters.event_store.postgres:SignedPostgresFactory",
        "EKTP_PG_SERVICE": url.service,
        "POSTGRES_DBNAME": url.dbname,
        "POSTGRES_HOST": url.host,
        "POSTGRES_PORT": str(url.port),
        "POSTGRES_USER": url.user,
        # Without a password in the URL, libpq finds it (~/.pgpass, PGPASSFILE, a service
        # file): eventsourcing would pass an empty one, which hides a service file's.
        **({"POSTGRES_PASSWORD": url.password} if url.password else
           {"POSTGRES_GET_PASSWORD_TOPIC": "ektp.adapters.event_store.store:libpq_password"}),
        "POSTGRES_CONNECT_TIMEOUT": str(settings.connect_timeout),
        "POSTGRES_LOCK_TIMEOUT": str(settings.lock_timeout),
        **_CACHE_ENV,
    }


def libpq_password() -> str:
    """No password of ektp's own: eventsourcing's pool passes this on to psycopg, which
    leaves a None out of the connection string, so libpq looks the password up itself."""
    return None  # type: ignore[return-value]  # psycopg's kwargs take None: "not given"


def open_event_store(
    url: DatabaseUrl, *, must_exist: bool = False, create_tables: bool = True,
    settings: DatabaseSection | None = None, check_schema: bool = True,
    audit_key: AuditKey = key_from_environment, journal: bool = True,
    cipher_key: CipherKeySource = cipher_from_environment,
) -> EktpStore:
    """Open (creating tables if needed) the store `url` names.

    With `must_exist`, a missing SQLite file is refused instead of created, so a
    mistyped path on a read command does not leave an empty database behind;
    without `create_tables` nothing is created (every command but ``ektp db
    init``). `settings` are the timeouts and the durability allowance (default:
    the ``EKTP_*`` variables, else the defaults of `DatabaseSection`). With `check_schema` (all but ``db check``
    and ``db upgrade``) a database that is not initialised, or whose schema
    version is not this ektp's, is refused (`opening`). `audit_key` keys the
    journal (see `EktpStore`); `journal=False` is for benchmarks only.
    """
    settings = settings or settings_from_environment()
    cipher = cipher_key() if callable(cipher_key) else cipher_key
    if url.kind == "sqlite":
        # os.path, not pathlib: this is on every command's path and pathlib is slow to import.
        folder = os.path.dirname(url.path) or "."
        exists = os.path.exists(url.path)
        if not exists and os.path.isdir(folder) and not os.access(folder, os.X_OK):
            # The file may well be there: this account may not look (the folder of a
            # shared office is its group's alone).
            raise StoreUnavailable(reason=_(
                "this account may not open the folder {folder} (permission denied)").format(
                    folder=folder))
        if (must_exist or url.read_only) and not exists:
            raise DatabaseMissing(where=url.path)
        if not os.path.isdir(folder):
            raise StoreUnavailable(reason=_("the folder {folder} does not exist").format(
                folder=folder))
        if create_tables and not url.read_only and not url.is_scratch and not os.path.lexists(url.path):
            # Created here, private, before SQLite would make it 0644: SQLite gives the
            # -wal and -shm files the database file's mode (ektp.adapters.files).
            from ektp.adapters.files import create_empty

            try:
                create_empty(url.path)
            except FileExistsError:
                pass  # another process made it meanwhile: opening it is right
            except OSError as error:
                raise StoreUnavailable(reason=_("cannot create {path}: {error}").format(
                    path=url.path, error=error.strerror)) from None
    if url.kind == "postgresql":
        return _open_postgres(url, create_tables, settings, check_schema, audit_key, journal, cipher)
    env = store_settings(url, settings, journal=journal, cipher=cipher)
    if url.kind == "memory":
        with store_errors():
            return EktpStore(env=env, audit_key=audit_key)
    env["CREATE_TABLE"] = "n"
    with store_errors():
        store = EktpStore(env=env, audit_key=audit_key)
    store.path = url.path
    return opening.finish_sqlite(store, url, settings, create=create_tables,
                                 check_schema=check_schema)


def settings_from_environment() -> DatabaseSection:
    """The database settings of the ``EKTP_*`` variables (timeouts, durability allowance),
    read when a store is opened without settings of its own."""
    from ektp.adapters.office_config import resolve

    return resolve({}, os.environ, read=False).config.database


# pg_advisory_lock key serialising schema creation across processes.
SCHEMA_LOCK = 35_17_2017


def _open_postgres(url: DatabaseUrl, create_tables: bool, settings: DatabaseSection,
                   check_schema: bool, audit_key: AuditKey, journal: bool,
                   cipher: CipherKey | None) -> EktpStore:
    """Connect once directly first, so a wrong host, port, password or database is
    reported with the server's own reason at once (the pool would only time out);
    the same connection reads who we are (`session_user`, the staff login), what
    the tables hold already (the lock function, the signed column), the schema
    version and the server's durability.

    Tables are created only when missing, under an advisory lock: PostgreSQL
    fails ("tuple concurrently updated") when processes run the same DDL at once.
    """
    import psycopg

    from ektp.adapters.event_store.postgres import LOCK_FUNCTION_ENV, SIGNED_ENV, lock_function_name

    try:
        connection = psycopg.connect(
            url.conninfo(), connect_timeout=settings.connect_timeout, autocommit=True,
            options=waits.postgres_options(settings, synchronous=False),
        )
    except psycopg.Error as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[-1]
        raise StoreUnavailable(reason=_("cannot connect to {url}: {reason}").format(
            url=url.redacted, reason=reason)) from None
    env = store_settings(url, settings, journal=journal, cipher=cipher)
    env["CREATE_TABLE"] = "n"
    table = f"{EktpStore.name}_events"
    with connection:
        # One round trip: who we are, and what the tables hold already.
        row = connection.execute(
            "SELECT session_user, to_regprocedure(%s) IS NOT NULL, "
            "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = %s "
            "AND column_name = 'inserted_by')",
            (f"{lock_function_name(table)}()", table)).fetchone()
        assert row is not None
        login, has_lock, signed = str(row[0]), bool(row[1]), bool(row[2])
        env[LOCK_FUNCTION_ENV] = "y" if has_lock else "n"
        env[SIGNED_ENV] = "y" if signed else "n"
        store = opening.finish_postgres(lambda: EktpStore(env=env, audit_key=audit_key),
                                        connection, url, settings, create=create_tables,
                                        check_schema=check_schema, lock_key=SCHEMA_LOCK)
    store.login = login
    return store
