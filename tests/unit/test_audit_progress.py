"""The progress bar of long audit runs: on stderr, only when it is a terminal."""

from __future__ import annotations

import io
import sys

import pytest

from ektp.entrypoints.cli.audit import _progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_run_on_a_terminal_shows_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _progress(10**6, "verifying") as update:
        assert update is not None
        update(500_000)
        update(10**6)
    assert "verifying" in terminal.getvalue()


def test_no_bar_when_stderr_is_not_a_terminal_or_the_run_is_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with _progress(10**6, "verifying") as update:
        assert update is None
    monkeypatch.setattr(sys, "stderr", _Terminal())
    with _progress(1000, "verifying") as update:
        assert update is None
