"""An office with one of each paper to print (tests of the receipt, the courier's sheet,
the hand-over record and the destruction record)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
from testkit.staff import me, staff_file

from ektp.adapters.clocks import ScriptedClock
from ektp.application.manifest.results_file import read_results
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office

VILLAGE = "35.17.08.2014"
KK = "3517080101901230"
NIKS = [f"35170814098200{n:02d}" for n in range(11, 16)]  # five residents on one round
GONE_NIK = "3517084804010004"  # an uncollected card, destroyed
NAMES = ("Siti Aminah", "Bambang Sutrisno Wicaksono Adi", "Rina Lestari", "Ayu Wulandari",
         "Hendra Gunawan")
RECORD = "BA/PEMUSNAHAN/01"
WITNESSES = ("Budi Santoso:inspektorat", "Sri Wahyuni:kecamatan")


@attrs.frozen
class PapersOffice:
    """The office's file and what is in it."""

    db: Path
    cards: list[str]
    manifest: str
    destroyed: str


def papers_office(folder: Path) -> PapersOffice:
    """A SQLite office in November 2017: five printed cards (the second for a damaged old
    card) on a dispatched manifest, one handed over and one not at home; a sixth card
    returned, uncollected after its holding period and destroyed on 10 February 2018, and
    two spoiled blanks destroyed that day before two witnesses, both under `RECORD`."""
    db = staff_file(folder / "office.db")
    clock = ScriptedClock(dt.datetime(2017, 11, 6, 2, tzinfo=dt.timezone.utc))
    operator, head = Actor(me(), Role.OPERATOR), Actor(me(), Role.HEAD)
    with open_office(f"sqlite:///{db}", clock=clock) as o:
        o.staff.grant(head, me(), Role.COURIER)
        o.receive_blanks(operator, bast="BAST/1", source="ministry",
                         ranges=["3517170001-3517170020"])

        def printed(nik: str, name: str, rt: int, **extra: str) -> str:
            card = str(o.request_card(operator, nik=nik, name=name, kk=KK, village=VILLAGE,
                                      rt=str(rt), rw="1", **extra).id)
            o.confirm_print_readiness(operator, card)
            o.allocate_blank(operator, card)
            o.record_printed(operator, card)
            return card

        cards = [printed(nik, NAMES[n - 1], n,
                         **({"reason": "damaged", "evidence": "0012345678"} if n == 2 else {}))
                 for n, nik in enumerate(NIKS, 1)]
        gone = printed(GONE_NIK, "Dewi Lestari", 9)
        manifest = str(o.manifests.open_manifest(operator, courier=me(), date="2017-11-14",
                                                 villages=[VILLAGE]).id)
        o.manifests.assign_cards(operator, manifest, cards)
        o.manifests.dispatch_manifest(operator, manifest, "SEGEL-7")
        o.manifests.record_results(Actor(me(), Role.COURIER), manifest, read_results(
            "card,outcome,recipient,verified-by,evidence,reason\n"
            f"{cards[0]},handed-over,owner,ktp,TTD-1,\n{cards[3]},attempt-failed,,,,not-at-home\n"))
        o.dispatch(operator, gone, "kurir.anto")  # another courier: we check it back in
        o.return_card(operator, gone, "not at home")
        clock.set(dt.datetime(2018, 2, 10, 2, tzinfo=dt.timezone.utc))  # past the 90 days
        o.declare_uncollected(head, gone)
        o.destroy(head, gone, "tidak diambil dalam masa simpan", RECORD)
        o.spoil_blanks(operator, ["3517170019", "3517170020"], "physical-damage")
        o.destroy_spoiled(head, record=RECORD, method="burn", witnesses=list(WITNESSES),
                          serials=(), all_spoiled=True)
    return PapersOffice(db, cards, manifest, gone)
