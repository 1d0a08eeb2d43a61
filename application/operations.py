"""Refusals an office's administrator meets: the configuration, the database's
schema version, its durability, backups and restores.

Each is a named refusal like the domain's (its sentence is in
`ektp.domain.messages`); most are `UNAVAILABLE` (exit code 5): the store cannot
be used as it is until the administrator acts.
"""

from __future__ import annotations

from ektp.domain.errors import DomainError, ErrorKind, InvalidInput


class ConfigInvalid(InvalidInput):
    """The office configuration file cannot be used (facts: path, reason)."""


class NoDatabaseConfigured(DomainError):
    """No flag, variable or configuration file names the office database."""

    kind = ErrorKind.UNAVAILABLE


class DatabaseMissing(DomainError):
    """The database the configuration names does not exist (facts: where)."""

    kind = ErrorKind.UNAVAILABLE


class DatabaseNotInitialised(DomainError):
    """The database exists but holds no ektp tables (facts: where)."""

    kind = ErrorKind.UNAVAILABLE


class SchemaOutdated(DomainError):
    """The database's schema is older than this ektp's (facts: where, found, current)."""

    kind = ErrorKind.UNAVAILABLE


class SchemaNewer(DomainError):
    """The database's schema is newer than this ektp knows (facts: where, found, current)."""

    kind = ErrorKind.UNAVAILABLE


class UnsafeDurability(DomainError):
    """The server or file would not keep an acknowledged write through a crash
    (facts: where, problems)."""

    kind = ErrorKind.UNAVAILABLE


class ScratchDatabaseRefused(InvalidInput):
    """An in-memory database was given to a command: it keeps nothing (facts: url)."""


class BackupFileExists(InvalidInput):
    """A backup or restore would overwrite a file (facts: path)."""


class BackupFailed(DomainError):
    """A backup or restore could not be made (facts: what, reason)."""

    kind = ErrorKind.UNAVAILABLE


class BackupMismatch(DomainError):
    """A backup or restored copy does not match what it was made from (facts: what, reason)."""

    kind = ErrorKind.AUDIT_FAILED


class RestoreTargetNotEmpty(DomainError):
    """A restore would replace a database that holds records (facts: where, events)."""


class ReadOnlyCopyOutdated(DomainError):
    """A read-only copy's read models cannot serve a list (facts: where, reason)."""

    kind = ErrorKind.UNAVAILABLE
