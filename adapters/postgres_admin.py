"""PostgreSQL administration for the staff register: the staff group role and its
privileges (``ektp db init``), and each member's login (``ektp staff ...``).

`secure_database`, run by the tables' owner, makes the event and snapshot
tables signed and append-only (`event_store.postgres.schema_statements`) and
grants the staff group role (``ektp_staff`` unless ``db init --group`` names
another) only what ektp's commands need: CONNECT on the database; SELECT and
INSERT on the event and snapshot tables (never UPDATE, DELETE or TRUNCATE);
EXECUTE on the insert-lock function; USAGE on the schema's sequences; and
SELECT, INSERT, UPDATE and DELETE on the read-model tables, which are derived
and rebuilt from the events. PUBLIC loses CONNECT on the database, so a login
outside the group cannot even connect.

`PostgresAccounts` keeps the logins in step with the register: an enrolled
member gets a login in the group, a suspended one loses LOGIN, a reinstated
one gets it back, when the acting head's own login may do so (CREATEROLE);
otherwise each step is returned as the SQL for the database administrator.
Passwords are never handled here: the member (or the administrator) sets one
with psql's ``\\password``, and ektp reads it from ``~/.pgpass``,
``PGPASSFILE`` or a service file.
"""

from __future__ import annotations

from typing import Any

from ektp.adapters.database_url import DatabaseUrl
from ektp.adapters.event_store.postgres import lock_function_name, schema_statements
from ektp.application.kernel.i18n import N_, _
from ektp.application.ports.staff_accounts import StaffAccounts

DEFAULT_GROUP = "ektp_staff"
EVENTS, SNAPSHOTS = "ektp_events", "ektp_snapshots"

SCHEMA = "public"


class NotOwner(Exception):
    """The login running ``db init`` cannot change the tables' privileges (one sentence)."""


def _connect(url: DatabaseUrl) -> Any:
    import psycopg

    return psycopg.connect(url.conninfo(), connect_timeout=5, autocommit=True)


def _ident(name: str) -> Any:
    from psycopg.sql import Identifier

    return Identifier(name)


def quote(name: str) -> str:
    """A role or database name as SQL (double-quoted: logins hold dots)."""
    return '"' + name.replace('"', '""') + '"'


def secure_database(url: DatabaseUrl, group: str = DEFAULT_GROUP) -> tuple[str, ...]:
    """Make the tables signed and append-only and grant `group` what the commands need;
    one line per thing done. Raises `NotOwner` when the login may not."""
    import psycopg
    from psycopg.sql import SQL

    from ektp.adapters.event_store.journal_tables import CHECKPOINTS as JOURNAL_CHECKPOINTS
    from ektp.adapters.event_store.journal_tables import INFO as JOURNAL_INFO
    from ektp.adapters.event_store.journal_tables import NODES as JOURNAL_NODES
    from ektp.adapters.event_store.subjects import TABLE as SUBJECT_KEYS
    from ektp.adapters.read_models.tables import metadata
    from ektp.adapters.schema import SCHEMA_TABLE

    s = _ident(SCHEMA)
    g = _ident(group)
    with _connect(url) as connection:
        owner = connection.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = %s AND tablename = %s",
            (SCHEMA, EVENTS)).fetchone()
        me = connection.execute("SELECT session_user").fetchone()[0]
        try:
            with connection.transaction():
                for table, lock in ((EVENTS, True), (SNAPSHOTS, False)):
                    for statement in schema_statements(SCHEMA, table, lock=lock):
                        connection.execute(statement)
                exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                            (group,)).fetchone()
                if not exists:
                    connection.execute(SQL("CREATE ROLE {g} NOLOGIN").format(g=g))
                database = _ident(connection.info.dbname)
                connection.execute(SQL("REVOKE CONNECT ON DATABASE {d} FROM PUBLIC").format(d=database))
                connection.execute(SQL("GRANT CONNECT ON DATABASE {d} TO {g}").format(d=database, g=g))
                connection.execute(SQL("GRANT USAGE ON SCHEMA {s} TO {g}").format(s=s, g=g))
                for table in (EVENTS, SNAPSHOTS):
                    t = _ident(table)
                    connection.execute(SQL("REVOKE ALL ON {s}.{t} FROM PUBLIC, {g}").format(s=s, t=t, g=g))
                    connection.execute(SQL("GRANT SELECT, INSERT ON {s}.{t} TO {g}").format(s=s, t=t, g=g))
                connection.execute(SQL("GRANT EXECUTE ON FUNCTION {s}.{f}() TO {g}").format(
                    s=s, f=_ident(lock_function_name(EVENTS)), g=g))
                connection.execute(SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {g}").format(s=s, g=g))
                # The journal (issue 13): nodes and checkpoints are only ever added; its
                # info row gets the audit key's id from the first write. The schema
                # version is read.
                for table, rights in ((JOURNAL_NODES, "SELECT, INSERT"),
                                      (JOURNAL_INFO, "SELECT, UPDATE"),
                                      (JOURNAL_CHECKPOINTS, "SELECT, INSERT"),
                                      # Per-subject keys (issue 14): made with a
                                      # resident's first event, re-wrapped by a key
                                      # rotation, deleted by an erasure.
                                      (SUBJECT_KEYS, "SELECT, INSERT, UPDATE, DELETE"),
                                      (SCHEMA_TABLE, "SELECT")):
                    connection.execute(SQL("GRANT " + rights + " ON {s}.{t} TO {g}").format(
                        s=s, t=_ident(table), g=g))
                for name in sorted(metadata.tables):
                    connection.execute(SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {s}.{t} TO {g}")
                                       .format(s=s, t=_ident(name), g=g))
        except psycopg.errors.InsufficientPrivilege:
            owner_name = owner[0] if owner else _("its owner")
            raise NotOwner(_("{me} may not change the tables' privileges: run 'ektp db init' "
                             "as {owner}, the owner of {table}").format(
                                 me=me, owner=owner_name, table=EVENTS)) from None
    return (_("event tables append-only and signed with the inserting login; "
              "staff group role {group}: SELECT and INSERT on the event tables").format(group=group),)


def staff_group(connection: Any) -> str | None:
    """The group role ``db init`` granted INSERT on the events table, if any."""
    row = connection.execute(
        "SELECT r.rolname FROM pg_roles r WHERE NOT r.rolcanlogin "
        "AND has_table_privilege(r.oid, %s, 'INSERT') "
        "AND r.oid <> (SELECT relowner FROM pg_class WHERE oid = to_regclass(%s)) "
        "ORDER BY r.rolname = %s DESC, r.rolname LIMIT 1",
        (f"{SCHEMA}.{EVENTS}", f"{SCHEMA}.{EVENTS}", DEFAULT_GROUP)).fetchone()
    return str(row[0]) if row else None


class PostgresAccounts(StaffAccounts):
    """Database logins for the register's members (see the module docstring)."""

    def __init__(self, url: DatabaseUrl) -> None:
        self._url = url

    def enrolled(self, login: str) -> tuple[str, ...]:
        """A login in the staff group for `login`, or the SQL to make one."""
        with _connect(self._url) as connection:
            group = staff_group(connection)
            if group is None:
                return (_("no staff group role yet: run 'ektp db init' as the tables' owner, "
                          "then enrol again"),)
            exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                                        (login,)).fetchone()
            steps = ([] if exists else [f"CREATE ROLE {quote(login)} LOGIN"]) + [
                f"GRANT {quote(group)} TO {quote(login)}"]
            done = _run(connection, steps)
        if not done:
            return (_(
                "database login {login}: ask the database administrator to run: {sql};").format(
                    
                        login=login, sql="; ".join(steps)),
                    _("then set its password in psql: \\password {login}").format(login=login))
        said = _("database login {login} created, member of {group}; set its password in psql "
                 "(\\password {login}) and keep it in ~/.pgpass, never on a command line") \
            if not exists else _(
                "database login {login} already existed, member of {group}; set its password in "
                "psql (\\password {login}) and keep it in ~/.pgpass, never on a command line")
        return (said.format(login=login, group=group),)

    def suspended(self, login: str) -> tuple[str, ...]:
        """`login` may no longer connect, or the SQL for that."""
        return self._login_flag(login, "NOLOGIN", N_("database login {login} may no longer connect"))

    def reinstated(self, login: str) -> tuple[str, ...]:
        """`login` may connect again, or the SQL for that."""
        return self._login_flag(login, "LOGIN", N_("database login {login} may connect again"))

    def _login_flag(self, login: str, flag: str, says: str) -> tuple[str, ...]:
        with _connect(self._url) as connection:
            row = connection.execute(
                "SELECT rolsuper OR pg_has_role(oid, (SELECT relowner FROM pg_class "
                "WHERE oid = to_regclass(%s)), 'MEMBER') FROM pg_roles WHERE rolname = %s",
                (f"{SCHEMA}.{EVENTS}", login)).fetchone()
            if row is None:
                return (_("there is no database login {login}").format(login=login),)
            if row[0]:
                return (_("database login {login} owns the tables or is a superuser: "
                          "ektp leaves its LOGIN alone").format(login=login),)
            statement = f"ALTER ROLE {quote(login)} {flag}"
            if _run(connection, [statement]):
                return (_(says).format(login=login),)
        return (_("ask the database administrator to run: {sql};").format(sql=statement),)


def _run(connection: Any, statements: list[str]) -> bool:
    """Run `statements` in one transaction; False if this login may not."""
    import psycopg

    try:
        with connection.transaction():
            for statement in statements:
                connection.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True
