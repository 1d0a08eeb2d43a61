"""What the ``ektp`` command does to start sooner (issues 14 and 15: a write within 2x of a
bare ``import eventsourcing.sqlite``).

- attrs' generated methods come from the cache made at install
  (`ektp.adapters.attrs_cache`), not compiled again.
- Python's cyclic garbage collector is paused while the command imports its modules and
  opens the office: building ~75 attrs classes, the enums and click's commands allocates
  enough containers to set off collection after collection, each walking every object
  made so far, for garbage that is almost none (about 4% of a write command's
  instructions). It runs again from the moment the command's own work starts (its
  callback, `translated.Command.invoke`) and after the office is open (`paused` in
  `Session.office`), so a long command (a bulk import) collects as usual; only what
  those start-up steps leave cyclic waits, a few kilobytes.

Only the ``ektp`` command calls `begin` (`ektp.entrypoints`); a program calling `main`
itself keeps its collector as it set it: `resume` and `paused` only undo this module's
own pause.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_state = {"paused": False}


def begin() -> None:
    """The ``ektp`` command's start: the attrs cache in place, the collector paused."""
    from ektp.adapters import attrs_cache

    attrs_cache.install()
    pause()


def pause() -> None:
    """Pause the cyclic collector, if it runs (`resume` undoes only this)."""
    if gc.isenabled():
        gc.disable()
        _state["paused"] = True


def resume() -> None:
    """Let the collector run again, if `pause` stopped it, past what was made meanwhile
    (``gc.freeze``: modules, classes and functions, there for the process's life),
    which its first collections would otherwise walk in full."""
    if _state["paused"]:
        _state["paused"] = False
        gc.freeze()
        gc.enable()


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block (opening the office: its imports); after
    it, the collector runs again unless something else had stopped it."""
    was_running = gc.isenabled()
    pause()
    try:
        yield
    finally:
        if was_running:
            resume()
