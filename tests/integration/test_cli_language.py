"""ektp in Bahasa Indonesia and in English (issue 15): a new office speaks Indonesian,
--lang and the locale variables choose for one person, --json and exit codes are the
same in both, and the help is translated when shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testkit.cli import Result, assert_one_line_error, init_office, run

NIK = "3517091203850001"
# No locale choice: the office configuration decides (the test run's own is English).
NO_LOCALE = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A new office, made by `db init` with no language given, and one card in it."""
    folder = tmp_path_factory.mktemp("office")
    env = {**NO_LOCALE, "EKTP_CONFIG": str(folder / "config.toml")}
    done = init_office(env=env, cwd=folder)
    assert done.code == 0, done.err
    for args in (("blanks", "receive", "--bast", "BAST/1", "--source", "ministry",
                  "--range", "3517170001-3517171234"),
                 ("card", "request", "--nik", NIK, "--name", "Ahmad Fauzi",
                  "--kk", "3517090101100001", "--village", "35.17.09.2018")):
        made = run(*args, env=env, cwd=folder)
        assert made.code == 0, made.err
    return folder, env


def ektp(office: tuple[Path, dict[str, str]], *args: str, **env: str) -> Result:
    folder, base = office
    return run(*args, env={**base, **env}, cwd=folder)


def test_db_init_writes_indonesian_for_a_new_office(office: tuple[Path, dict[str, str]]) -> None:
    folder, _env = office
    assert 'language = "id"' in (folder / "config.toml").read_text()


def test_the_office_speaks_indonesian(office: tuple[Path, dict[str, str]]) -> None:
    status = ektp(office, "status", NIK)
    assert status.code == 0, status.err
    assert status.out.startswith("3517********0001: kartu ")
    assert "diajukan sejak" in status.out and "menunggu pemeriksaan kesiapan cetak" in status.out
    stock = ektp(office, "blanks", "stock")
    assert "LAPORAN STOK BLANGKO KTP-EL HARIAN" in stock.out
    assert "1.234" in stock.out  # numbers as Indonesian writes them
    missing = ektp(office, "card", "show", "3517091203850009")
    assert_one_line_error(missing, 3)
    assert missing.err.startswith("ektp: tidak ditemukan: tidak ditemukan kartu untuk NIK 3517")


@pytest.mark.parametrize("chooses", [{"LANG": "en_US.UTF-8"}, {"LANGUAGE": "en"},
                                     {"LC_ALL": "en_GB.UTF-8"}])
def test_the_locale_variables_override_the_office(office: tuple[Path, dict[str, str]],
                                                  chooses: dict[str, str]) -> None:
    status = ektp(office, "status", NIK, **chooses)
    assert "card " in status.out and "requested since" in status.out and "kartu" not in status.out


def test_lang_overrides_the_locale_and_the_office(office: tuple[Path, dict[str, str]]) -> None:
    english = ektp(office, "--lang", "en", "status", NIK, LANG="id_ID.UTF-8")
    assert "waiting for the central print-ready check" in english.out
    indonesian = ektp(office, "--lang", "id", "status", NIK, LANG="en_US.UTF-8")
    assert "menunggu pemeriksaan" in indonesian.out


def test_json_keys_and_exit_codes_are_the_same_in_both(office: tuple[Path, dict[str, str]]) -> None:
    for args, code in ((("--json", "status", NIK), 0), (("--json", "card", "show", "x"), 2),
                       (("--json", "card", "show", "3517091203850009"), 3)):
        id_ = ektp(office, "--lang", "id", *args)
        en = ektp(office, "--lang", "en", *args)
        assert id_.code == en.code == code, (id_.err, en.err)
        if code == 0:
            assert id_.json() == en.json()
        else:
            one, two = json.loads(id_.err), json.loads(en.err)
            assert one.keys() == two.keys() and one["error"] == two["error"]
            assert one["kind"] == two["kind"]


def test_help_and_usage_errors_are_translated(office: tuple[Path, dict[str, str]]) -> None:
    helped = ektp(office, "card", "--help")
    assert helped.code == 0
    assert "Penggunaan: ektp card" in helped.out and "Perintah:" in helped.out
    assert "Membawa kartu dari pengajuan sampai penyerahan." in helped.out
    assert "Tampilkan kartu sebagaimana keadaannya sekarang." in helped.out  # a summary
    option = ektp(office, "card", "request", "--help")
    assert "NIK penduduk, 16 digit." in option.out and "Tampilkan pesan ini lalu keluar." in option.out
    wrong = ektp(office, "card", "frobnicate")
    assert_one_line_error(wrong, 2)
    assert wrong.err == "ektp: penggunaan: Tidak ada perintah 'frobnicate'. (lihat 'ektp card --help')\n"
    english = ektp(office, "--lang", "en", "card", "--help")
    assert "Usage: ektp card" in english.out and "Take a card from request to hand-over." in english.out


def test_an_unknown_language_is_refused_naming_the_two(tmp_path: Path) -> None:
    for args, env in ((("--lang", "jv", "--help"), {}), (("--help",), {**NO_LOCALE, "EKTP_LANGUAGE": "fr"})):
        done = run(*args, env=env, cwd=tmp_path)
        assert_one_line_error(done, 2)
        assert "id, en" in done.err


def test_an_unknown_lang_is_refused_in_the_locales_language(tmp_path: Path) -> None:
    said = {lang: run("--lang", "jv", "card", "list", env={**NO_LOCALE, "LANG": f"{lang}.UTF-8"},
                      cwd=tmp_path) for lang in ("id_ID", "en_US")}
    for done in said.values():
        assert_one_line_error(done, 2)
    assert "bukan bahasa yang dikuasai ektp (pilih salah satu dari: id, en)" in said["id_ID"].err
    assert "is not a language ektp speaks (choose one of: id, en)" in said["en_US"].err


def test_without_any_choice_ektp_speaks_english(tmp_path: Path) -> None:
    done = run("--help", env=NO_LOCALE, cwd=tmp_path)  # the test run's empty configuration
    assert "Usage: ektp" in done.out and "Penggunaan" not in done.out
    chosen = run("--help", env={**NO_LOCALE, "LANG": "id_ID.UTF-8"}, cwd=tmp_path)
    assert "Penggunaan: ektp" in chosen.out


def test_db_init_language_en_makes_an_english_office(tmp_path: Path) -> None:
    env = {**NO_LOCALE, "EKTP_CONFIG": str(tmp_path / "config.toml")}
    made = run("db", "init", "--language", "en", role=None, env=env, cwd=tmp_path)
    assert made.code == 0, made.err
    assert made.out.startswith("database ready: ")  # it speaks the office's language at once
    assert 'language = "en"' in (tmp_path / "config.toml").read_text()
    assert "Usage: ektp" in run("--help", env=env, cwd=tmp_path).out


def test_a_bad_import_row_gives_its_reason_in_the_office_language(
        office: tuple[Path, dict[str, str]]) -> None:
    folder, _env = office
    listed = {}
    for lang in ("id", "en"):
        path = folder / f"requests-empty-kk-{lang}.csv"
        path.write_text("nik,name,kk,village,reason,evidence\n"
                        "3517091203850002,Siti Aminah,,35.17.09.2018,new,\n", encoding="utf-8")
        refused = ektp(office, "--lang", lang, "card", "import", str(path))
        assert refused.code == 2, refused.err
        listed[lang] = (folder / f"{path.name}.errors.txt").read_text()
    assert "baris 2, kolom kk: kolom kk tidak sah: isinya kosong." in listed["id"], listed
    assert "it is empty" not in listed["id"]
    assert "line 2, column kk: the kk column is not valid: it is empty." in listed["en"], listed
    assert "kosong" not in listed["en"]


def test_a_refusal_names_the_action_in_indonesian_and_the_role_as_typed(
        office: tuple[Path, dict[str, str]]) -> None:
    # The role is what one types after --as ("head"), never a translation of the word
    # (the read-model column "head" once turned it into "ujung"); the action is said in
    # the office's language, and the status words too.
    refused = ektp(office, "staff", "enrol", "kurir.a", "--name", "A", "--role", "courier")
    assert_one_line_error(refused, 1)
    assert "tidak boleh mendaftarkan staf (itu memerlukan: head)" in refused.err
    assert "ujung" not in refused.err
    english = ektp(office, "--lang", "en", "staff", "enrol", "kurir.a", "--name", "A",
                   "--role", "courier")
    assert "may not enrol staff (that needs: head)" in english.err
    who = ektp(office, "whoami")
    assert "(pengguna sistem operasi)" in who.out and "aktif" in who.out
    choice = ektp(office, "card", "hand-over", NIK, "--recipient", "owner", "--verified-by", "x")
    assert "bukan salah satu dari 'fingerprint', 'ktp', 'kk'" in choice.err


def test_refusals_from_every_area_are_in_the_language_chosen(
        office: tuple[Path, dict[str, str]]) -> None:
    """The audit's, the dates', the files', the database URL's and the cipher key's reasons
    (issue 15): each in Indonesian with --lang id, in English with --lang en, with the same
    exit code and the same --json keys, error and kind."""
    folder, _env = office
    exported = ektp(office, "audit", "export", "--out", str(folder / "tampered"))
    assert exported.code == 0, exported.err
    events = folder / "tampered" / "events.jsonl"
    text = events.read_text(encoding="utf-8")
    assert "BAST/1" in text
    events.write_text(text.replace("BAST/1", "BAST/7", 1), encoding="utf-8")
    (folder / "exists.html").write_text("kept\n", encoding="utf-8")
    bad_key = folder / "bad-cipher.key"
    bad_key.write_text("nonsense\n", encoding="utf-8")
    bad_key.chmod(0o600)
    cases = [
        ((), ("audit", "verify", str(folder / "tampered")),
         "hash-nya tidak cocok dengan isinya (baris itu diubah)",
         "its hash does not match its content (the line was altered)"),
        ((), ("blanks", "destruction-record", "--date", "2017-13-40"),
         "--date tidak sah: tulis sebagai YYYY-MM-DD, misalnya 2017-11-14",
         "--date is not valid: write it as YYYY-MM-DD, e.g. 2017-11-14"),
        ((), ("blanks", "destruction-record", "--output", str(folder / "exists.html")),
         "berkas itu sudah ada; berikan --force untuk menggantinya",
         "it already exists; give --force to replace it"),
        (("--db", "mysql://x/ektp"), ("card", "list"),
         "URL basis data harus diawali sqlite:///, postgresql:// atau memory://",
         "the database URL must start with sqlite:///, postgresql:// or memory://"),
        ((), ("card", "list"),
         f"berkas kunci sandi {bad_key} tidak dapat dipakai: tidak diawali ektp-cipher-key/1",
         f"the cipher key file {bad_key} cannot be used: it does not start with ektp-cipher-key/1"),
    ]
    for pre, args, indonesian, english in cases:
        env = {"EKTP_CIPHER_KEY_FILE": str(bad_key)} if "kunci sandi" in indonesian else {}
        said = {lang: ektp(office, "--lang", lang, *pre, *args, **env) for lang in ("id", "en")}
        assert_one_line_error(said["id"], said["en"].code)
        assert said["id"].code != 0
        assert indonesian in said["id"].err, said["id"].err
        assert english in said["en"].err and english not in said["id"].err, said["en"].err
        if "--output" in args:
            continue  # with --json the record is data on standard output: no file is written
        as_json = {lang: ektp(office, "--lang", lang, "--json", *pre, *args, **env).err
                   for lang in ("id", "en")}
        shown = {lang: json.loads(err.strip().splitlines()[-1]) for lang, err in as_json.items()}
        assert shown["id"].keys() == shown["en"].keys() == {"error", "kind", "message"}
        assert (shown["id"]["error"], shown["id"]["kind"]) == (shown["en"]["error"], shown["en"]["kind"])
        assert indonesian in shown["id"]["message"] and english in shown["en"]["message"]


def test_words_kept_as_data_are_english_in_json_and_said_in_the_language_chosen(
        office: tuple[Path, dict[str, str]]) -> None:
    """A blank's history line is data (``--json`` keeps its English) that the text says in
    the language chosen: the same JSON in both, the line translated."""
    shown = {lang: ektp(office, "--lang", lang, "blanks", "show", "3517170001") for lang in ("id", "en")}
    assert "diterima 1234 dari ministry (BAST BAST/1)" in shown["id"].out, shown["id"].out
    assert "received 1,234 from ministry (BAST BAST/1)" in shown["en"].out, shown["en"].out
    as_json = {lang: ektp(office, "--lang", lang, "--json", "blanks", "show", "3517170001")
               for lang in ("id", "en")}
    assert as_json["id"].code == as_json["en"].code == 0
    assert as_json["id"].json() == as_json["en"].json()
    assert "received 1,234 from ministry (BAST BAST/1)" in as_json["id"].out
