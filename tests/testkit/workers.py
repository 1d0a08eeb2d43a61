"""Programs the reliability tests run as separate OS processes."""

from __future__ import annotations

import contextlib
import io
import json
import random
import sys
import time

from testkit.people import kk_for, make_nik

CAP = 3


def _cli(url: str, *args: str, role: str = "operator") -> tuple[int, str]:
    """Run the ektp CLI in this process (same code path as the command), acting as this
    process's own identity in `role`; (exit code, stdout)."""
    from ektp.entrypoints.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["--db", url, "--json", "--as", role, *args])
        except SystemExit as done:
            code = int(done.code or 0)
    return code, out.getvalue()


def _next_command(card: dict[str, object], rng: random.Random, courier: str) -> list[str]:
    status, attempts, cid = card["status"], int(card["attempts"]), str(card["id"])  # type: ignore[call-overload]
    if status == "REQUESTED":
        return ["card", "ready", cid]
    if status == "READY_TO_PRINT":
        return ["card", "allocate", cid]  # the next blank in stock
    if status == "BLANK_ALLOCATED":
        return rng.choice([["card", "print", cid], ["card", "print-failed", cid, "--reason", "print-failed"]])
    if status == "PRINTED" or (status == "RETURNED" and attempts < CAP and rng.random() < 0.5):
        return ["card", "dispatch", cid, "--courier", courier]
    if status == "RETURNED":
        return ["card", "hand-over", cid, "--recipient", "owner", "--verified-by", "ktp", "--place", "office"]
    if status == "DISPATCHED":
        options = [["card", "return", cid, "--reason", "not home"]]
        if attempts < CAP:
            options += [["card", "attempt-failed", cid, "--reason", "not-at-home"],
                        ["card", "hand-over", cid, "--recipient", "owner", "--verified-by", "ktp"]]
        return rng.choice(options)
    return []


def random_commands(url: str, worker: str, seconds: str, pool_file: str, log_file: str) -> None:
    """Issue random valid commands on the cards in `pool_file` until time is up.

    Logs one JSON line per command: the command, its exit code, and for an
    acknowledged one the card id, version and event it wrote. Every worker acts as
    the store's own identity (the database login), an operator and a courier in
    the register, and carries the cards it dispatches itself.
    """
    from testkit.staff import staffed_office

    me = json.loads(_cli(url, "whoami")[1])["login"]
    w = int(worker)
    rng = random.Random(w)
    pool: list[str] = json.load(open(pool_file))
    new_niks = (make_nik(serial=w * 1000 + n) for n in range(1, 1000))
    deadline = time.monotonic() + float(seconds)
    with open(log_file, "w") as log:
        while time.monotonic() < deadline:
            index = rng.randrange(len(pool))
            with staffed_office(url) as office:
                view = office.card(pool[index])
            card = {"id": str(view.id), "status": view.status, "attempts": view.attempts}
            if view.status in ("HANDED_OVER", "CANCELLED"):
                nik = next(new_niks)
                args = ["card", "request", "--nik", nik, "--name", "Warga", "--kk", kk_for(nik),
                        "--village", "35.17.09.2018"]
            else:
                args = _next_command(card, rng, me)
            role = "courier" if args[1] in ("attempt-failed",) or (
                args[1] == "hand-over" and "--place" not in args) else "operator"
            code, out = _cli(url, *args, role=role)
            entry: dict[str, object] = {"args": args, "code": code}
            if code == 0:
                shown = json.loads(out)
                entry.update(card=shown["id"], version=shown["version"], status=shown["status"])
                if args[1] == "request":
                    pool[index] = shown["id"]
            log.write(json.dumps(entry) + "\n")
            log.flush()


def endless_lifecycles(url: str, seed_text: str) -> None:
    """Take new cards through their whole life until killed; catch up the read
    models now and then; print each acknowledged card id."""
    from testkit.people import COURIER, OPERATOR
    from testkit.staff import staffed_office

    seed = int(seed_text)
    operator, courier = OPERATOR, COURIER
    with staffed_office(url) as office:
        for n in range(1, 9000):
            nik = make_nik(serial=(seed * 7919 + n) % 9999 + 1, day=1 + seed % 28)
            try:
                card = office.request_card(operator, nik=nik, name="Warga", kk=kk_for(nik),
                                           village="35.17.09.2018").id
            except Exception:
                continue
            office.confirm_print_readiness(operator, card)
            office.allocate_blank(operator, card)
            office.record_printed(operator, card)
            office.dispatch(operator, card, courier.id)
            office.hand_over(courier, card, recipient="owner", verified_by="ktp")
            print(card, flush=True)
            if n % 5 == 0:
                office.catch_up_read_models()


def endless_rebuilds(url: str) -> None:
    """Rebuild the read models over and over until killed."""
    from testkit.staff import staffed_office

    with staffed_office(url) as office:
        while True:
            office.rebuild_read_models()
            print("rebuilt", flush=True)


if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
