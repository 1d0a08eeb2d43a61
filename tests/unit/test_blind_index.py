"""Keyed ids and blind indexes (issue 14): the name normaliser, the pseudonyms' keyed
HMACs, NIK registers under keyed ids (and legacy uuid5 registers still found on an
upgraded database), read models with no plaintext name, and ``card find``."""

from __future__ import annotations

import sqlite3
import unicodedata
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from testkit.fake_regions import FakeRegions
from testkit.fakes import FakeClock
from testkit.people import JABON, NGUDIREJO, OPERATOR, kk_for, make_nik
from testkit.staff import staffed_office

from ektp.adapters.pseudonyms import KeyedPseudonyms
from ektp.application.office import Office
from ektp.application.ports.pseudonyms import KK, NIK
from ektp.domain import errors, open_requests
from ektp.domain.name_tokens import name_tokens
from ektp.domain.nik import Nik

KEY = bytes(range(32))
words = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=8)


@given(st.lists(words, min_size=1, max_size=5), st.randoms())
def test_tokens_do_not_depend_on_word_order_case_or_accents(parts: list[str], rnd: object) -> None:
    shuffled = list(parts)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    accented = " ".join(unicodedata.normalize("NFD", w.upper()) + "\u0301" for w in shuffled)
    assert name_tokens(" ".join(parts)) == name_tokens(", ".join(reversed(parts)))
    assert name_tokens(" ".join(parts)) == name_tokens(" - ".join(shuffled).swapcase())
    assert name_tokens(accented) == name_tokens(" ".join(parts))


def test_tokens_of_a_name_as_typed() -> None:
    assert name_tokens("Nur-Jannah, SITI") == ("jannah", "nur", "siti")
    assert name_tokens("  Déwi  Ayu ") == name_tokens("ayu dewi") == ("ayu", "dewi")
    assert name_tokens("'.-, ") == ()


@given(st.text(max_size=30), st.text(max_size=30))
def test_name_indexes_are_equal_exactly_when_the_tokens_are(a: str, b: str) -> None:
    keyed = KeyedPseudonyms(KEY)
    assert (keyed.name_index(name_tokens(a)) == keyed.name_index(name_tokens(b))) == (
        name_tokens(a) == name_tokens(b))


@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32),
       st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_ids_and_indexes_differ_between_office_keys(one: bytes, other: bytes, nik: str) -> None:
    a, b = KeyedPseudonyms(one), KeyedPseudonyms(other)
    assert a.stream_id("nik-register", nik) == KeyedPseudonyms(one).stream_id("nik-register", nik)
    if one != other:
        assert a.stream_id("nik-register", nik) != b.stream_id("nik-register", nik)
        assert a.index(NIK, nik) != b.index(NIK, nik)
    assert a.index(NIK, nik) != a.index(KK, nik)  # the kind is part of the input
    assert a.stream_id("nik-register", nik) != uuid.uuid5(open_requests._NAMESPACE, nik)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    with staffed_office(f"sqlite:///{tmp_path / 'o.db'}", clock=FakeClock(),
                        regions=FakeRegions()) as office:
        yield office


def _request(office: Office, serial: int, name: str, village: str = JABON) -> str:
    nik = make_nik(serial=serial)
    office.request_card(OPERATOR, nik=nik, name=name, kk=kk_for(nik), village=village)
    return nik


def test_a_register_lives_under_the_keyed_id_not_the_uuid5(office: Office, tmp_path: Path) -> None:
    nik = _request(office, 1, "Siti Nur Jannah")
    reads = office.services.store.reads()
    keyed = office.services.pseudonyms.stream_id(open_requests.REGISTER_KIND, nik)
    assert reads.load(keyed, open_requests.project) is not None
    assert reads.load(open_requests.legacy_register_id(Nik(nik)), open_requests.project) is None
    assert office.services.legacy_registers() is False  # a database made by this ektp
    with pytest.raises(errors.DuplicateOpenRequest):
        _request(office, 1, "Siti Nur Jannah")


def _legacy_register(office: Office, nik: str, card: uuid.UUID) -> None:
    """A register as ektp wrote it before issue 14: at the NIK's uuid5 id."""
    from testkit.card_steps import T0

    legacy = open_requests.legacy_register_id(Nik(nik))
    claimed = open_requests.claim(None, legacy, card, "m", OPERATOR, T0, "35.17")
    office.services.store.app.events.put([claimed])


def test_a_legacy_register_is_found_only_on_a_database_made_before(office: Office,
                                                                   tmp_path: Path) -> None:
    nik = make_nik(serial=7)
    old_card = uuid.uuid4()
    _legacy_register(office, nik, old_card)
    # A database made by this ektp never looks at the uuid5 id (and never reads it).
    assert office.reports.card_page(nik=nik).total == 0
    # Made before version 4: its step-4 row says upgraded, and the register is found.
    with sqlite3.connect(tmp_path / "o.db") as db:
        db.execute("UPDATE ektp_schema SET applied_by = 'ektp 0.1.0 (upgraded)' WHERE version = 4")
    # Read as a store opens (the next process on the file).
    with staffed_office(f"sqlite:///{tmp_path / 'o.db'}", clock=FakeClock(),
                        regions=FakeRegions()) as upgraded:
        assert upgraded.services.legacy_registers() is True
        from ektp.application.card.registers import find_register

        found = find_register(upgraded.services, upgraded.services.store.reads(), Nik(nik))
        assert found is not None and found.card_id == old_card
        # A new request for that NIK meets the legacy register, which holds it open.
        with pytest.raises(errors.DuplicateOpenRequest):
            _request(upgraded, 7, "Lama")


def test_the_read_model_holds_no_name_nik_or_kk_and_find_matches_any_order(office: Office,
                                                                          tmp_path: Path) -> None:
    siti = _request(office, 1, "Siti Nur Jannah")
    _request(office, 2, "Siti Aminah", NGUDIREJO)
    _request(office, 3, "Dewi Ayu")
    page = office.reports.find_by_name("jannah SITI")
    assert [r.initials for r in page.rows] == ["S.N.J."] and page.total == 1
    assert {r.initials for r in office.reports.find_by_name("siti").rows} == {"S.N.J.", "S.A."}
    assert [r.initials for r in office.reports.find_by_name("Sîti", village=NGUDIREJO).rows] == ["S.A."]
    assert office.reports.find_by_name("Siti Ayu").total == 0
    with sqlite3.connect(tmp_path / "o.db") as db:
        rows = db.execute("SELECT * FROM card_status").fetchall()
    text = repr(rows)
    for secret in (siti, kk_for(siti), "Siti", "Jannah", "Aminah", "Dewi"):
        assert secret not in text


def test_card_find_cli_shows_masked_nik_initials_village_status_and_short_id(
        office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from ektp.entrypoints.cli.main import cli

    _request(office, 1, "Siti Nur Jannah")
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'o.db'}", "--json",
                                      "card", "find", "nur siti"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["total"] == 1
    card = found["cards"][0]
    assert card["initials"] == "S.N.J." and card["nik"].startswith("3517****")
    assert card["status"] == "REQUESTED" and len(card["short_id"]) == 8
    assert "Siti" not in result.output
    shown = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'o.db'}", "card", "find",
                                     "JANNAH", "--village", JABON])
    assert shown.exit_code == 0, shown.output
    assert card["short_id"] in shown.output and "S.N.J." in shown.output
    assert card["nik"] in shown.output and "REQUESTED" in shown.output and "Siti" not in shown.output
    nobody = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'o.db'}", "card", "find",
                                      "Bambang"])
    assert nobody.exit_code == 0 and "no card holder has that name" in nobody.output
    empty = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'o.db'}", "card", "find", "., -"])
    assert "give at least one word of the name" in str(empty.exception)


def test_keys_list_warns_when_the_cipher_key_is_the_audit_key(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import base64
    import os

    from ektp.entrypoints.cli.main import cli

    key = tmp_path / "cipher.key"
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, f"ektp-cipher-key/1 {base64.b64encode(KEY).decode()}\n".encode())
    os.close(fd)
    monkeypatch.setenv("EKTP_CIPHER_KEY_FILE", str(key))
    monkeypatch.setenv("EKTP_AUDIT_KEY", KEY.hex())
    same = CliRunner().invoke(cli, ["keys", "list"])
    assert same.exit_code == 0 and "are the same key" in same.output
    assert KEY.hex() not in same.output
    monkeypatch.setenv("EKTP_AUDIT_KEY", bytes(range(1, 33)).hex())
    apart = CliRunner().invoke(cli, ["keys", "list"])
    assert apart.exit_code == 0 and "same key" not in apart.output
