"""The ``ektp`` command's start-up (ektp.entrypoints.cli.startup): the cyclic collector
paused while it imports and opens the office, running again for the command's own work,
and never left stopped (or started) for a program that set it itself."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from ektp.entrypoints.cli import startup, translated
from ektp.entrypoints.cli.session import Session


@pytest.fixture(autouse=True)
def _collector_as_found() -> Iterator[None]:
    was = gc.isenabled()
    yield
    startup._state["paused"] = False
    gc.unfreeze()
    if was:
        gc.enable()
    else:
        gc.disable()


def test_a_paused_collector_runs_again_when_the_command_starts() -> None:
    seen = []

    @click.command(cls=translated.Command)
    def work() -> None:
        seen.append(gc.isenabled())

    startup.pause()
    assert not gc.isenabled()
    result = CliRunner().invoke(work, [])
    assert result.exit_code == 0, result.output
    assert seen == [True] and gc.isenabled()


def test_resuming_leaves_a_collector_stopped_by_its_program_stopped() -> None:
    gc.disable()  # a host program's own choice
    startup.pause()
    startup.resume()
    assert not gc.isenabled()
    with startup.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_office_opens_without_collection_and_collection_runs_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    during = []
    opened = object()

    def opening(self: Session, **_options: object) -> object:
        during.append(gc.isenabled())
        return opened

    monkeypatch.setattr(Session, "_open", opening)
    gc.enable()
    session = Session(db=None, as_json=False)
    assert session.office() is opened and session.office() is opened  # opened once
    assert during == [False] and gc.isenabled()


def test_paused_restores_the_collector_after_a_failure() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), startup.paused():
        raise RuntimeError("the office cannot open")
    assert gc.isenabled()


def test_only_the_ektp_command_pauses_the_collector() -> None:
    probe = textwrap.dedent("""
        import gc, sys
        sys.argv[0] = sys.argv[1]
        import ektp.entrypoints
        print(gc.isenabled(), type(sys.modules["ektp.adapters.attrs_cache"]).__name__
              if "ektp.adapters.attrs_cache" in sys.modules else None)
    """)
    def run(argv0: str) -> str:
        done = subprocess.run([sys.executable, "-c", probe, argv0], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run("/usr/bin/ektp") == "False module"  # paused; the attrs cache installed
    assert run("some-program") == "True None"  # an embedding program: as it set them
