"""The embedding example: the notifier is killed mid-stream, restarted, and every
SMS appears exactly once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from testkit.people import COURIER, OPERATOR, kk_for, make_nik
from testkit.stock import stock
from testkit.staff import staffed_office


NOTIFIER = Path(__file__).resolve().parents[2] / "examples" / "notifier" / "notifier.py"


def deliver_cards(url: str, first: int, count: int) -> None:
    with staffed_office(url) as office:
        stock(office, count, first=3517000000 + first)
        for n in range(first, first + count):
            nik = make_nik(serial=n)
            card = office.request_card(OPERATOR, nik=nik, name="Warga", kk=kk_for(nik),
                                       village="35.17.09.2018").id
            office.confirm_print_readiness(OPERATOR, card)
            office.allocate_blank(OPERATOR, card, str(3517000000 + n))
            office.record_printed(OPERATOR, card)
            office.dispatch(OPERATOR, card, COURIER.id)
            office.hand_over(COURIER, card, recipient="owner", verified_by="ktp")


def expected_messages(url: str) -> list[str]:
    with staffed_office(url) as office:
        return [f"{r.position}\t" for r in office.events_since(0) if r.type in ("Dispatched", "HandedOver")]


def start(url: str, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(NOTIFIER), "--db", url, "--out", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_every_sms_exactly_once_across_kills_and_restarts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    out = tmp_path / "sms.log"
    deliver_cards(url, 1, 30)
    for kill_after in (1.0, 1.2):  # killed twice mid-stream (a slow gateway: 50 ms per SMS)
        notifier = start(url, out, "--follow", "--delay", "0.05")
        time.sleep(kill_after)
        os.kill(notifier.pid, signal.SIGKILL)
        notifier.wait()
    follower = start(url, out, "--follow")
    deliver_cards(url, 31, 10)  # new events while it follows
    deadline = time.monotonic() + 60
    while len(out.read_text().splitlines()) < 80 and time.monotonic() < deadline:
        time.sleep(0.2)
    follower.send_signal(signal.SIGKILL)
    follower.wait()
    lines = out.read_text().splitlines()
    positions = [line.split("\t", 1)[0] + "\t" for line in lines]
    assert positions == expected_messages(url)  # every message, once, in order
    # No NIK in a message: a NIK is 16 digits (the card ids in the lines are hex and
    # dashes, which may well contain "3517" by chance).
    assert all("your e-KTP" in line and not re.search(r"[0-9]{16}", line) for line in lines)


def test_a_torn_last_line_is_written_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    out = tmp_path / "sms.log"
    deliver_cards(url, 1, 2)
    expected = expected_messages(url)
    first = subprocess.run([sys.executable, str(NOTIFIER), "--db", url, "--out", str(out)],
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:2]) + "\n" + lines[2][:7])  # a crash mid-append
    again = subprocess.run([sys.executable, str(NOTIFIER), "--db", url, "--out", str(out)],
                           capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert [line.split("\t", 1)[0] + "\t" for line in out.read_text().splitlines()] == expected
