"""Which language ektp speaks (issue 15): --lang > locale variables > the office
configuration > English; and the compiled catalog it loads."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

from ektp.adapters import i18n, office_config


def test_the_flag_wins_over_everything() -> None:
    environ = {"LANG": "en_US.UTF-8", "EKTP_LANGUAGE": "en"}
    assert i18n.choose("id", environ) == "id"
    assert i18n.choose("EN", {"LANGUAGE": "id"}) == "en"


@pytest.mark.parametrize("given", ["xx", "", "indonesian", "id_ID"])
def test_an_unknown_flag_is_refused_naming_the_languages(given: str) -> None:
    with pytest.raises(i18n.UnknownLanguage, match="choose one of: id, en"):
        i18n.choose(given, {})


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "id_ID.UTF-8"}, "id"),
    ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "id_ID"}, "id"),
    ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "id_ID"}, "en"),
    ({"LANGUAGE": "fr:id:en", "LANG": "en_US"}, "id"),
    ({"LANGUAGE": "en", "LANG": "id_ID.UTF-8"}, "en"),
    ({"LC_ALL": "C", "LANG": "id_ID.UTF-8"}, "id"),      # C and POSIX choose nothing
    ({"LANG": "C.UTF-8"}, None),
    ({"LANG": "POSIX"}, None),
    ({"LANG": "de_DE.UTF-8"}, None),                     # a language ektp does not speak
    ({}, None),
])
def test_the_locale_variables_choose_by_their_language_part(
        environ: dict[str, str], expected: str | None) -> None:
    assert i18n.from_locale(environ) == expected


def test_the_office_configuration_chooses_when_the_locale_does_not(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[office]\nlanguage = "id"\n')
    assert i18n.choose(None, {"LANG": "C.UTF-8", "EKTP_CONFIG": str(config)}) == "id"
    assert i18n.choose(None, {"LANG": "en_US.UTF-8", "EKTP_CONFIG": str(config)}) == "en"
    assert i18n.choose(None, {"EKTP_CONFIG": str(config), "EKTP_LANGUAGE": "en"}) == "en"
    assert i18n.choose(None, {}, config_flag=str(config)) == "id"


def test_without_any_choice_ektp_speaks_english(tmp_path: Path) -> None:
    empty = tmp_path / "config.toml"
    empty.write_text("")
    assert i18n.choose(None, {"EKTP_CONFIG": str(empty)}) == "en"
    assert i18n.choose(None, {"EKTP_CONFIG": str(tmp_path / "none.toml")}) == "en"
    broken = tmp_path / "broken.toml"
    broken.write_text("[office\n")  # reported by the command that reads it, not here
    assert i18n.choose(None, {"EKTP_CONFIG": str(broken)}) == "en"


def test_an_unknown_ektp_language_variable_is_refused() -> None:
    with pytest.raises(i18n.UnknownLanguage, match="EKTP_LANGUAGE"):
        i18n.choose(None, {"EKTP_LANGUAGE": "jv"})


@pytest.mark.parametrize("case", ["flag", "variable", "user", "system-or-user"])
def test_the_configuration_is_found_where_office_config_finds_it(tmp_path: Path, case: str) -> None:
    environ = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    flag = None
    if case == "flag":
        flag = str(tmp_path / "given.toml")
    elif case == "variable":
        environ["EKTP_CONFIG"] = str(tmp_path / "named.toml")
    elif case == "user":
        (tmp_path / "xdg" / "ektp").mkdir(parents=True)
        (tmp_path / "xdg" / "ektp" / "config.toml").write_text("")
    found = i18n._configuration_path(environ, flag)
    path, _how, _explicit = office_config.locate(flag, environ)
    if case == "system-or-user" and not Path(office_config.SYSTEM_PATH).exists():
        # Neither exists: office_config names the user's (where db init writes), this
        # the system's; both read nothing.
        assert not Path(path).exists() and not Path(str(found)).exists()
    else:
        assert Path(str(found)).resolve() == Path(path).resolve()


def test_the_global_options_are_read_before_the_command_name() -> None:
    args = ["--db", "sqlite:///x.db", "--lang=id", "--config", "c.toml", "card", "--lang", "en"]
    assert i18n.global_options(args) == {"--lang": "id", "--config": "c.toml"}
    assert i18n.global_options(["card", "show", "--lang", "id"]) == {}
    assert i18n.global_options(["--json", "--lang"]) == {}


def test_english_needs_no_catalog_and_indonesian_loads_the_compiled_one() -> None:
    assert type(i18n.translations("en")) is gettext.NullTranslations
    indonesian = i18n.translations("id")
    assert isinstance(indonesian, gettext.GNUTranslations)
    assert indonesian.gettext("Options") == "Opsi"
    assert indonesian.ngettext("{n} card", "{n} cards", 1) == "{n} kartu"


def test_db_init_speaks_the_language_of_the_office_it_founds(tmp_path: Path) -> None:
    assert i18n.founding_language(["db", "init", "--head", "sri"]) == "id"
    assert i18n.founding_language(["--db", "sqlite:///x.db", "db", "init", "--language", "en"]) == "en"
    assert i18n.founding_language(["db", "init", "--language=en"]) == "en"
    assert i18n.founding_language(["db", "check"]) is None
    assert i18n.founding_language(["card", "init"]) is None
    none = {"EKTP_CONFIG": str(tmp_path / "none.toml")}
    assert i18n.choose(None, none, founding="id") == "id"
    existing = tmp_path / "config.toml"
    existing.write_text('[office]\nlanguage = "en"\n')  # an office already founded
    assert i18n.choose(None, {"EKTP_CONFIG": str(existing)}, founding="id") == "en"
