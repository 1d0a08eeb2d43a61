"""The journal for a database written before it existed (``ektp db upgrade``,
schema version 2): its tables, then every stored event's leaf, once."""

from __future__ import annotations

from typing import Any

from ektp.adapters.event_store.journal_tables import describe_head
from ektp.application.audit.journal import build_journal
from ektp.application.kernel.store import store_errors


def build_missing_journal(store: Any) -> str | None:
    """Build the store's journal if it has none; a line saying how it was built (None
    when there was nothing to build: a store without a journal, or one already built)."""
    recorder = getattr(store, "recorder", None)
    if recorder is None or not hasattr(recorder, "build_journal"):
        return None  # a store opened without the journal (benchmarks only)
    with store_errors():
        recorder.create_journal_tables()  # and an empty head if there are no events yet
        if recorder.journal_head() is not None:
            return None  # built already (or a database that had no events)
        head = build_journal(recorder, store.mapper, recorder.journal.form())
    return (f"journal built for the {head.size} events already stored (leaves 0..{head.size - 1}, "
            f"from the events as stored today); {describe_head(head)}; from leaf "
            f"{head.built_from} on, every leaf is written with its event")
