"""The Jombang launch scenario of November 2017, told through the `Office` API.

Residents of Desa Jabon (Kec. Jombang), Desa Ngudirejo (Kec. Diwek) and Desa
Alang-alang Caruban (Kec. Jogoroto) request cards; the office receives a
consignment of blanks from the ministry, confirms print readiness, allocates
blanks from stock, prints (one chip fails to encode), and sends one courier per
village with a sealed manifest. The couriers hand cards over at the door: to
owners, once to a spouse on the same KK; one resident has moved, so that card
comes back and an officer checks it in before the manifests close.
All people here are invented; their NIKs are well-formed, not real.

The demo is a host program: its invented staff sign in at its own (scripted)
counter, `DemoCounter`, an identity provider standing for a host program's
authentication. The operating-system user running the demo founds the staff
register as its first head of office and enrols the invented staff, so that
afterwards they can explore the demo's file with the CLI as its head.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import attrs

from ektp.adapters.clocks import ScriptedClock
from ektp.adapters.identity import os_login
from ektp.application.office import Office
from ektp.application.manifest.results_file import ResultRow
from ektp.application.ports.identity import Identity, IdentityProvider
from ektp.domain.actor import Actor, Role
from ektp.domain.errors import InvalidLogin
from ektp.domain.staff.vocabulary import parse_login

WIB = dt.timezone(dt.timedelta(hours=7))
JABON, NGUDIREJO, ALANG_ALANG_CARUBAN = "35.17.09.2018", "35.17.08.2014", "35.17.19.2003"
OPERATOR = Actor("op.wulan", Role.OPERATOR)
CHECK_IN_OFFICER = Actor("op.hadi", Role.OPERATOR)
COURIERS = {JABON: "kurir.anto", NGUDIREJO: "kurir.dian", ALANG_ALANG_CARUBAN: "kurir.yusuf"}
HEAD_OF_OFFICE = Actor("kepala", Role.HEAD)
# The office's invented staff: login, name, roles.
STAFF = (
    ("kepala", "Suharto Wibisono", (Role.HEAD,)),
    ("op.wulan", "Wulan Sari", (Role.OPERATOR,)),
    ("op.hadi", "Hadi Susanto", (Role.OPERATOR,)),
    ("kurir.anto", "Anto Wibowo", (Role.COURIER,)),
    ("kurir.dian", "Dian Pratiwi", (Role.COURIER,)),
    ("kurir.yusuf", "Yusuf Hidayat", (Role.COURIER,)),
)
DEMO_LOGINS = frozenset(login for login, _, _ in STAFF)


def demo_host() -> str:
    """The login that founds the demo's register: the OS user running it (or, if its
    name is no staff login, the invented head of office)."""
    login = os_login()
    try:
        return parse_login(login or "")
    except InvalidLogin:
        return HEAD_OF_OFFICE.id


class DemoCounter(IdentityProvider):
    """The demo's counter, where its invented staff have signed in: a host program's
    authentication, scripted. It establishes the demo's staff and the OS user running
    it (who founds the register), nobody else."""

    def __init__(self, host: str | None = None) -> None:
        self.host = host or demo_host()

    @property
    def description(self) -> str:
        """How identities are established."""
        return "the demo's counter (a host program)"

    def identify(self, claimed: str | None) -> Identity | None:
        """One of the demo's staff, or the user running it."""
        if claimed in DEMO_LOGINS or claimed == self.host:
            return Identity(claimed, self.description)
        if claimed is None:
            return Identity(self.host, self.description)
        return None


def enrol_staff(office: Office, host: str) -> None:
    """Found the register with `host` as head, who enrols the invented staff."""
    founder = Actor(host, Role.HEAD)
    names = {login: name for login, name, _ in STAFF}
    office.staff.found(founder, host, name=names.get(host, "Pengguna Demo"))
    for login, name, roles in STAFF:
        if login != host:
            office.staff.enrol(founder, login, name=name, roles=roles)


@attrs.frozen
class Resident:
    """One request of the scenario."""

    nik: str
    name: str
    kk: str
    village: str
    rt: str
    rw: str
    reason: str = "new"
    evidence: str | None = None


RESIDENTS = (
    Resident("3517091203850001", "Ahmad Fauzi", "3517090101100001", JABON, "2", "1"),
    Resident("3517096507900002", "Siti Nurjanah", "3517090101100002", JABON, "3", "1"),
    Resident("3517090201780003", "Bambang Sutrisno", "3517090101100003", JABON, "5", "2"),
    Resident("3517087011950001", "Dewi Lestari", "3517080202110001", NGUDIREJO, "1", "1"),
    Resident("3517081409820002", "Agus Salim", "3517080202110002", NGUDIREJO, "4", "2",
             "damaged", "3517160042"),
    Resident("3517084804010003", "Rina Wulandari", "3517080202110003", NGUDIREJO, "4", "2"),
    Resident("3517194512700001", "Sri Wahyuni", "3517190303120001", ALANG_ALANG_CARUBAN, "1", "3",
             "lost", "LP/123/XI/2017/Res.Jbg"),
    Resident("3517191706880002", "Eko Prasetyo", "3517190303120002", ALANG_ALANG_CARUBAN, "2", "3"),
)
# The ministry's consignment of blanks, received the day before printing.
CONSIGNMENT_BAST, CONSIGNMENT_RANGE = "BAST/045/XI/2017/Dukcapil", "3517170001-3517170500"
# Rina's husband collects for her: his own NIK, the same KK.
PROXY = {"proxy_nik": "3517081006930004", "proxy_name": "Hendra Gunawan",
         "proxy_kk": "3517080202110003", "relationship": "spouse"}


def run_scenario(office: Office, clock: ScriptedClock) -> dict[str, object]:
    """Play the scenario on an empty office opened with a `DemoCounter`; return its summary."""
    clock.set(dt.datetime(2017, 11, 6, 7, 30, tzinfo=WIB))
    counter = office.identity
    enrol_staff(office, counter.host if isinstance(counter, DemoCounter) else demo_host())
    clock.set(dt.datetime(2017, 11, 6, 8, 0, tzinfo=WIB))
    cards = {r.nik: office.request_card(
        OPERATOR, nik=r.nik, name=r.name, kk=r.kk, village=r.village, rt=r.rt, rw=r.rw,
        reason=r.reason, evidence=r.evidence).id for r in RESIDENTS}

    clock.set(dt.datetime(2017, 11, 7, 10, 0, tzinfo=WIB))
    office.receive_blanks(OPERATOR, bast=CONSIGNMENT_BAST, source="ministry",
                          ranges=[CONSIGNMENT_RANGE])

    clock.set(dt.datetime(2017, 11, 8, 9, 0, tzinfo=WIB))
    for nik, card_id in cards.items():
        office.confirm_print_readiness(OPERATOR, card_id, reference=f"PRR-2017-{nik[-4:]}")
        office.allocate_blank(OPERATOR, card_id)  # the next blank in stock
        if nik == "3517087011950001":  # Dewi's first blank: the chip would not encode
            office.record_print_failure(OPERATOR, card_id, "chip-not-encoded")
            office.allocate_blank(OPERATOR, card_id)
        office.record_printed(OPERATOR, card_id, station="cetak-1")

    clock.set(dt.datetime(2017, 11, 14, 7, 30, tzinfo=WIB))
    manifests = {}
    for number, (village, courier) in enumerate(COURIERS.items(), start=1):
        opened = office.open_manifest(OPERATOR, courier=courier, date="2017-11-14",
                                      villages=[village])
        office.assign_ready_cards(OPERATOR, opened.id)
        office.dispatch_manifest(OPERATOR, opened.id, seal=f"SEGEL-171114-{number:02d}")
        manifests[village] = opened.id

    clock.set(dt.datetime(2017, 11, 14, 15, 0, tzinfo=WIB))
    for village, manifest_id in manifests.items():
        rows = [ResultRow(line, _result(r)) for line, r in enumerate(
            (r for r in RESIDENTS if r.village == village), start=2)]
        office.record_results(Actor(COURIERS[village], Role.COURIER), manifest_id, rows)

    clock.set(dt.datetime(2017, 11, 14, 16, 0, tzinfo=WIB))
    for number, manifest_id in enumerate(manifests.values(), start=1):
        office.check_in_manifest(CHECK_IN_OFFICER, manifest_id, seal_intact=True)
        office.close_manifest(CHECK_IN_OFFICER, manifest_id, f"BAST/{number:03d}/XI/2017")
    return summarise(office)


def _result(r: Resident) -> dict[str, str]:
    """The courier's results row for one resident."""
    if r.name == "Bambang Sutrisno":
        return {"card": r.nik, "outcome": "attempt-failed", "reason": "moved",
                "evidence": "FOTO-0042"}
    row = {"card": r.nik, "outcome": "handed-over", "evidence": f"TTD-{r.nik[-4:]}",
           "recipient": "owner", "verified-by": "fingerprint" if r.reason == "lost" else "ktp"}
    if r.reason == "damaged" and r.evidence:
        row["old-card"] = r.evidence
    if r.name == "Rina Wulandari":
        row.update({"recipient": "proxy", "verified-by": "kk", "proxy-nik": PROXY["proxy_nik"],
                    "proxy-name": PROXY["proxy_name"], "proxy-kk": PROXY["proxy_kk"],
                    "relationship": PROXY["relationship"]})
    return row


def summarise(office: Office) -> dict[str, object]:
    """Figures of the office's records: cards by status, blanks, hand-overs."""
    cards = office.list_cards()
    histories = [office.card_history(c.id) for c in cards]
    events = Counter(e.event for h in histories for e in h)
    recipients = Counter(c.recipient for c in cards if c.recipient)
    delivery = office.delivery_report().total
    rate = delivery.first_attempt_rate
    stock = office.blank_stock()
    return {
        "cards": len(cards),
        "by_status": dict(sorted(Counter(c.status for c in cards).items())),
        "blanks_used": events["BlankAllocated"],
        "blanks_spoiled": events["PrintFailed"],
        "handed_over_to_owner": recipients["owner"],
        "handed_over_to_proxy": recipients["proxy"],
        "failed_attempts": events["DeliveryAttemptFailed"],
        "returned": events["Returned"],
        "manifests": len(office.list_manifests()),
        "manifests_closed": len(office.list_manifests("CLOSED")),
        "cards_dispatched": delivery.dispatched,
        "first_attempt_success_rate": None if rate is None else round(rate, 3),
        "blanks_received": stock.received,
        "blanks_in_stock": stock.counts["IN_STOCK"],
        "blank_conservation_holds": stock.conserved and office.reconcile_blanks().clean,
        "staff_enrolled": len(office.staff.members(HEAD_OF_OFFICE)),
    }
