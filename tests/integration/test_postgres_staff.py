"""A PostgreSQL office's staff on a real server: ``db init`` run by the database's owner,
each staff member's own login, privileges that make the event tables append-only for
every login, rows signed with the inserting login, and the audit catching an event
written by hand in someone else's name."""

from __future__ import annotations

import itertools
from pathlib import Path

import psycopg
import pytest
from testkit.cli import Result, assert_one_line_error, run
from testkit.keys import TEST_AUDIT_KEY_HEX
from testkit.people import kk_for, make_nik

pytestmark = pytest.mark.postgres
_n = itertools.count()
KEY_ENV = {"EKTP_AUDIT_KEY": TEST_AUDIT_KEY_HEX}  # the key the journal is written with


class Office:
    """A new database on the throwaway server owned by its own login, and a way to run
    ``ektp`` as any login (the URL names the login, never a password)."""

    def __init__(self, server: str) -> None:
        n = next(_n)
        self.server = server
        self.host = server.split("@", 1)[1].rsplit("/", 1)[0]  # 127.0.0.1:PORT
        self.name, self.owner = f"staffed_{n}", f"owner_{n}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE ROLE "{self.owner}" LOGIN CREATEROLE')
            admin.execute(f'CREATE DATABASE "{self.name}" OWNER "{self.owner}"')
            admin.execute(f'GRANT CREATE ON DATABASE "{self.name}" TO "{self.owner}"')
        with psycopg.connect(self.url(self.owner, "ektp"), autocommit=True) as c:
            c.execute(f'ALTER SCHEMA public OWNER TO "{self.owner}"')

    def url(self, login: str, as_login: str | None = None) -> str:
        return f"postgresql://{as_login or login}@{self.host}/{self.name}"

    def ektp(self, login: str, *args: str, role: str | None = None, **options: object) -> Result:
        env = {"EKTP_DATABASE_URL": self.url(login)} | dict(options.pop("env", {}))  # type: ignore[arg-type]
        return run(*args, env=env, role=role, **options)  # type: ignore[arg-type]

    def sql(self, login: str, statement: str, *params: object) -> list[tuple[object, ...]]:
        """`statement` in a transaction of its own, as `login` (committed if it succeeds)."""
        with psycopg.connect(self.url(login)) as c, c.transaction():
            cursor = c.execute(statement, params or None)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def admin(self, statement: str) -> None:
        with psycopg.connect(self.server, autocommit=True) as c:
            c.execute(statement)


@pytest.fixture
def office(postgres_server: str) -> Office:
    made = Office(postgres_server)
    head = f"kepala_{made.name}"
    done = made.ektp(made.owner, "db", "init", "--head", head, "--name", "Kepala Dinas")
    assert done.code == 0, done.err
    assert "append-only" in done.out and "created, member of ektp_staff" in done.out
    made.head = head  # type: ignore[attr-defined]
    return made


def test_the_owner_founds_the_register_and_each_member_acts_as_their_own_login(office: Office) -> None:
    head = office.head  # type: ignore[attr-defined]
    who = office.ektp(head, "--json", "whoami").json()
    assert (who["login"], who["established_by"], who["roles"]) == (head, "database login", ["head"])
    # The head's own login may not create roles: the SQL for the administrator is given.
    clerk = f"op_{office.name}"
    enrolled = office.ektp(head, "staff", "enrol", clerk, "--name", "Wulan Sari", "--role", "operator")
    assert enrolled.code == 0, enrolled.err
    assert f'CREATE ROLE "{clerk}" LOGIN; GRANT "ektp_staff" TO "{clerk}";' in enrolled.out
    assert "\\password" in enrolled.out
    office.admin(f'CREATE ROLE "{clerk}" LOGIN')
    office.admin(f'GRANT "ektp_staff" TO "{clerk}"')
    received = office.ektp(clerk, "blanks", "receive", "--bast", "B/1", "--source", "ministry",
                           "--range", "3517170001-3517170010")
    assert received.code == 0, received.err  # its writes take the insert lock through the function
    nik = make_nik()
    card = office.ektp(clerk, "card", "request", "--nik", nik, "--name", "Warga Uji",
                       "--kk", kk_for(nik), "--village", "35.17.09.2018")
    assert card.code == 0, card.err
    # Every stored row carries the login that inserted it.
    signers = dict(office.sql(office.owner, "SELECT inserted_by, count(*) FROM ektp_events "
                                            "GROUP BY inserted_by"))
    assert set(signers) == {office.owner, head, clerk}
    refused = office.ektp(clerk, "blanks", "destroy", "--record", "BA/1", "--method", "burn",
                          "--witness", "A B:x", "--witness", "C D:y", "--all-spoiled")
    assert_one_line_error(refused, 1)
    assert f"{clerk} acting as operator may not destroy spoiled blanks" in refused.err


def test_no_login_updates_deletes_or_truncates_a_stored_event(office: Office) -> None:
    head = office.head  # type: ignore[attr-defined]
    before = office.sql(office.owner, "SELECT count(*), md5(string_agg(state::text, '' "
                                      "ORDER BY notification_id)) FROM ektp_events")
    attacks = ["UPDATE ektp_events SET state = 'x'", "DELETE FROM ektp_events",
               "TRUNCATE ektp_events", "UPDATE ektp_snapshots SET state = 'x'",
               "DELETE FROM ektp_snapshots", "LOCK TABLE ektp_events IN EXCLUSIVE MODE"]
    for statement in attacks:  # a staff login: the privileges refuse
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            office.sql(head, statement)
    for statement in attacks[:5]:  # the owner: the triggers refuse
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            office.sql(office.owner, statement)
    assert office.sql(office.owner, "SELECT count(*), md5(string_agg(state::text, '' "
                                    "ORDER BY notification_id)) FROM ektp_events") == before
    # The staff group holds exactly SELECT and INSERT on the event tables.
    privileges = {row[0] for row in office.sql(
        office.owner, "SELECT privilege_type FROM information_schema.role_table_grants "
                      "WHERE grantee = 'ektp_staff' AND table_name = 'ektp_events'")}
    assert privileges == {"SELECT", "INSERT"}
    # A login outside the staff group cannot even connect.
    stranger = f"stranger_{office.name}"
    office.admin(f'CREATE ROLE "{stranger}" LOGIN')
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        office.sql(stranger, "SELECT 1")


def test_an_event_written_by_hand_in_someone_elses_name_fails_the_audit(office: Office,
                                                                        tmp_path: Path) -> None:
    head = office.head  # type: ignore[attr-defined]
    clerk = f"op_{office.name}"
    office.admin(f'CREATE ROLE "{clerk}" LOGIN')
    assert office.ektp(head, "staff", "enrol", clerk, "--name", "Wulan Sari", "--role",
                       "operator").code == 0
    office.admin(f'GRANT "ektp_staff" TO "{clerk}"')
    assert office.ektp(clerk, "blanks", "receive", "--bast", "B/1", "--source", "ministry",
                       "--range", "3517170001-3517170010").code == 0
    # The clerk copies a stored event and re-inserts it as the head's, naming the head as
    # the inserting login too: the trigger signs it with the clerk's own login regardless.
    office.sql(clerk, f"""
        INSERT INTO ektp_events (originator_id, originator_version, topic, state, inserted_by)
        SELECT gen_random_uuid(), 1, topic,
               convert_to(replace(convert_from(state, 'UTF8'), '"id":"{clerk}","role":"operator"',
                                  '"id":"{head}","role":"head"'), 'UTF8'), '{head}'
        FROM ektp_events WHERE topic LIKE '%ConsignmentReceived' LIMIT 1""")
    forged = office.sql(office.owner, "SELECT inserted_by FROM ektp_events ORDER BY notification_id "
                                      "DESC LIMIT 1")
    assert forged == [(clerk,)]
    # Written past ektp, the row has no journal leaf: `db verify` names it, and an export
    # (which ends at the journal's head) leaves it out; an event that does reach an export
    # in someone else's name fails `audit verify` (tests/unit/test_audit_signers.py).
    checked = office.ektp(head, "db", "verify", env=KEY_ENV)
    assert_one_line_error(checked, 6)
    exported = office.ektp(head, "audit", "export", "--out", str(tmp_path / "x"), env=KEY_ENV)
    assert exported.code == 0, exported.err
    lines = (tmp_path / "x" / "events.jsonl").read_text().splitlines()
    assert not any(f'"inserted_by":"{clerk}"' in line and f'"id":"{head}"' in line for line in lines)
    verified = run("audit", "verify", str(tmp_path / "x"), role=None)
    assert verified.code == 7, verified.err  # checks out; unsigned (no --public-key)


def test_suspension_takes_the_login_away_and_a_password_comes_from_pgpass(office: Office,
                                                                          tmp_path: Path) -> None:
    """The test server asks the role `guarded` for a password: ektp reads it from a
    PGPASSFILE, never from the command line."""
    head = office.head  # type: ignore[attr-defined]
    office.admin(f'GRANT CREATE ON DATABASE "{office.name}" TO "{head}"')
    office.admin(f'ALTER ROLE "{head}" CREATEROLE')
    assert office.ektp(head, "staff", "enrol", "guarded", "--name", "Penjaga Pintu", "--role",
                       "auditor").code == 0
    pgpass = tmp_path / "pgpass"
    host, port = office.host.split(":")
    pgpass.write_text(f"{host}:{port}:{office.name}:guarded:right-password\n")
    pgpass.chmod(0o600)
    without = office.ektp("guarded", "whoami")
    assert_one_line_error(without, 5)
    assert "password" in without.err
    signed_in = office.ektp("guarded", "--json", "whoami", env={"PGPASSFILE": str(pgpass)})
    assert signed_in.code == 0, signed_in.err
    assert signed_in.json()["login"] == "guarded" and signed_in.json()["roles"] == ["auditor"]
    suspended = office.ektp(head, "staff", "suspend", "guarded", "--reason", "investigation")
    assert suspended.code == 0 and "may no longer connect" in suspended.out
    gone = office.ektp("guarded", "whoami", env={"PGPASSFILE": str(pgpass)})
    assert_one_line_error(gone, 5)
    assert "not permitted to log in" in gone.err
    assert office.ektp(head, "staff", "reinstate", "guarded", "--reason", "cleared").code == 0
    assert office.ektp("guarded", "whoami", env={"PGPASSFILE": str(pgpass)}).code == 0


def test_a_service_file_names_the_server_and_holds_the_password(office: Office,
                                                                 tmp_path: Path) -> None:
    head = office.head  # type: ignore[attr-defined]
    office.admin(f'ALTER ROLE "{head}" CREATEROLE')
    assert office.ektp(head, "staff", "enrol", "guarded", "--name", "Penjaga Pintu", "--role",
                       "operator").code == 0
    host, port = office.host.split(":")
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[kantor]\nhost={host}\nport={port}\ndbname={office.name}\n"
                        "user=guarded\npassword=right-password\n")
    services.chmod(0o600)
    env = {"EKTP_DATABASE_URL": "postgresql://?service=kantor", "PGSERVICEFILE": str(services)}
    who = run("--json", "whoami", env=env, role=None)
    assert who.code == 0, who.err
    assert who.json()["login"] == "guarded"
    nik = make_nik()
    made = run("card", "request", "--nik", nik, "--name", "Warga", "--kk", kk_for(nik),
               "--village", "35.17.09.2018", env=env, role=None)
    assert made.code == 0, made.err
    assert run("--json", "card", "list", env=env, role=None).json()[0]["id"] == made.out.strip()
