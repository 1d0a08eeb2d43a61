"""Ctrl-C (SIGINT) and SIGTERM for the ``ektp`` command: never a traceback, and
never a write that was recorded but not reported.

- **Before a write starts** (parsing, imports, reads), a signal ends the command
  at once: one line on stderr, exit code 130. Nothing is half-written: a
  transaction not committed rolls back when the process ends.
- **From the moment a write starts** until the command ends, the signal waits:
  the write commits (or fails) and its result is printed as usual (the new
  card's id, say), and the command ends as it would have. A second signal in
  that time ends the command at once, saying the write may have been recorded,
  for a command stuck waiting (a write waits at most ``lock_timeout``). On
  SQLite the wait for another process's lock happens inside the sqlite3 module,
  where Python runs no handler until it ends, so there the signal is seen (and
  the write reported) once the lock comes free or ``lock_timeout`` runs out.

`install` runs as the very first thing the ``ektp`` command does (from
``ektp.entrypoints``, before the imports it triggers: Python's own handler would
raise KeyboardInterrupt inside any of them). Python's interpreter start-up,
before any ektp code runs, is outside its reach: a signal then ends the process
with Python's default behaviour. Programs that call `main` themselves (tests,
embedding hosts) keep their own handlers: nothing is installed for them.
"""

# No `from __future__` and no import but the interpreter's own (`_signal`; `os` and `sys`
# are loaded before any program runs): everything imported before `install` is a moment
# at which Python's default handler would still raise KeyboardInterrupt.
import _signal  # type: ignore[import-not-found]  # (typeshed has stubs for `signal` only)
import os
import sys

from ektp.application.kernel.i18n import _
INTERRUPTED = 130  # as exit_codes.INTERRUPTED (not imported: this runs before any import)
_state = {"installed": False, "hooked": False, "deferring": False, "pending": 0}


def install() -> None:
    """Handle SIGINT and SIGTERM as described above, from now on."""
    _signal.signal(_signal.SIGINT, _handle)
    _signal.signal(_signal.SIGTERM, _handle)
    _state["installed"] = True


def defer_during_writes(app: object) -> None:
    """From the first write of `app` (an eventsourcing Application) on, hold signals
    until the command ends (only when `install` has run)."""
    if not _state["installed"]:
        return
    _state["hooked"] = True
    events = getattr(app, "events")
    put = events.put

    def deferring_put(*args: object, **kwargs: object) -> object:
        _state["deferring"] = True
        return put(*args, **kwargs)

    events.put = deferring_put


def _handle(signum: int, frame: object) -> None:  # noqa: ARG001 - the handler's signature
    if _state["deferring"]:
        if not _state["pending"]:
            _state["pending"] = signum
            _say(_("finishing the write in progress first, to report it "
                 "(interrupt again to abandon it)"))
            return
        _say(_("abandoned during a write, which may have been recorded: look before doing it again"))
        os._exit(INTERRUPTED)
    _say(_("stopped before anything was recorded.") if _state["hooked"] else _("stopped."))
    os._exit(INTERRUPTED)


def _say(message: str) -> None:
    """One line on stderr, as every ektp error is (JSON with --json)."""
    if "--json" in sys.argv[1:]:
        # By hand: an import here could meet a module half-imported when the signal came.
        line = ('{"error": "Interrupted", "kind": "interrupted", "message": "'
                + message.replace("\\", "\\\\").replace('"', '\\"') + '"}')
    else:
        line = f"ektp: interrupted: {message}"
    try:
        os.write(2, (line + "\n").encode())
    except OSError:
        pass
