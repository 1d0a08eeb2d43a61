"""Whether an acknowledged write survives a crash, checked when the store opens.

- **SQLite**: every connection ektp opens sets ``synchronous=FULL`` and reads it
  back, and reads the journal mode (WAL, or a rollback journal: both keep a
  committed transaction through a power cut with ``synchronous=FULL``; ``off``
  and ``memory`` do not). The read models' engine does the same
  (`adapters.read_models.engine`).
- **PostgreSQL**: ``fsync`` and ``full_page_writes`` must be on (server-wide
  settings: off, a crash can lose or tear committed pages). ``synchronous_commit``
  is set ``on`` by every ektp connection (`waits.postgres_options`), so a server
  whose default is off still commits ektp's writes durably; `Durability` reports
  the server's default.

A store with a problem is opened, and reads work, but its writes are refused
(`UnsafeDurability`, saying why) unless the office configuration allows it
(``allow_unsafe_durability``: for a throwaway database, such as the test suite's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ektp.application.kernel.i18n import _
from ektp.application.operations import UnsafeDurability

if TYPE_CHECKING:
    from eventsourcing.application import Application

SAFE_JOURNALS = ("wal", "delete", "truncate", "persist")


class Durability(NamedTuple):
    """What the store's durability settings are (`settings`: name -> value) and what
    is wrong with them (`problems`, empty when safe)."""

    settings: dict[str, str]
    problems: tuple[str, ...] = ()
    allowed: bool = False  # the configuration allows writes despite the problems

    @property
    def safe(self) -> bool:
        """Whether nothing is wrong."""
        return not self.problems


def sqlite_problems(synchronous: int, journal_mode: str) -> tuple[str, ...]:
    """What is unsafe about a SQLite connection with these settings."""
    problems = []
    if synchronous < 2:
        problems.append(_("PRAGMA synchronous is {synchronous}, not FULL (2)").format(
            synchronous=synchronous))
    if journal_mode.lower() not in SAFE_JOURNALS:
        problems.append(_("the journal mode is {mode}").format(mode=journal_mode))
    return tuple(problems)


def postgres_durability(values: Sequence[str]) -> Durability:
    """The durability of a server whose fsync, full_page_writes and (server default)
    synchronous_commit are `values`."""
    fsync, full_page_writes, synchronous_commit = values
    settings = {"fsync": fsync, "full_page_writes": full_page_writes,
                "synchronous_commit": _("on for ektp (server default {default})").format(
                    default=synchronous_commit)}
    problems = [f"{name}={value}" for name, value in (("fsync", fsync),
                                                     ("full_page_writes", full_page_writes))
                if value != "on"]
    return Durability(settings, tuple(problems))


POSTGRES_QUERY = ("SELECT current_setting('fsync'), current_setting('full_page_writes'), "
                  "current_setting('synchronous_commit')")


class _RefusingEvents:
    """The application's event store with its writes refused (reads pass through)."""

    def __init__(self, inner: Any, refusal: UnsafeDurability) -> None:
        self._inner = inner
        self._refusal = refusal

    def put(self, *args: Any, **kwargs: Any) -> Any:
        """Refuse the write, saying why."""
        raise self._refusal

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def guard(store: Application[Any], durability: Durability, where: str) -> Durability:
    """Refuse `store`'s writes if `durability` has problems the configuration does not
    allow; return what was found (kept on the store for ``db check``)."""
    if durability.problems and not durability.allowed:
        refusal = UnsafeDurability(where=where, problems=", ".join(durability.problems))
        store.events = _RefusingEvents(store.events, refusal)  # type: ignore[assignment]
    return durability
