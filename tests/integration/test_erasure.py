"""Erasure (issue 14, "What must show"): a few residents, one collected by a proxy, with
the cipher key configured; erase one resident (and a proxy), then

- every file the office wrote (the SQLite database, its -wal, exports) and a `pg_dump`
  hold neither their NIK, KK, name nor phone number, nor the wrapped key that encrypted them;
- with the office's key, every stored event still decodes: the erased person's fields
  read as erased, another resident's in full;
- their card loads and replays to the same status, its card_status row keeps only the
  masked NIK (no initials, no blind index);
- the journal leaves are the ones written: ``db verify`` passes, and an audit export
  made before the erasure is, line for line, the start of one made after it, which
  ``audit verify`` accepts.

And the refusals: not the head (nothing written), an open card, a NIK the office does
not hold, a person already erased.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from testkit.cli import assert_one_line_error, event_count, init_office, run
from testkit.keys import TEST_AUDIT_KEY_HEX
from testkit.people import dispatched_card, kk_for, make_nik
from testkit.postgres import find_binary
from testkit.staff import me

from ektp.domain.actor import Actor, Role
from ektp.domain.card.state import project
from ektp.domain.erased import Erased
from ektp.entrypoints.composition import open_office

SUBJECT = (make_nik(serial=11), "Warga Terhapus Sekali")  # erased; own KK
OTHER = (make_nik(serial=12), "Warga Tetap Ada")  # kept; collected by PROXY
PROXY = (make_nik(serial=912), "Wakil Kuasa Hilang")  # erased too; OTHER's KK, a card of their own
OPEN = (make_nik(serial=13), "Warga Masih Menunggu")  # an open card: cannot be erased
FORMS = ("utf-8", "utf-16-le", "utf-16-be")
KEY_ENV = {"EKTP_AUDIT_KEY": TEST_AUDIT_KEY_HEX}
PHONES = {SUBJECT[0]: "081298765432", OTHER[0]: "0321861234"}  # as stored; typed with +62 below


def _forms(texts: list[str]) -> list[bytes]:
    return [t.encode(f) for t in texts for f in FORMS] + [t.encode().hex().encode() for t in texts]


ERASED_SECRETS = _forms([SUBJECT[0], kk_for(SUBJECT[0]), SUBJECT[1], PROXY[0], PROXY[1],
                         PHONES[SUBJECT[0]], PHONES[SUBJECT[0]][1:]])
KEPT_SECRETS = [OTHER[0], kk_for(OTHER[0]), OTHER[1], OPEN[0], OPEN[1], PHONES[OTHER[0]]]


def _found(blob: bytes, secrets: list[bytes]) -> list[bytes]:
    lower = blob.lower()
    return [s for s in secrets if s.lower() in lower]


def _seed(url: str) -> dict[str, str]:
    """The residents' cards (by name): SUBJECT handed over to them, OTHER to PROXY,
    PROXY's own cancelled, OPEN's only requested."""
    login = url.split("://", 1)[1].split("@", 1)[0] if url.startswith("postgresql") else me()
    operator = Actor(login, Role.OPERATOR)
    cards = {}
    with open_office(url) as office:
        office.receive_blanks(operator, bast="BAST/T/1", source="ministry",
                              ranges=["3517170001-3517170010"])
        for n, (nik, name) in enumerate((SUBJECT, OTHER)):
            card = dispatched_card(office, operator, nik, name, f"35171700{n + 1:02d}",
                                   phone="+62 " + PHONES[nik][1:])
            if nik == OTHER[0]:
                office.hand_over(operator, card, recipient="proxy", verified_by="kk",
                                 proxy_nik=PROXY[0], proxy_name=PROXY[1],
                                 proxy_kk=kk_for(OTHER[0]), relationship="spouse")
            else:
                office.hand_over(operator, card, recipient="owner", verified_by="ktp")
            cards[name] = card
        proxy_card = office.request_card(operator, nik=PROXY[0], name=PROXY[1],
                                         kk=kk_for(OTHER[0]), village="35.17.09.2018")
        office.cards.cancel(operator, proxy_card.id, reason="moved before printing")
        cards[PROXY[1]] = str(proxy_card.id)
        cards[OPEN[1]] = str(office.request_card(operator, nik=OPEN[0], name=OPEN[1],
                                                 kk=kk_for(OPEN[0]), village="35.17.09.2018").id)
        # The read models, caught up: their rows are in what is searched.
        assert office.reports.card_page().total == 4
    return cards


def _decoded(url: str) -> list[Any]:
    """Every stored event, decoded with the office's key (and whatever subject keys remain)."""
    with open_office(url) as office:
        app: Any = office.store.app
        return [app.mapper.to_domain_event(n)
                for n in app.recorder.select_notifications(start=1, limit=10_000)]


def _check_decoded(url: str, cards: dict[str, str]) -> None:
    """The erased people read as erased in every event; the others in full."""
    events = _decoded(url)
    text = "\n".join(repr(vars(e)) for e in events).encode()
    assert _found(text, ERASED_SECRETS) == []
    assert all(s.encode() in text for s in KEPT_SECRETS)
    requested = {str(e.originator_id): e for e in events if type(e).__name__ == "Requested"}
    subject = requested[cards[SUBJECT[1]]]
    assert isinstance(subject.nik, Erased) and isinstance(subject.name, Erased)
    assert isinstance(subject.kk, Erased) and isinstance(subject.phone, Erased)
    assert str(subject.phone) == "[erased]"
    assert subject.nik.masked == SUBJECT[0][:4] + "********" + SUBJECT[0][12:]
    assert requested[cards[OTHER[1]]].name == OTHER[1]
    assert requested[cards[OTHER[1]]].phone == PHONES[OTHER[0]]
    handed = [e for e in events if type(e).__name__ == "HandedOver"
              and str(e.originator_id) == cards[OTHER[1]]]
    assert isinstance(handed[0].recipient.name, Erased)  # the proxy's part of OTHER's card
    assert handed[0].recipient.relationship.value == "spouse"
    # Loaded and replayed: the same status.
    with open_office(url) as office:
        state = project(None, office.store.events(UUID(cards[SUBJECT[1]])))
    assert state is not None and state.status.value == "HANDED_OVER"
    assert str(state.name) == "[erased]" and str(state.phone) == "[erased]" and not state.is_open


def _verify_leaves(db_args: tuple[str, ...], before: int, cipher_key: Path) -> None:
    """``db verify``: every stored event still matches the leaf written with it."""
    verified = run(*db_args, "db", "verify", role="head",
                   env={**KEY_ENV, "EKTP_CIPHER_KEY_FILE": str(cipher_key)})
    assert verified.code == 7, verified.err  # 7: integrity only (no public key given)
    assert f"{before} stored events each match their journal leaf" in verified.out


def test_an_erased_resident_is_in_no_file_and_every_leaf_still_verifies(tmp_path: Path,
                                                                       cipher_key: Path) -> None:
    office_dir = tmp_path / "office"
    office_dir.mkdir()
    db = office_dir / "office.db"
    env = {"EKTP_CIPHER_KEY_FILE": str(cipher_key)}
    assert init_office(db=db, env=env).code == 0
    cards = _seed(f"sqlite:///{db}")
    assert run("audit", "keygen", "--private", str(tmp_path / "k.pem"), "--public",
               str(tmp_path / "k.pub")).code == 0
    before = office_dir / "export-before"
    done = run("audit", "export", "--out", str(before), "--sign-key", str(tmp_path / "k.pem"),
               db=db, role="head", env=env)
    assert done.code == 0, done.err
    with sqlite3.connect(db) as c:
        wrapped = [bytes(r[0]) for r in c.execute("SELECT wrapped FROM ektp_subject_keys")]
    assert len(wrapped) == 4  # SUBJECT, OTHER, PROXY, OPEN
    stored = event_count(db)

    def erase(nik: str, role: str = "head") -> Any:
        return run("personal-data", "erase", nik, "--record", "BA/PDP/7",
                   "--legal-basis", "the resident's request (UU PDP Art. 43)", db=db, role=role,
                   env=env)

    # Refused: not the head (nothing written), an open card, a NIK the office does not hold.
    assert_one_line_error(erase(SUBJECT[0], role="operator"), 1)
    assert event_count(db) == stored
    refused = erase(OPEN[0])
    assert_one_line_error(refused, 4)
    assert "still open" in refused.err and OPEN[0] not in refused.err
    assert_one_line_error(erase(make_nik(serial=14)), 3)
    assert event_count(db) == stored
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM ektp_subject_keys").fetchone()[0] == 4

    for person in (SUBJECT, PROXY):
        erased = erase(person[0])
        assert erased.code == 0, erased.err
        assert person[0] not in erased.out and person[0][:4] + "********" in erased.out
    again = erase(SUBJECT[0])
    assert_one_line_error(again, 4)
    assert "already erased" in again.err
    assert event_count(db) == stored + 2

    # The card: same status, personal fields erased, the row without initials or index.
    shown = run("--json", "card", "show", cards[SUBJECT[1]], db=db, role="operator", env=env)
    assert shown.code == 0, shown.err
    assert shown.json()["status"] == "HANDED_OVER" and shown.json()["name"] == "[erased]"
    assert shown.json()["phone"] == "[erased]"
    with open_office(f"sqlite:///{db}") as office:
        assert office.reports.card_page().total == 4  # the read models caught up
    with sqlite3.connect(db) as c:
        rows = dict((r[0], r[1:]) for r in c.execute(
            "SELECT card_id, nik_masked, initials, nik_index, kk_index, name_index FROM card_status"))
    assert rows[cards[SUBJECT[1]]] == (SUBJECT[0][:4] + "********" + SUBJECT[0][12:], "", None, None, None)
    assert rows[cards[PROXY[1]]][1:] == ("", None, None, None)
    assert rows[cards[OTHER[1]]][1] == "W.T.A." and rows[cards[OTHER[1]]][2] is not None

    _check_decoded(f"sqlite:///{db}", cards)
    _verify_leaves(("--db", f"sqlite:///{db}"), stored + 2, cipher_key)

    # Exports after: the one before is, line for line, its start; it verifies.
    after = office_dir / "export-after"
    done = run("audit", "export", "--out", str(after), "--sign-key", str(tmp_path / "k.pem"),
               db=db, role="head", env=env)
    assert done.code == 0, done.err
    old_lines = (before / "events.jsonl").read_bytes().splitlines()
    new_lines = (after / "events.jsonl").read_bytes().splitlines()
    assert new_lines[:len(old_lines)] == old_lines and len(new_lines) == len(old_lines) + 2
    assert [json.loads(line)["type"] for line in new_lines[-2:]] == ["PersonalDataErased"] * 2
    # SUBJECT, a card holder only: the event of version 1's shape; PROXY, both a holder
    # and OTHER's proxy: their own card, and OTHER's card as collected.
    assert "collected" not in json.loads(new_lines[-2])["data"]
    assert json.loads(new_lines[-1])["data"]["cards"] == [cards[PROXY[1]]]
    assert json.loads(new_lines[-1])["data"]["collected"] == [cards[OTHER[1]]]
    verified = run("--json", "audit", "verify", str(after), "--public-key", str(tmp_path / "k.pub"),
                   "--host-login", me())
    assert verified.code == 0, verified.err
    revealed = run("audit", "export", "--out", str(office_dir / "revealed"), "--reveal-personal-data",
                   "--purpose", "erasure test", db=db, role="head", env=env)
    assert revealed.code == 0, revealed.err

    # Every file ektp wrote, while the office is open (its -wal) and after.
    contents: dict[str, bytes] = {}

    def read_all(when: str) -> None:
        for p in office_dir.rglob("*"):
            if p.is_file():
                contents[f"{when}: {p.relative_to(office_dir)}"] = p.read_bytes()

    with open_office(f"sqlite:///{db}") as office:
        assert office.reports.card_page().total == 4
        read_all("open")
    read_all("closed")
    assert "open: office.db-wal" in contents and "closed: revealed/events.jsonl" in contents
    leaks = {name: _found(blob, ERASED_SECRETS) for name, blob in contents.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # The destroyed keys are in no file either (their rows are overwritten, not freed).
    blob = b"".join(contents.values())
    with sqlite3.connect(db) as c:
        kept = {bytes(r[0]) for r in c.execute("SELECT wrapped FROM ektp_subject_keys")}
    assert len(kept) == 2
    assert [w in blob for w in wrapped if w not in kept] == [False, False]
    # The control: the revealed export holds the residents kept, in full.
    revealed_lines = (office_dir / "revealed" / "events.jsonl").read_bytes()
    assert OTHER[0].encode() in revealed_lines and OTHER[1].encode() in revealed_lines
    assert PHONES[OTHER[0]].encode() in revealed_lines
    # Shown in full (each display recorded in the access log): the erased phone stays
    # erased, the kept resident's is in their personal-data export.
    full = run("--json", "card", "show", cards[SUBJECT[1]], "--full", db=db, role="head", env=env)
    assert full.code == 0, full.err
    assert full.json()["phone"] == "[erased]" and full.json()["name"] == "[erased]"
    kept = run("--json", "personal-data", "export", OTHER[0], db=db, role="head", env=env)
    assert kept.code == 0, kept.err
    assert [c["phone"] for c in kept.json()["cards"]] == [PHONES[OTHER[0]]]


@pytest.mark.postgres
def test_on_postgresql_a_pg_dump_holds_no_erased_resident(postgres_url: str, cipher_key: Path) -> None:
    assert init_office(pre=("--db", postgres_url),
                       env={"EKTP_CIPHER_KEY_FILE": str(cipher_key)}).code == 0
    cards = _seed(postgres_url)
    login = postgres_url.split("://", 1)[1].split("@", 1)[0]
    head = Actor(login, Role.HEAD)
    with open_office(postgres_url) as office:
        stored = office.store.last_position()
        with pytest.raises(Exception, match="may not erase"):
            office.erasure.erase(Actor(login, Role.OPERATOR), SUBJECT[0], record_number="BA/1",
                                 legal_basis="request")
        assert office.store.last_position() == stored
        for person in (SUBJECT, PROXY):
            office.erasure.erase(head, person[0], record_number="BA/1", legal_basis="request")
        assert office.reports.card_page().total == 4  # the read models caught up
    dump = subprocess.run([find_binary("pg_dump"), "--data-only", postgres_url],
                          capture_output=True, timeout=120, check=True).stdout
    assert b"COPY public.ektp_subject_keys" in dump and b"COPY public.card_status" in dump
    assert _found(dump, ERASED_SECRETS) == []
    assert b"W.T.A." in dump and b"W.S.E." not in dump  # the control: OTHER's initials stay
    _check_decoded(postgres_url, cards)
    _verify_leaves(("--db", postgres_url), stored + 2, cipher_key)


def test_apply_retention_erases_only_residents_whose_cards_all_closed_long_ago(
        tmp_path: Path, cipher_key: Path) -> None:
    import datetime as dt

    from testkit.fakes import FakeClock

    db = tmp_path / "office.db"
    env = {"EKTP_CIPHER_KEY_FILE": str(cipher_key)}
    assert init_office(db=db, env=env).code == 0
    operator = Actor(me(), Role.OPERATOR)
    old, recent, reopened = make_nik(serial=21), make_nik(serial=22), make_nik(serial=23)
    clock = FakeClock(dt.datetime(2018, 3, 1, 2, 0, tzinfo=dt.timezone.utc))
    with open_office(f"sqlite:///{db}", clock=clock) as office:
        for nik in (old, reopened):
            card = office.request_card(operator, nik=nik, name="Warga Lama", kk=kk_for(nik),
                                       village="35.17.09.2018")
            office.cards.cancel(operator, card.id, reason="moved away")
        clock.current = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.timezone.utc)
        card = office.request_card(operator, nik=recent, name="Warga Baru", kk=kk_for(recent),
                                   village="35.17.09.2018")
        office.cards.cancel(operator, card.id, reason="moved away")
        office.request_card(operator, nik=reopened, name="Warga Lama", kk=kk_for(reopened),
                            village="35.17.09.2018")  # an open card: not due
    policy = {**env, "EKTP_RETENTION_CLOSED_CARD_YEARS": "5"}

    none = run("personal-data", "apply-retention", "--dry-run", db=db, role="head", env=env)
    assert_one_line_error(none, 2)  # no policy configured
    assert "closed_card_years" in none.err
    assert_one_line_error(run("personal-data", "apply-retention", db=db, env=policy), 1)
    stored = event_count(db)
    dry = run("--json", "personal-data", "apply-retention", "--dry-run", db=db, role="head", env=policy)
    assert dry.code == 0, dry.err
    assert [r["nik"] for r in dry.json()["residents"]] == [old[:4] + "********" + old[12:]]
    assert old not in dry.out and event_count(db) == stored
    applied = run("personal-data", "apply-retention", db=db, role="head", env=policy)
    assert applied.code == 0, applied.err
    assert "erased 1 person's personal data" in applied.out and old not in applied.out
    assert event_count(db) == stored + 1
    again = run("--json", "personal-data", "apply-retention", "--dry-run", db=db, role="head", env=policy)
    assert again.json()["residents"] == []
    events = _decoded(f"sqlite:///{db}")
    names = {e.nik.masked if isinstance(e.nik, Erased) else e.nik: e.name
             for e in events if type(e).__name__ == "Requested"}
    assert isinstance(names[old[:4] + "********" + old[12:]], Erased)
    assert names[recent] == "Warga Baru" and names[reopened] == "Warga Lama"
    basis = [e.legal_basis for e in events if type(e).__name__ == "PersonalDataErased"]
    assert basis == ["retention policy: 5 years after the card was closed"]


def test_a_key_rotation_rewraps_the_residents_keys_and_erasure_still_works(
        tmp_path: Path, cipher_key: Path) -> None:
    db = tmp_path / "office.db"
    env = {"EKTP_CIPHER_KEY_FILE": str(cipher_key)}
    assert init_office(db=db, env=env).code == 0
    operator = Actor(me(), Role.OPERATOR)
    with open_office(f"sqlite:///{db}") as office:
        for nik, name in (SUBJECT, OTHER):
            card = office.request_card(operator, nik=nik, name=name, kk=kk_for(nik),
                                       village="35.17.09.2018")
            office.cards.cancel(operator, card.id, reason="moved away")
    with sqlite3.connect(db) as c:
        before = dict(c.execute("SELECT subject, wrapped_by FROM ektp_subject_keys").fetchall())
    rotated = run("--json", "keys", "rotate", db=db, env=env, role="head")
    assert rotated.code == 0, rotated.err
    with sqlite3.connect(db) as c:
        after = dict(c.execute("SELECT subject, wrapped_by FROM ektp_subject_keys").fetchall())
    assert after.keys() == before.keys() and len(after) == 2
    assert set(after.values()) != set(before.values()) and len(set(after.values())) == 1
    text = "\n".join(repr(vars(e)) for e in _decoded(f"sqlite:///{db}"))
    assert SUBJECT[1] in text and OTHER[1] in text  # read with the new office key
    erased = run("personal-data", "erase", SUBJECT[0], "--record", "BA/2", "--legal-basis",
                 "request", db=db, role="head", env=env)
    assert erased.code == 0, erased.err
    text = "\n".join(repr(vars(e)) for e in _decoded(f"sqlite:///{db}"))
    assert SUBJECT[1] not in text and OTHER[1] in text


def test_without_the_cipher_key_nothing_can_be_erased_and_nothing_is_written(tmp_path: Path) -> None:
    from testkit.cli import new_database

    db = new_database(tmp_path / "office.db")
    with open_office(f"sqlite:///{db}") as office:
        card = office.request_card(Actor(me(), Role.OPERATOR), nik=SUBJECT[0], name=SUBJECT[1],
                                   kk=kk_for(SUBJECT[0]), village="35.17.09.2018")
        office.cards.cancel(Actor(me(), Role.OPERATOR), card.id, reason="moved away")
    stored = event_count(db)
    refused = run("personal-data", "erase", SUBJECT[0], "--record", "BA/3", "--legal-basis",
                  "request", db=db, role="head")
    assert_one_line_error(refused, 5)
    assert "cipher key" in refused.err and SUBJECT[0] not in refused.err
    assert event_count(db) == stored
    bad = run("personal-data", "erase", SUBJECT[0], "--record", " ", "--legal-basis", "request",
              db=db, role="head")
    assert_one_line_error(bad, 2)


@pytest.mark.postgres
def test_a_postgresql_database_without_the_keys_table_still_works_and_refuses_erasure(
        postgres_url: str, cipher_key: Path) -> None:
    import psycopg

    from ektp.application.errors import ErasureUnavailable

    assert init_office(pre=("--db", postgres_url),
                       env={"EKTP_CIPHER_KEY_FILE": str(cipher_key)}).code == 0
    with psycopg.connect(postgres_url, autocommit=True) as connection:  # as made before them
        connection.execute("DROP TABLE ektp_subject_keys")
    login = postgres_url.split("://", 1)[1].split("@", 1)[0]
    operator, head = Actor(login, Role.OPERATOR), Actor(login, Role.HEAD)
    with open_office(postgres_url) as office:
        card = office.request_card(operator, nik=SUBJECT[0], name=SUBJECT[1],
                                   kk=kk_for(SUBJECT[0]), village="35.17.09.2018")
        office.cards.cancel(operator, card.id, reason="moved away")
        stored = office.store.last_position()
        with pytest.raises(ErasureUnavailable, match="ektp db upgrade"):
            office.erasure.erase(head, SUBJECT[0], record_number="BA/1", legal_basis="request")
        assert office.store.last_position() == stored
    text = "\n".join(repr(vars(e)) for e in _decoded(postgres_url))
    assert SUBJECT[1] in text  # stored under the office key only, and read back


def test_two_writers_making_one_persons_first_key_never_lose_a_field(tmp_path: Path,
                                                                      cipher_key: Path) -> None:
    """Writer B looked OTHER's key up before writer A stored it (forced here), then names
    OTHER as a proxy: B's insert of a second key for them conflicts, and B's hand-over is
    either refused by name (nothing written) or decided again under A's key. No field is
    ever sealed under a key that was not kept."""
    db = tmp_path / "office.db"
    assert init_office(db=db, env={"EKTP_CIPHER_KEY_FILE": str(cipher_key)}).code == 0
    operator = Actor(me(), Role.OPERATOR)
    url = f"sqlite:///{db}"
    with open_office(url) as a, open_office(url) as b:
        b.receive_blanks(operator, bast="BAST/T/1", source="ministry", ranges=["3517170001-3517170002"])
        card = str(b.request_card(operator, nik=SUBJECT[0], name=SUBJECT[1], kk=kk_for(SUBJECT[0]),
                                  village="35.17.09.2018").id)
        b.confirm_print_readiness(operator, card)
        b.allocate_blank(operator, card, "3517170001")
        b.record_printed(operator, card)
        b.dispatch(operator, card, "kurir.test")
        subjects: Any = b.store.app.mapper.subjects
        looked_up = subjects.table.by_subject
        calls: list[str] = []

        def lookup(subject: str) -> Any:  # the first look-up misses: B saw no key yet
            calls.append(subject)
            return looked_up(subject) if len(calls) > 1 else None

        subjects.table.by_subject = lookup
        a.request_card(operator, nik=OTHER[0], name=OTHER[1], kk=kk_for(OTHER[0]),
                       village="35.17.09.2018")
        stored = event_count(db)

        def hand_over() -> Any:
            return b.hand_over(operator, card, recipient="proxy", verified_by="kk",
                               proxy_nik=OTHER[0], proxy_name=OTHER[1],
                               proxy_kk=kk_for(SUBJECT[0]), relationship="sibling")

        try:
            done = hand_over()
        except Exception as refused:  # noqa: BLE001 - a named refusal, and nothing written
            assert type(refused).__name__ == "ConcurrentChange", refused
            assert event_count(db) == stored
            done = hand_over()
        assert done.status == "HANDED_OVER"
        assert len(calls) == 2  # the stale key conflicted, and the retry found A's
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM ektp_subject_keys").fetchone()[0] == 2
    handed = [e for e in _decoded(url) if type(e).__name__ == "HandedOver"]
    assert len(handed) == 1 and handed[0].recipient.name == OTHER[1]


def _subject_key_rows(url: str) -> list[tuple[str, str]]:
    """(key id, subject) of every kept subject key."""
    query = "SELECT key_id, subject FROM ektp_subject_keys ORDER BY key_id"
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            return [(str(k), str(s)) for k, s in connection.execute(query).fetchall()]
    with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
        return [(str(k), str(s)) for k, s in c.execute(query).fetchall()]


def test_a_key_made_blind_that_meets_a_kept_one_is_written_again_under_the_kept_key(
        shared_store_url: str, cipher_key: Path) -> None:
    """A writer asks the keys' table nothing before a resident's first write (a new key is
    made blind); when another writer keeps a key for that resident already, the table
    refuses the new one, nothing of that write stays, and the same write goes through
    under the kept key, without a refusal to the clerk: one key per resident, every field
    sealed under a key that was kept, and no new key from the refused write."""
    url = shared_store_url
    if url.startswith("postgresql"):
        assert init_office(pre=("--db", url), env={"EKTP_CIPHER_KEY_FILE": str(cipher_key)}).code == 0
        login = url.split("://", 1)[1].split("@", 1)[0]
    else:
        assert init_office(db=Path(url.removeprefix("sqlite:///")),
                           env={"EKTP_CIPHER_KEY_FILE": str(cipher_key)}).code == 0
        login = me()
    operator = Actor(login, Role.OPERATOR)
    with open_office(url) as a, open_office(url) as b:
        subjects: Any = b.store.app.mapper.subjects
        recorder: Any = b.store.app.recorder
        looked_up: list[str] = []
        writes: list[tuple[int, int]] = []  # (new keys, events) of each write
        lookup, insert = subjects.table.by_subject, recorder.insert_events

        def counted_lookup(subject: str) -> Any:
            looked_up.append(subject)
            return lookup(subject)

        def counted_insert(*args: Any, **kwargs: Any) -> Any:
            writes.append((len(kwargs.get("subject_keys") or ()), len(args[0])))
            return insert(*args, **kwargs)

        subjects.table.by_subject, recorder.insert_events = counted_lookup, counted_insert
        b.receive_blanks(operator, bast="BAST/T/1", source="ministry", ranges=["3517170001-3517170002"])
        card = dispatched_card(b, operator, SUBJECT[0], SUBJECT[1], "3517170001")
        assert looked_up == []  # a new resident: no look-up before the write
        a.request_card(operator, nik=OTHER[0], name=OTHER[1], kk=kk_for(OTHER[0]),
                       village="35.17.09.2018")
        kept = _subject_key_rows(url)
        assert len(kept) == 2
        def stored() -> int:
            return len(recorder.select_notifications(start=1, limit=10_000))

        before = stored()
        del writes[:]
        done = b.hand_over(operator, card, recipient="proxy", verified_by="kk",
                           proxy_nik=OTHER[0], proxy_name=OTHER[1], proxy_kk=kk_for(SUBJECT[0]),
                           relationship="sibling")
        assert done.status == "HANDED_OVER"
        # Made blind and refused, then looked up and written under A's key (no new key).
        assert [keys for keys, _ in writes] == [1, 0] and len(looked_up) == 1
        assert writes[0][1] == writes[1][1]
        assert stored() == before + writes[1][1]  # the refused write left nothing
    assert _subject_key_rows(url) == kept
    handed = [e for e in _decoded(url) if type(e).__name__ == "HandedOver"]
    assert len(handed) == 1 and handed[0].recipient.name == OTHER[1]
    assert handed[0].recipient.nik == OTHER[0] and handed[0].recipient.kk == kk_for(SUBJECT[0])
