"""The staff register's words and values: logins, NIPs, roles as stored."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ektp.domain.messages import N_
from ektp.domain.actor import Role
from ektp.domain.errors import InvalidLogin, InvalidNip

# A login as the operating system and PostgreSQL both accept it unquoted in
# practice: lower-case letters, digits and . _ @ -, starting with a letter or digit.
# Patterns as text: `re` compiles (and caches) them on first use, so a command that
# parses no login (most commands import this module) compiles nothing.
_LOGIN = r"[a-z0-9][a-z0-9._@\-]{0,63}"
_NIP = r"[0-9]{18}"


def parse_login(text: str, field: str = "login") -> str:
    """A staff login: 1-64 lower-case letters, digits or . _ @ -, never a NIK.

    A login is an identity the operating system or the database established, so it
    is taken as typed: ``Op.Wulan`` is refused, not folded to ``op.wulan`` (they
    would be two different PostgreSQL roles). A 16-digit login would be a NIK: a
    resident's number must never become a staff member's name in the records.
    """
    login = text.strip()
    if login.isascii() and login.isdigit() and len(login) == 16:
        raise InvalidLogin(field=field, reason=N_("a staff login is never a NIK (16 digits)"))
    if not re.fullmatch(_LOGIN, login):
        if login.lower() != login and re.fullmatch(_LOGIN, login.lower()):
            raise InvalidLogin(field=field, reason=N_("a staff login is written in lower case"))
        raise InvalidLogin(field=field, reason=N_(
            "a staff login is 1-64 lower-case letters, digits or . _ @ -, "
            "starting with a letter or digit"))
    return login


def parse_nip(text: str) -> str:
    """A civil servant's NIP: 18 digits, the first 8 a birth date YYYYMMDD and the next
    6 the month of appointment YYYYMM (spaces, dots and dashes between groups ignored)."""
    digits = "".join(ch for ch in text if ch not in " .-")
    if not re.fullmatch(_NIP, digits):
        raise InvalidNip(reason=N_("a NIP is 18 digits"))
    month, day, appointed = int(digits[4:6]), int(digits[6:8]), int(digits[12:14])
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1 <= appointed <= 12):
        raise InvalidNip(reason=N_("its first 8 digits are a birth date and the next 6 a month "
                                   "of appointment (YYYYMMDD YYYYMM)"))
    return digits


def to_roles(value: Iterable[Any]) -> tuple[Role, ...]:
    """Converter for stored roles: a tuple of `Role`, in the office's order."""
    held = {Role(v) for v in value}
    return tuple(role for role in Role if role in held)


def to_logins(value: Iterable[Any]) -> tuple[str, ...]:
    """Converter for stored lists of logins: a sorted tuple of strings."""
    return tuple(sorted(str(v) for v in value))


def role_list(roles: Iterable[Role]) -> str:
    """Roles for a sentence: ``operator, head`` (``none`` for no role)."""
    names = [role.value for role in Role if role in set(roles)]
    return ", ".join(names) if names else "none"
