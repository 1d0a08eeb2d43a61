"""``ektp staff ...`` and ``ektp whoami``: the staff register at the command line.

Only a head of office changes the register; ``staff list`` and ``staff show``
need a role that may see it (operator, head, auditor). ``whoami`` says who
ektp acts as here, and how that identity was established.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli import translated
from ektp.entrypoints.cli.output import emit, local_time, table
from ektp.entrypoints.cli.session import session

if TYPE_CHECKING:
    from ektp.application.staff.views import StaffView
    from ektp.adapters.database_url import DatabaseUrl

LOGIN = click.argument("login", metavar="LOGIN")
ROLES = ("operator", "courier", "head", "auditor")


F = TypeVar("F", bound=Callable[..., Any])


def _role_option(multiple: bool) -> Callable[[F], F]:
    return click.option("--role", "roles" if multiple else "role", required=True,
                        multiple=multiple, type=click.Choice(ROLES, case_sensitive=False),
                        help="A role: operator, courier, head, auditor (repeat for several)."
                        if multiple else "A role: operator, courier, head, auditor.")


def staff_data(view: StaffView) -> dict[str, Any]:
    """One member as JSON."""
    return {"login": view.login, "name": view.name, "nip": view.nip, "roles": list(view.roles),
            "status": view.status, "suspended_reason": view.suspended_reason,
            "enrolled_at": view.enrolled_at, "enrolled_by": view.enrolled_by,
            "version": view.version, "notes": list(view.notes)}


def staff_text(view: StaffView) -> str:
    """One member for people."""
    lines = [
        _("login        {login}").format(login=view.login),
        _("name         {value}").format(value=view.name or '-'),
        _("NIP          {value}").format(value=view.nip or '-'),
        _("roles        {value}").format(value=', '.join(view.roles) or 'none'),
        _("status       {status}").format(status=view.status) + (f" ({view.suspended_reason})" if view.suspended else ""),
        _("enrolled     {enrolled_at} by {enrolled_by}").format(enrolled_at=local_time(view.enrolled_at), enrolled_by=view.enrolled_by),
    ]
    return "\n".join(lines)


def _done(view: StaffView, verb: str) -> None:
    s = session()
    text = "\n".join([_("{login}: {verb}; roles {value}, "
                      "{status}").format(login=view.login, verb=verb, value=', '.join(view.roles) or 'none', status=view.status), *view.notes])
    emit(s.as_json, staff_data(view), text)


@click.group(cls=translated.Group)
def staff() -> None:
    """The staff register: who may act for the office, and in which roles.

    A login is the operating-system user (SQLite) or the database login
    (PostgreSQL) a staff member signs in as: 1-64 lower-case letters, digits or
    . _ @ -. Only a head of office changes the register; the office never loses
    its last active head.
    """


@staff.command()
@LOGIN
@click.option("--name", required=True, help="The staff member's full name.")
@click.option("--nip", help="Their NIP (18 digits), if a civil servant.")
@_role_option(multiple=True)
def enrol(login: str, name: str, nip: str | None, roles: tuple[str, ...]) -> None:
    """Enrol LOGIN with a name and one or more roles.

    On PostgreSQL the database login is created in the staff group when your own
    login may create roles; otherwise the SQL for the database administrator is
    printed. Passwords are never given to ektp: the member sets one in psql
    (\\password) and keeps it in ~/.pgpass (docs/operations.md)."""
    s = session()
    view = s.office().staff.enrol(s.actor(), login, name=name, nip=nip, roles=roles)
    _done(view, _("enrolled"))


@staff.command()
@LOGIN
@_role_option(multiple=False)
def grant(login: str, role: str) -> None:
    """Let LOGIN act in ROLE too."""
    s = session()
    _done(s.office().staff.grant(s.actor(), login, role), _("granted {role}").format(role=role))


@staff.command()
@LOGIN
@_role_option(multiple=False)
def revoke(login: str, role: str) -> None:
    """Take ROLE from LOGIN (never the office's last active head)."""
    s = session()
    _done(s.office().staff.revoke(s.actor(), login, role), _("revoked {role}").format(role=role))


@staff.command()
@LOGIN
@click.option("--reason", required=True, help="Why (kept in the register).")
def suspend(login: str, reason: str) -> None:
    """Stop LOGIN from doing anything until reinstated (never the last active head)."""
    s = session()
    _done(s.office().staff.suspend(s.actor(), login, reason), _("suspended"))


@staff.command()
@LOGIN
@click.option("--reason", required=True, help="Why (kept in the register).")
def reinstate(login: str, reason: str) -> None:
    """Let a suspended LOGIN act again in the roles they hold."""
    s = session()
    _done(s.office().staff.reinstate(s.actor(), login, reason), _("reinstated"))


@staff.command(name="list")
def list_() -> None:
    """Every member of the register: login, name, roles, status."""
    s = session()
    members = s.office().staff.members(s.actor())
    emit(s.as_json, [staff_data(m) for m in members],
         table([N_("login"), N_("name"), N_("roles"), N_("status")],
               [(m.login, m.name, ", ".join(m.roles) or "none", m.status) for m in members]))


@staff.command()
@LOGIN
def show(login: str) -> None:
    """One member of the register."""
    s = session()
    view = s.office().staff.member(s.actor(), login)
    emit(s.as_json, staff_data(view), staff_text(view))


@click.command(cls=translated.Command)
def whoami() -> None:
    """Who ektp acts as here: your login, how it was established, your name and roles."""
    from ektp.application.operations import NoDatabaseConfigured

    s = session()
    try:
        missing = _missing_file(s.database())
    except NoDatabaseConfigured:
        missing = "(none configured)"
    if missing is not None:
        # No database yet: on SQLite the OS says who you are all the same.
        from ektp.adapters.identity import OperatingSystemUser

        identity = OperatingSystemUser().identify(None)
        login = identity.login if identity else _("(no login)")
        where = (_("no office database is configured") if missing == "(none configured)"
                 else _("no database file at {missing}").format(missing=missing))
        emit(s.as_json, {"login": login, "established_by": "operating-system user",
                         "enrolled": False, "register_founded": False, "database": None},
             _("login        {login} (operating-system user)\n"
             "{where}: create it with 'ektp db init --head LOGIN'").format(login=login, where=where))
        return
    me = s.office().staff.whoami()
    data: dict[str, Any] = {"login": me.login, "established_by": me.established_by,
                            "enrolled": me.member is not None,
                            "register_founded": me.register_founded}
    lines = [_("login        {login} ({established_by})").format(login=me.login, established_by=_(me.established_by))]
    if me.member is not None:
        data.update(staff_data(me.member))
        lines += [_("name         {value}").format(value=me.member.name or '-'),
                  _("roles        {value}").format(value=', '.join(me.member.roles) or 'none'),
                  _("status       {status}").format(status=me.member.status)
                  + (f" ({me.member.suspended_reason})" if me.member.suspended else "")]
    elif me.register_founded:
        lines.append(_("not in the staff register: a head of office enrols staff "
                     "('ektp staff enrol {login} --name NAME --role ROLE')").format(login=me.login))
    else:
        lines.append(_("the staff register is empty: found it with 'ektp db init --head LOGIN'"))
    emit(s.as_json, data, "\n".join(lines))


def _missing_file(parsed: DatabaseUrl) -> str | None:
    """The path of the SQLite file `parsed` names, if it does not exist."""
    import os

    if parsed.kind == "sqlite" and not os.path.exists(parsed.path):
        return parsed.path
    return None
