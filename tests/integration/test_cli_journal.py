"""The journal's commands as people type them: help for every command and option, one-line
errors with their documented exit codes, integrity only (exit 7) without a public key."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.staff import me
from testkit.cli import assert_one_line_error, run
from testkit.keys import write_key_pair

COMMANDS = ["audit checkpoint", "audit consistency", "audit witness", "audit prove",
            "audit verify-proof", "audit verify", "db verify", "db upgrade"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_and_option_has_help(command: str) -> None:
    done = run(*command.split(), "--help", actor=None)
    assert done.code == 0 and "Usage:" in done.out
    options = [line for line in done.out.splitlines() if line.strip().startswith("--")]
    assert all(len(line.split("  ", 1)[-1].strip()) > 3 for line in options if "--help" not in line), options


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-journal")
    assert run("demo", "--file", str(folder / "office.db"), actor=None, role=None).code == 0
    write_key_pair(folder, "office", 7)
    write_key_pair(folder, "witness", 9)
    db = folder / "office.db"
    # The demo makes the OS user running it its head; the commands below run as an operator.
    assert run("staff", "grant", me(), "--role", "operator", db=db, role="head").code == 0
    assert run("audit", "checkpoint", "--sign-key", str(folder / "office.pem"), "--out",
               str(folder / "cp1"), db=db).code == 0
    assert run("card", "request", "--nik", "3517094508900004", "--name", "Ani", "--kk",
               "3517090101100004", "--village", "35.17.09.2018", db=db).code == 0
    done = run("audit", "checkpoint", "--out", str(folder / "cp2"), db=db,
               env={"EKTP_SIGN_KEY_FILE": str(folder / "office.pem")})  # the form
    assert done.code == 0, done.err
    assert done.out.startswith("ektp/35.17\n") and "\n— ektp/35.17 " in done.out
    return folder


def test_errors_are_one_line_with_their_codes(office: Path, tmp_path: Path) -> None:
    db = office / "office.db"
    assert_one_line_error(run("audit", "checkpoint", db=db), 2)  # no signing key
    (tmp_path / "bad").write_text("not a checkpoint\n")
    assert_one_line_error(run("audit", "consistency", "--from", str(tmp_path / "bad"), "--out",
                              str(tmp_path / "p"), db=db), 2)
    assert_one_line_error(run("audit", "consistency", "--from", str(office / "nowhere"), "--out",
                              str(tmp_path / "p"), db=db), 2)
    assert_one_line_error(run("audit", "consistency", "--from", str(office / "cp2"), "--to",
                              str(office / "cp1"), "--out", str(tmp_path / "p"), db=db), 6)
    assert run("audit", "consistency", "--from", str(office / "cp1"), "--out", str(tmp_path / "p"),
               db=db).code == 0
    assert_one_line_error(run("audit", "consistency", "--from", str(office / "cp1"), "--out",
                              str(tmp_path / "p"), db=db), 5)  # never overwrites
    witnessed = run("audit", "witness", str(tmp_path / "p"), "--held", str(office / "cp1"), "--new",
                    str(office / "cp2"), "--key", str(office / "witness.pem"), "--public-key",
                    str(office / "office.pub"), actor=None)
    assert witnessed.code == 0 and witnessed.out.count("\n— ") == 2
    assert_one_line_error(run("audit", "witness", str(tmp_path / "p"), "--held", str(office / "cp2"),
                              "--new", str(office / "cp1"), "--key", str(office / "witness.pem"),
                              actor=None), 6)  # the proof is not for it / a rollback
    assert_one_line_error(run("audit", "witness", str(tmp_path / "p"), "--held", str(office / "cp1"),
                              "--new", str(office / "cp2"), "--key", str(office / "witness.pem"),
                              "--name", "has space", actor=None), 6)


def test_integrity_only_is_never_a_plain_pass(office: Path, tmp_path: Path) -> None:
    db = office / "office.db"
    bundle = tmp_path / "card.proof"
    card = run("--json", "card", "list", db=db).json()[0]["id"]
    assert run("audit", "prove", card, "--checkpoint", str(office / "cp2"), "--out", str(bundle),
               db=db).code == 0
    alone = run("audit", "verify-proof", str(bundle), "--checkpoint", str(office / "cp2"), actor=None)
    assert alone.code == 7 and alone.out.startswith("INTEGRITY ONLY")
    both = run("--json", "audit", "verify-proof", str(bundle), "--checkpoint", str(office / "cp2"),
               "--public-key", str(office / "office.pub"), actor=None)
    assert both.code == 0 and both.json()["outcome"] == "verified"
    assert_one_line_error(run("audit", "verify-proof", str(bundle), "--checkpoint", str(office / "cp1"),
                              "--public-key", str(office / "office.pub"), actor=None), 6)
    verified = run("--json", "db", "verify", db=db)
    assert verified.code == 7 and verified.json()["outcome"] == "integrity-only"
    assert run("db", "verify", "--public-key", str(office / "office.pub"), db=db).code == 0
    assert_one_line_error(run("db", "verify", db=db, audit_key=None), 2)
