"""A host program embedding ektp: an "SMS" line for every dispatched and handed-over
card, exactly once across restarts.

The output file is both the outbox and the bookmark: each line starts with the
position of the event it reports, is written in one append and flushed to disk
before the next event is read, and on start the last complete line says where
to resume (a line torn by a crash is cut off and written again).

    python examples/notifier/notifier.py --db sqlite:///ektp.db --out sms.log [--follow]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from ektp.domain.card.events import Dispatched, HandedOver
from ektp.entrypoints import open_office


def resume_position(out: Path) -> int:
    """The position of the last complete line of `out`, cutting off a torn last line."""
    if not out.exists():
        return 0
    data = out.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with out.open("r+b") as f:
            f.truncate(len(complete))
    lines = complete.decode().splitlines()
    return int(lines[-1].split("\t", 1)[0]) if lines else 0


def message(event: object) -> str | None:
    """The SMS for an event, or None (no personal data: the card id says whose)."""
    if isinstance(event, Dispatched):
        return f"card {event.originator_id}: your e-KTP is on its way with courier {event.courier}"
    if isinstance(event, HandedOver):
        return f"card {event.originator_id}: your e-KTP was handed over ({event.place.value})"
    return None


def main() -> None:
    """Send (append) every pending SMS; with --follow keep waiting for new events."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("EKTP_DATABASE_URL", "sqlite:///ektp.db"))
    parser.add_argument("--out", type=Path, required=True, help="the SMS outbox file")
    parser.add_argument("--follow", action="store_true", help="keep waiting for new events")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds per SMS (a slow gateway)")
    args = parser.parse_args()
    position = resume_position(args.out)
    with open_office(args.db) as office, args.out.open("ab") as out:
        records = office.follow(position, poll_seconds=0.2) if args.follow else office.events_since(position)
        for record in records:
            text = message(record.event)
            if text is None:
                continue
            time.sleep(args.delay)
            out.write(f"{record.position}\t{text}\n".encode())
            out.flush()
            os.fsync(out.fileno())


if __name__ == "__main__":
    main()
