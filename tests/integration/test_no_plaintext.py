"""No plaintext NIK, KK number, name or phone number anywhere ektp writes (issue 14,
"What must show"; the phone: issue 15): 50 residents, each with a phone number typed
one of three ways, 4 of them collected by a proxy, with the cipher key configured;
then every file the office wrote (the SQLite database, its -wal and -shm, an audit
export) and a `pg_dump` of the whole PostgreSQL database are searched for each test
NIK, KK, name and phone (as stored, without its leading 0, and in groups), as text,
as hex and as UTF-16: none is found. The read models are caught up first (a list, a
find), so their tables are searched too."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from testkit.cli import init_office
from testkit.people import dispatched_card, kk_for, make_nik
from testkit.postgres import find_binary
from testkit.staff import me

from ektp.adapters.audit.files import DirectorySink
from ektp.domain.actor import Actor, Role
from ektp.entrypoints.composition import open_office

RESIDENTS = [(make_nik(serial=n + 1), f"Warga Rahasia {chr(65 + n % 26)}{chr(65 + n // 26)}")
             for n in range(50)]
PROXIES = {n: (make_nik(serial=900 + n), f"Wakil Kuasa {chr(65 + n % 26)}{chr(65 + n // 26)}") for n in (3, 17, 29, 41)}
FORMS = ("utf-8", "utf-16-le", "utf-16-be")
PHONES = [f"08123{n:03d}4567" for n in range(len(RESIDENTS))]  # as stored (national form)


def _typed(phone: str, n: int) -> str:
    """How the clerk typed resident `n`'s phone: +62 and dashes, dots, or spaces."""
    return [f"+62 {phone[1:4]}-{phone[4:8]}-{phone[8:]}", f"{phone[:4]}.{phone[4:8]}.{phone[8:]}",
            f"{phone[:4]} {phone[4:8]} {phone[8:]}"][n % 3]


def _secrets() -> list[bytes]:
    """Each resident's and proxy's NIK, KK and name in every form a store could hold."""
    people = RESIDENTS + list(PROXIES.values())
    texts = [t for nik, name in people for t in (nik, kk_for(nik), name)]
    texts += [t for n, p in enumerate(PHONES) for t in (p, p[1:], _typed(p, n), p[:4] + " " + p[4:8])]
    found = [t.encode(form) for t in texts for form in FORMS]
    return found + [t.encode().hex().encode() for t in texts]


def _seed(url: str, export: Path | None, while_open: Callable[[], None] = lambda: None) -> None:
    login = url.split("://", 1)[1].split("@", 1)[0] if url.startswith("postgresql") else me()
    operator, head = Actor(login, Role.OPERATOR), Actor(login, Role.HEAD)
    with open_office(url) as office:
        office.receive_blanks(operator, bast="BAST/T/1", source="ministry",
                              ranges=["3517170001-3517170100"])
        for n, (nik, name) in enumerate(RESIDENTS):
            card = dispatched_card(office, operator, nik, name, f"35171700{n + 1:02d}",
                                   phone=_typed(PHONES[n], n))
            if n in PROXIES:
                proxy_nik, proxy_name = PROXIES[n]
                office.hand_over(operator, card, recipient="proxy", verified_by="kk",
                                 proxy_nik=proxy_nik, proxy_name=proxy_name,
                                 proxy_kk=kk_for(nik), relationship="spouse")
            else:
                office.hand_over(operator, card, recipient="owner", verified_by="ktp")
        # The read models, caught up: their tables are in the files searched.
        assert office.reports.card_page().total == 50
        assert office.reports.find_by_name("rahasia warga").total == 50
        assert office.reports.card_page(nik=RESIDENTS[5][0]).total == 1
        assert office.card(card).phone == "0812****4567"  # the last one, kept and masked
        if export is not None:
            from testkit.keys import TEST_AUDIT_KEY

            office.export_audit(head, DirectorySink(str(export)), audit_key=TEST_AUDIT_KEY)
        while_open()


def _found_in(blob: bytes) -> list[bytes]:
    lower = blob.lower()
    return [s for s in _secrets() if s.lower() in lower]


def test_no_file_ektp_wrote_holds_a_nik_kk_or_name(tmp_path: Path, cipher_key: Path) -> None:
    office_dir = tmp_path / "office"
    office_dir.mkdir()
    db = office_dir / "office.db"
    assert init_office(db=db, env={"EKTP_CIPHER_KEY_FILE": str(cipher_key)}).code == 0
    contents: dict[str, bytes] = {}

    def read_all(when: str) -> None:
        for p in office_dir.rglob("*"):
            if p.is_file():
                contents[f"{when}: {p.relative_to(office_dir)}"] = p.read_bytes()

    # While the office is open, its -wal and -shm are there (closing checkpoints them).
    _seed(f"sqlite:///{db}", office_dir / "export", lambda: read_all("open"))
    read_all("closed")
    assert {"open: office.db-wal", "open: office.db", "closed: office.db",
            "closed: export/events.jsonl"} <= set(contents), sorted(contents)
    leaks = {name: _found_in(blob) for name, blob in contents.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # The control: the search finds what is there (the export's masked NIKs, say), and
    # the phones were recorded (the export's pseudonymised phones).
    blob = b"".join(contents.values())
    assert RESIDENTS[0][0][:4].encode() + b"********" + RESIDENTS[0][0][12:].encode() in blob
    assert contents["closed: export/events.jsonl"].count(b'"phone":"************~') == 50


@pytest.mark.postgres
def test_a_pg_dump_of_the_whole_database_holds_no_nik_kk_or_name(postgres_url: str,
                                                                cipher_key: Path) -> None:
    assert init_office(pre=("--db", postgres_url),
                       env={"EKTP_CIPHER_KEY_FILE": str(cipher_key)}).code == 0
    _seed(postgres_url, None)
    dump = subprocess.run([find_binary("pg_dump"), "--data-only", postgres_url],
                          capture_output=True, timeout=120, check=True).stdout
    assert b"COPY public.card_status" in dump and b"COPY public.ektp_events" in dump
    assert _found_in(dump) == []
    assert b"W.R." in dump  # the control: the initials the read model does hold
