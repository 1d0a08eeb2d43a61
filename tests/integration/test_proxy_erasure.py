"""Erasing a person known to the office as a proxy (issue 14): they collected someone's
card and never requested one, or they are both a card holder and a proxy.

With the cipher key configured, `personal-data erase NIK` of a proxy destroys their key:
their NIK, KK and name read as erased in every hand-over they collected, the card
holders' data reads in full, the event lists the cards they collected (`collected`),
the hand-overs' rows lose their proxy index, and `db verify`, the audit export and
`audit verify` give what they gave before. It is refused, writing nothing, while they
have an open card of their own, and once they are erased. Then every file ektp wrote
and a `pg_dump` are searched for the proxy's NIK, KK and name: none is found.

The retention policy finds them too: a proxy whose last collection, and a person both
holder and proxy whose own cards' closing and last collection, are older than the
policy's years; the dry run lists them masked, marked as proxy.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from testkit.cli import assert_one_line_error, event_count, init_office, run
from testkit.fakes import FakeClock
from testkit.keys import TEST_AUDIT_KEY_HEX
from testkit.people import dispatched_card, kk_for, make_nik
from testkit.postgres import find_binary
from testkit.staff import me

from ektp.domain.actor import Actor, Role
from ektp.domain.erased import Erased
from ektp.entrypoints.composition import open_office

HOLDER = (make_nik(serial=31), "Pemilik Kartu Tetap")  # collected by PROXY
HOLDER_2 = (make_nik(serial=32), "Pemilik Kedua Tetap")  # collected by PROXY too
HOLDER_3 = (make_nik(serial=33), "Pemilik Ketiga Tetap")  # collected by BUSY
PROXY = (make_nik(serial=931), "Wakil Tanpa Kartu")  # no card of their own: erased
BUSY = (make_nik(serial=933), "Wakil Masih Mengurus")  # an open card of their own
FORMS = ("utf-8", "utf-16-le", "utf-16-be")
KEY_ENV = {"EKTP_AUDIT_KEY": TEST_AUDIT_KEY_HEX}
VILLAGE = "35.17.09.2018"


def _forms(texts: list[str]) -> list[bytes]:
    return [t.encode(f) for t in texts for f in FORMS] + [t.encode().hex().encode() for t in texts]


def _found(blob: bytes, secrets: list[bytes]) -> list[bytes]:
    lower = blob.lower()
    return [s for s in secrets if s.lower() in lower]


# The proxy's NIK and name; their KK in each hand-over is its holder's KK (the rule:
# a proxy from the same KK), which is the holder's data and stays theirs.
PROXY_SECRETS = _forms([PROXY[0], PROXY[1]])
PROXY_KKS = _forms([kk_for(HOLDER[0]), kk_for(HOLDER_2[0])])


def _login(url: str) -> str:
    return url.split("://", 1)[1].split("@", 1)[0] if url.startswith("postgresql") else me()


def _hand_to(office: Any, operator: Actor, card: str, proxy: tuple[str, str], holder: str) -> None:
    office.hand_over(operator, card, recipient="proxy", verified_by="kk", proxy_nik=proxy[0],
                     proxy_name=proxy[1], proxy_kk=kk_for(holder), relationship="sibling")


def _seed(url: str) -> dict[str, str]:
    """HOLDER's and HOLDER_2's cards collected by PROXY, HOLDER_3's by BUSY, who has an
    open card of their own."""
    operator = Actor(_login(url), Role.OPERATOR)
    cards = {}
    with open_office(url) as office:
        office.receive_blanks(operator, bast="BAST/T/1", source="ministry",
                              ranges=["3517170001-3517170010"])
        for n, ((nik, name), proxy) in enumerate(((HOLDER, PROXY), (HOLDER_2, PROXY),
                                                  (HOLDER_3, BUSY))):
            card = dispatched_card(office, operator, nik, name, f"35171700{n + 1:02d}")
            _hand_to(office, operator, card, proxy, nik)
            cards[name] = card
        cards[BUSY[1]] = str(office.request_card(operator, nik=BUSY[0], name=BUSY[1],
                                                 kk=kk_for(BUSY[0]), village=VILLAGE).id)
        assert office.reports.card_page().total == 4  # the read models, caught up
    return cards


def _decoded(url: str) -> list[Any]:
    with open_office(url) as office:
        app: Any = office.store.app
        return [app.mapper.to_domain_event(n)
                for n in app.recorder.select_notifications(start=1, limit=10_000)]


def _check_decoded(url: str, cards: dict[str, str]) -> None:
    """PROXY reads as erased in both hand-overs they collected; the holders in full;
    BUSY's hand-over untouched; the event lists the two cards as collected."""
    events = _decoded(url)
    text = "\n".join(repr(vars(e)) for e in events).encode()
    assert _found(text, PROXY_SECRETS) == []
    assert all(t.encode() in text for t in (*HOLDER, *HOLDER_2, *HOLDER_3, *BUSY))
    handed = {str(e.originator_id): e for e in events if type(e).__name__ == "HandedOver"}
    for holder in (HOLDER, HOLDER_2):
        recipient = handed[cards[holder[1]]].recipient
        assert isinstance(recipient.nik, Erased) and isinstance(recipient.name, Erased)
        assert isinstance(recipient.kk, Erased) and recipient.relationship.value == "sibling"
        assert recipient.nik.masked == PROXY[0][:4] + "********" + PROXY[0][12:]
    assert handed[cards[HOLDER_3[1]]].recipient.name == BUSY[1]
    requested = {str(e.originator_id): e for e in events if type(e).__name__ == "Requested"}
    assert requested[cards[HOLDER[1]]].name == HOLDER[1]
    assert requested[cards[HOLDER[1]]].kk == kk_for(HOLDER[0])
    erased = [e for e in events if type(e).__name__ == "PersonalDataErased"]
    assert len(erased) == 1 and erased[0].cards == ()
    assert sorted(erased[0].collected) == sorted((cards[HOLDER[1]], cards[HOLDER_2[1]]))


def _rows(url: str) -> dict[str, tuple[Any, ...]]:
    with open_office(url) as office:
        engine: Any = office.services.read_models.engine  # type: ignore[attr-defined]
        with engine.connect() as connection:
            from sqlalchemy import text

            return {r[0]: tuple(r[1:]) for r in connection.execute(text(
                "SELECT card_id, initials, nik_index, kk_index, proxy_index FROM card_status"))}


def _erase(db: Path, nik: str, env: dict[str, str]) -> Any:
    return run("--json", "personal-data", "erase", nik, "--record", "BA/PDP/9", "--legal-basis",
               "the person's request (UU PDP Art. 43)", db=db, role="head", env=env)


def test_a_person_known_only_as_a_proxy_is_erased_from_every_hand_over_they_collected(
        tmp_path: Path, cipher_key: Path) -> None:
    office_dir = tmp_path / "office"
    office_dir.mkdir()
    db = office_dir / "office.db"
    url = f"sqlite:///{db}"
    env = {"EKTP_CIPHER_KEY_FILE": str(cipher_key)}
    assert init_office(db=db, env=env).code == 0
    cards = _seed(url)
    before_rows = _rows(url)
    assert before_rows[cards[HOLDER[1]]][3] is not None  # the proxy's blind index
    assert before_rows[cards[HOLDER[1]]][3] == before_rows[cards[HOLDER_2[1]]][3]
    assert before_rows[cards[HOLDER[1]]][3] != before_rows[cards[HOLDER_3[1]]][3]
    assert run("audit", "keygen", "--private", str(tmp_path / "k.pem"), "--public",
               str(tmp_path / "k.pub")).code == 0
    before = office_dir / "export-before"
    assert run("audit", "export", "--out", str(before), "--sign-key", str(tmp_path / "k.pem"),
               db=db, role="head", env=env).code == 0
    stored = event_count(db)

    # Refused, writing nothing: a proxy with an open card of their own.
    busy = _erase(db, BUSY[0], env)
    assert_one_line_error(busy, 4)
    assert "still open" in busy.err and BUSY[0] not in busy.err
    assert event_count(db) == stored

    erased = _erase(db, PROXY[0], env)
    assert erased.code == 0, erased.err
    assert PROXY[0] not in erased.out
    assert erased.json() == {"nik": PROXY[0][:4] + "********" + PROXY[0][12:], "cards": [],
                             "collected": sorted((cards[HOLDER[1]], cards[HOLDER_2[1]])),
                             "record_number": "BA/PDP/9"}
    plain = run("personal-data", "erase", PROXY[0], "--record", "BA/PDP/9", "--legal-basis", "x",
                db=db, role="head", env=env)
    assert_one_line_error(plain, 4)  # already erased, though no index finds them any more
    assert "already erased" in plain.err and PROXY[0] not in plain.err
    assert event_count(db) == stored + 1

    rows = _rows(url)
    for holder in (HOLDER, HOLDER_2):  # the holder's row as before; no proxy index
        assert rows[cards[holder[1]]][:3] == before_rows[cards[holder[1]]][:3]
        assert rows[cards[holder[1]]][3] is None
    assert rows[cards[HOLDER_3[1]]] == before_rows[cards[HOLDER_3[1]]]
    # The holder still reads in full (as the holder's own export shows it).
    held = run("--json", "personal-data", "export", HOLDER[0], db=db, role="head", env=env)
    assert held.code == 0, held.err
    assert HOLDER[1] in held.out and PROXY[1] not in held.out and PROXY[0] not in held.out
    _check_decoded(url, cards)
    assert event_count(db) == stored + 2  # the export's access-log entry

    verified = run("db", "verify", role="head", db=db,
                   env={**KEY_ENV, "EKTP_CIPHER_KEY_FILE": str(cipher_key)})
    assert verified.code == 7, verified.err
    assert f"{stored + 2} stored events each match their journal leaf" in verified.out
    after = office_dir / "export-after"
    assert run("audit", "export", "--out", str(after), "--sign-key", str(tmp_path / "k.pem"),
               db=db, role="head", env=env).code == 0
    old_lines = (before / "events.jsonl").read_bytes().splitlines()
    new_lines = (after / "events.jsonl").read_bytes().splitlines()
    assert new_lines[:len(old_lines)] == old_lines and len(new_lines) == len(old_lines) + 2
    last = json.loads(new_lines[-2])
    assert last["type"] == "PersonalDataErased" and sorted(last["data"]["collected"]) == sorted(
        (cards[HOLDER[1]], cards[HOLDER_2[1]]))
    assert run("audit", "verify", str(after), "--public-key", str(tmp_path / "k.pub"),
               "--host-login", me()).code == 0
    revealed = office_dir / "revealed"
    assert run("audit", "export", "--out", str(revealed), "--reveal-personal-data", "--purpose",
               "erasure test", db=db, role="head", env=env).code == 0

    contents: dict[str, bytes] = {}

    def read_all(when: str) -> None:
        for p in office_dir.rglob("*"):
            if p.is_file():
                contents[f"{when}: {p.relative_to(office_dir)}"] = p.read_bytes()

    with open_office(url) as office:
        assert office.reports.card_page().total == 4
        read_all("open")
    read_all("closed")
    assert "open: office.db-wal" in contents and "closed: revealed/events.jsonl" in contents
    leaks = {name: _found(blob, PROXY_SECRETS) for name, blob in contents.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # Their KK (the holders' KK) is in no file but the revealed export, and there only
    # as the holders' own `kk`, never as a recipient's.
    kks = {name: _found(blob, PROXY_KKS) for name, blob in contents.items()
           if "revealed/" not in name}
    assert {k: v for k, v in kks.items() if v} == {}
    for line in (revealed / "events.jsonl").read_bytes().splitlines():
        record = json.loads(line)
        if record["type"] == "HandedOver" and record["stream"] != cards[HOLDER_3[1]]:
            assert "~" in record["data"]["recipient"]["kk"]  # the leaf form, not the number
            assert _found(line, PROXY_KKS) == []
    revealed_text = (revealed / "events.jsonl").read_bytes()
    assert HOLDER[0].encode() in revealed_text and HOLDER[1].encode() in revealed_text  # control


@pytest.mark.postgres
def test_on_postgresql_a_pg_dump_holds_no_erased_proxy(postgres_url: str, cipher_key: Path) -> None:
    assert init_office(pre=("--db", postgres_url),
                       env={"EKTP_CIPHER_KEY_FILE": str(cipher_key)}).code == 0
    cards = _seed(postgres_url)
    head = Actor(_login(postgres_url), Role.HEAD)
    with open_office(postgres_url) as office:
        stored = office.store.last_position()
        from ektp.domain.errors import ErasureWhileCardOpen

        with pytest.raises(ErasureWhileCardOpen):
            office.erasure.erase(head, BUSY[0], record_number="BA/1", legal_basis="request")
        assert office.store.last_position() == stored
        done = office.erasure.erase(head, PROXY[0], record_number="BA/1", legal_basis="request")
        assert done.cards == () and len(done.collected) == 2
        assert office.reports.card_page().total == 4  # the read models caught up
    rows = _rows(postgres_url)
    assert [rows[cards[h[1]]][3] for h in (HOLDER, HOLDER_2)] == [None, None]
    assert rows[cards[HOLDER_3[1]]][3] is not None and rows[cards[HOLDER[1]]][0] == "P.K.T."
    dump = subprocess.run([find_binary("pg_dump"), "--data-only", postgres_url],
                          capture_output=True, timeout=120, check=True).stdout
    assert b"COPY public.ektp_subject_keys" in dump and b"COPY public.card_status" in dump
    assert _found(dump, PROXY_SECRETS + PROXY_KKS) == []
    assert b"P.K.T." in dump  # the control: the holder's initials stay
    _check_decoded(postgres_url, cards)
    verified = run("--db", postgres_url, "db", "verify", role="head",
                   env={**KEY_ENV, "EKTP_CIPHER_KEY_FILE": str(cipher_key)})
    assert verified.code == 7, verified.err
    assert f"{stored + 1} stored events each match their journal leaf" in verified.out


def _retention_seed(url: str) -> dict[str, str]:
    """In 2018: old_holder's card collected by old_proxy (no card of their own);
    both_old's own card cancelled, and both_old collecting both_old_holder's card;
    both_recent's own card cancelled; proxy_recent collecting a card. In 2025:
    both_recent and proxy_recent each collecting a card. The NIKs, by those names."""
    people = {name: make_nik(serial=s) for name, s in (
        ("old_holder", 41), ("old_proxy", 941), ("both_old", 42), ("both_old_holder", 43),
        ("both_recent", 44), ("both_recent_holder", 45), ("proxy_recent", 946),
        ("proxy_recent_holder_old", 46), ("proxy_recent_holder_new", 47))}
    operator = Actor(_login(url), Role.OPERATOR)
    clock = FakeClock(dt.datetime(2018, 3, 1, 2, 0, tzinfo=dt.timezone.utc))
    with open_office(url, clock=clock) as office:
        office.receive_blanks(operator, bast="BAST/T/1", source="ministry",
                              ranges=["3517170001-3517170020"])
        serials = iter(f"35171700{n:02d}" for n in range(1, 21))

        def collected(holder: str, proxy: str) -> None:
            card = dispatched_card(office, operator, people[holder], "Warga Pemilik",
                                   next(serials))
            _hand_to(office, operator, card, (people[proxy], "Wakil Kuasa"), people[holder])

        def own_cancelled(who: str) -> None:
            card = office.request_card(operator, nik=people[who], name="Warga Sendiri",
                                       kk=kk_for(people[who]), village=VILLAGE)
            office.cards.cancel(operator, card.id, reason="moved away")

        collected("old_holder", "old_proxy")
        own_cancelled("both_old")
        collected("both_old_holder", "both_old")
        own_cancelled("both_recent")
        collected("proxy_recent_holder_old", "proxy_recent")
        clock.current = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.timezone.utc)
        collected("both_recent_holder", "both_recent")
        collected("proxy_recent_holder_new", "proxy_recent")
    return people


def test_retention_erases_proxies_whose_last_collection_is_older_than_the_policy(
        tmp_path: Path, cipher_key: Path) -> None:
    db = tmp_path / "office.db"
    url = f"sqlite:///{db}"
    env = {"EKTP_CIPHER_KEY_FILE": str(cipher_key), "EKTP_RETENTION_CLOSED_CARD_YEARS": "5"}
    assert init_office(db=db, env=env).code == 0
    people = _retention_seed(url)

    def masked(who: str) -> str:
        return people[who][:4] + "********" + people[who][12:]

    stored = event_count(db)
    dry = run("--json", "personal-data", "apply-retention", "--dry-run", db=db, role="head",
              env=env)
    assert dry.code == 0, dry.err
    due = {r["nik"]: r for r in dry.json()["residents"]}
    expected = {"old_holder": (1, 0), "old_proxy": (0, 1), "both_old": (1, 1),
                "both_old_holder": (1, 0), "proxy_recent_holder_old": (1, 0)}
    assert {n: (len(r["cards"]), len(r["collected"])) for n, r in due.items()} == {
        masked(w): counts for w, counts in expected.items()}
    assert {n for n, r in due.items() if r["proxy"]} == {masked("old_proxy"), masked("both_old")}
    text = run("personal-data", "apply-retention", "--dry-run", db=db, role="head", env=env)
    assert f"{masked('old_proxy')}  proxy: 1 hand-over collected" in text.out
    assert f"{masked('both_old')}  1 card; proxy: 1 hand-over collected" in text.out
    assert "5 people would be erased" in text.out
    assert all(nik not in text.out + dry.out for nik in people.values())
    indonesian = run("--lang", "id", "personal-data", "apply-retention", "--dry-run", db=db,
                     role="head", env=env)
    assert f"{masked('old_proxy')}  kuasa: 1 kartu diambil" in indonesian.out
    assert "5 orang akan dihapus datanya" in indonesian.out
    assert event_count(db) == stored

    applied = run("--json", "personal-data", "apply-retention", db=db, role="head", env=env)
    assert applied.code == 0, applied.err
    assert {r["nik"] for r in applied.json()["residents"]} == set(due)
    assert event_count(db) == stored + 5
    again = run("--json", "personal-data", "apply-retention", "--dry-run", db=db, role="head",
                env=env)
    assert again.json()["residents"] == []

    events = _decoded(url)
    recipients = {e.recipient.nik.masked if isinstance(e.recipient.nik, Erased)
                  else e.recipient.nik: e.recipient.name
                  for e in events if type(e).__name__ == "HandedOver"}
    assert isinstance(recipients[masked("old_proxy")], Erased)
    assert isinstance(recipients[masked("both_old")], Erased)
    # Kept: a proxy whose last collection is recent (both their collections, the old one
    # too: one key), a person both whose collection is recent.
    assert recipients[people["proxy_recent"]] == "Wakil Kuasa"
    assert recipients[people["both_recent"]] == "Wakil Kuasa"
    requested = {e.nik.masked if isinstance(e.nik, Erased) else e.nik: e.name
                 for e in events if type(e).__name__ == "Requested"}
    assert requested[people["both_recent"]] == "Warga Sendiri"
    assert requested[people["proxy_recent_holder_new"]] == "Warga Pemilik"
    assert isinstance(requested[masked("both_old")], Erased)
    erasures = [e for e in events if type(e).__name__ == "PersonalDataErased"]
    assert {e.legal_basis for e in erasures} == {"retention policy: 5 years after the card was closed"}
    assert sorted(len(e.collected or ()) for e in erasures) == [0, 0, 0, 1, 1]


def test_a_database_made_before_the_proxy_index_is_upgraded_and_its_old_hand_overs_found(
        tmp_path: Path, cipher_key: Path) -> None:
    """A database at schema version 5 (card_status 4, no proxy_index): commands refuse it
    until `db upgrade`, whose step 6 adds the column; card_status is rebuilt at version 5,
    and the hand-overs recorded before are found when their proxy is erased."""
    db = tmp_path / "office.db"
    env = {"EKTP_CIPHER_KEY_FILE": str(cipher_key)}
    assert init_office(db=db, env=env).code == 0
    cards = _seed(f"sqlite:///{db}")
    with sqlite3.connect(db) as connection:  # as version 5 left it
        connection.execute("DROP INDEX card_status_by_proxy_index")
        connection.execute("ALTER TABLE card_status DROP COLUMN proxy_index")
        connection.execute("UPDATE projection_positions SET version = 4 WHERE name = 'card_status'")
        connection.execute("DELETE FROM ektp_schema WHERE version = 6")
    refused = _erase(db, PROXY[0], env)
    assert_one_line_error(refused, 5)
    assert "ektp db upgrade" in refused.err
    upgraded = run("db", "upgrade", db=db, env=env)
    assert upgraded.code == 0, upgraded.err
    assert "from schema version 5 to 6: 6 proxy-index" in upgraded.out
    erased = _erase(db, PROXY[0], env)
    assert erased.code == 0, erased.err
    assert erased.json()["collected"] == sorted((cards[HOLDER[1]], cards[HOLDER_2[1]]))
    assert run("card", "list", db=db, env=env).code == 0  # the read models catch up
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT version FROM projection_positions "
                                  "WHERE name = 'card_status'").fetchone() == (5,)
        kept = connection.execute("SELECT count(*) FROM card_status WHERE proxy_index IS NOT NULL")
        assert kept.fetchone() == (1,)  # BUSY's collection only
