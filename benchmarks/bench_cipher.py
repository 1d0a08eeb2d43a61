"""Issue 14: what encrypting every stored event costs.

Writes with the office's cipher key (AES-256-GCM through eventsourcing's own
`eventsourcing.cryptography.AESCipher`, events and snapshots) against writes without
it, side by side in one run, on SQLite (WAL, synchronous=FULL) and PostgreSQL (fsync
on): the same card lifecycle through `Office`, one command on one store then the same
command on the other (the encrypted store first on every other card: going second is
faster, `bench_card_writes.side_by_side`), both journalled. Target >= 0.85x.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import report  # noqa: E402

AUDIT_KEY = bytes(range(32))
CIPHER_KEY = bytes(range(32, 64))


def writes(backend: str, new_url: Callable[[], str], cards: int, rounds: int) -> dict[str, float]:
    """Encrypted vs plain writes through `Office`, command by command, side by side."""
    from bench_card_writes import paired_rates

    from ektp.adapters.cipher_key import CipherKey
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.adapters.event_store.codec import CIPHER_MARKER
    from ektp.adapters.event_store.store import open_event_store
    from ektp.application.office import Office

    def encrypted(office: Office) -> None:
        last = office.store.app.recorder.select_notifications(  # type: ignore[attr-defined]
            start=office.store.last_position(), limit=1)[0]
        if not bytes(last.state).startswith(CIPHER_MARKER):
            raise AssertionError("the encrypted office stored a plain payload")

    commands, with_rate, without_rate = paired_rates(
        lambda cipher: open_event_store(DatabaseUrl.parse(new_url()), audit_key=AUDIT_KEY,
                                        cipher_key=CipherKey(CIPHER_KEY, "bench") if cipher else None),
        cards, rounds, encrypted)
    report(f"writes encrypted vs plain, {backend}, one transaction per command, median of "
           f"{rounds} rounds", [
        ("commands per round", f"{commands} ({cards} cards x 6 commands)"),
        ("encrypted (AES-256-GCM), commands/s", f"{with_rate:,.0f}"),
        ("plain, commands/s", f"{without_rate:,.0f}"),
        ("ratio encrypted / plain", f"{with_rate / without_rate:.2f}x  (target >= 0.85x)"),
    ])
    return {"encrypted": with_rate, "plain": without_rate, "ratio": with_rate / without_rate}


def run(cards: int = 200, rounds: int = 5) -> dict[str, float]:
    """Encrypted vs plain writes on SQLite and PostgreSQL."""
    from pg_server import postgres_databases

    workdir = Path(tempfile.mkdtemp(prefix="ektp-cipher-writes-"))
    counter = iter(range(10**6))
    figures: dict[str, float] = {}
    try:
        figures.update({f"sqlite_{k}": v for k, v in writes(
            "SQLite (WAL, synchronous=FULL)", lambda: f"sqlite:///{workdir / f'db-{next(counter)}.db'}",
            cards, rounds).items()})
        with postgres_databases() as new_database:
            figures.update({f"postgres_{k}": v for k, v in writes(
                "PostgreSQL (fsync on)", new_database, cards, rounds).items()})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return figures


if __name__ == "__main__":
    run()
