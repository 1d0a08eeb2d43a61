"""The office configuration (adapters/office_config.py), the schema versions
(adapters/schema.py) and the backup figures (adapters/backup.py), without a database."""

from __future__ import annotations

import tomllib
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ektp.adapters import office_config, schema
from ektp.adapters.backup import EventRow, _copy_field, figures
from ektp.application.operations import ConfigInvalid, DatabaseNotInitialised, SchemaNewer, SchemaOutdated

STRINGS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@given(name=STRINGS, lock=st.integers(1, 3600), unsafe=st.booleans(),
       key=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30))
def test_what_render_writes_reads_back_as_the_same_configuration(name: str, lock: int, unsafe: bool,
                                                                   key: str) -> None:
    config = office_config.Configuration(
        office=office_config.OfficeSection(name=name),
        database=office_config.DatabaseSection(url="sqlite:////srv/ektp/ektp.db", lock_timeout=lock,
                                               allow_unsafe_durability=unsafe),
        keys=office_config.KeysSection(audit_key_file=key),
        files=office_config.FilesSection(group=name))
    text = office_config.render(config)
    parsed = tomllib.loads(text)
    assert parsed["office"]["name"] == name and parsed["database"]["lock_timeout"] == lock
    assert parsed["database"]["allow_unsafe_durability"] is unsafe
    assert parsed["keys"]["audit_key_file"] == key and parsed["files"]["group"] == name
    assert set(parsed) == {"office", "database", "keys", "files", "retention"}
    for section, table in parsed.items():  # every key of the schema, each with its help
        assert set(table) == {k.split(".")[1] for k in office_config.keys() if k.startswith(section)}
    assert "(EKTP_LOCK_TIMEOUT)" in text


def _resolved(tmp_path: Path, text: str, environ: dict[str, str] | None = None,
              flags: dict[str, str | None] | None = None) -> office_config.Resolved:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return office_config.resolve(flags or {}, {"EKTP_CONFIG": str(path), **(environ or {})})


def test_each_value_comes_from_its_flag_else_its_variable_else_the_file_else_the_default(
        tmp_path: Path) -> None:
    text = '[database]\nurl = "sqlite:////file.db"\nlock_timeout = 7\n'
    resolved = _resolved(tmp_path, text, {"EKTP_LOCK_TIMEOUT": "8", "EKTP_DATABASE_URL": "sqlite:////env.db"},
                         {"database.url": "sqlite:////flag.db"})
    assert resolved.config.database.url == "sqlite:////flag.db" and resolved.sources["database.url"] == "--db"
    assert resolved.config.database.lock_timeout == 8
    assert resolved.sources["database.lock_timeout"] == "EKTP_LOCK_TIMEOUT"
    assert resolved.config.database.statement_timeout == 300
    assert resolved.sources["database.statement_timeout"] == "default"
    plain = _resolved(tmp_path, text)
    assert plain.config.database.url == "sqlite:////file.db"
    assert plain.sources["database.url"] == str(tmp_path / "config.toml")
    assert plain.path == str(tmp_path / "config.toml") and plain.path_source == "EKTP_CONFIG"


def test_key_paths_from_the_file_are_handed_on_to_their_variables(tmp_path: Path) -> None:
    resolved = _resolved(tmp_path, '[keys]\naudit_key_file = "/etc/ektp/audit.key"\n')
    assert resolved.exported() == {"EKTP_AUDIT_KEY_FILE": "/etc/ektp/audit.key"}
    overridden = _resolved(tmp_path, '[keys]\naudit_key_file = "/etc/ektp/audit.key"\n',
                           {"EKTP_AUDIT_KEY_FILE": "/home/op/key"})
    assert overridden.exported() == {}


@pytest.mark.parametrize("text, words", [
    ("[database]\nlock_timout = 5\n", "unknown key 'lock_timout' in [database]"),
    ("[keys]\nsigning_key = 'x'\n", "unknown key 'signing_key' in [keys]"),
    ("[server]\nhost = 'x'\n", "unknown section [server]"),
    ("lock_timeout = 5\n", "unknown section [lock_timeout]"),
    ("[database]\nlock_timeout = true\n", "whole number"),
    ("[database]\nallow_unsafe_durability = 'yes'\n", "true or false"),
    ("[database]\nstatement_timeout = 86401\n", "from 1 to 86400"),
    ("[office]\ncode = '3517'\n", "look like 35.17"),
    ("[office]\nname = 5\n", "quoted string"),
    ("[database]\nurl = 'mysql://x'\n", "must start with sqlite"),
    ("[database]\nurl = 'postgresql://u:pw@h:5432/d'\n", "holds a password"),
])
def test_a_bad_file_is_refused_naming_the_key(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigInvalid) as refused:
        _resolved(tmp_path, text)
    assert words in refused.value.message
    assert "pw" not in refused.value.message.replace("password", "")


@pytest.mark.parametrize("variable, value", [("EKTP_LOCK_TIMEOUT", "ten"), ("EKTP_LOCK_TIMEOUT", "0"),
                                             ("EKTP_ALLOW_UNSAFE_DURABILITY", "maybe"),
                                             ("EKTP_LANGUAGE", "fr")])
def test_a_bad_variable_is_refused_naming_it(tmp_path: Path, variable: str, value: str) -> None:
    with pytest.raises(ConfigInvalid) as refused:
        _resolved(tmp_path, "", {variable: value})
    assert variable in refused.value.message


def test_the_file_is_looked_for_where_the_administrator_put_it(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    assert office_config.locate(None, environ)[0] == str(tmp_path / "xdg" / "ektp" / "config.toml")
    assert office_config.locate(None, {"HOME": str(tmp_path / "home")})[0] == \
        str(tmp_path / "home" / ".config" / "ektp" / "config.toml")
    assert office_config.locate("x.toml", environ)[1:] == ("--config", True)
    with pytest.raises(ConfigInvalid):
        office_config.resolve({}, {**environ, "EKTP_CONFIG": str(tmp_path / "none.toml")})
    written = office_config.resolve({}, {**environ, "EKTP_CONFIG": str(tmp_path / "none.toml")},
                                    missing_ok=True)
    assert written.path is None


def test_the_url_written_has_no_password_and_an_absolute_path(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert office_config.url_without_password("sqlite:///office.db") == f"sqlite:///{tmp_path}/office.db"
    assert office_config.url_without_password("postgresql://ektp:secret@db:6543/kantor") == \
        "postgresql://ektp@db:6543/kantor"


def test_the_upgrade_steps_are_numbered_in_order_with_stable_names() -> None:
    versions = [step.version for step in schema.STEPS]
    assert versions == list(range(1, len(versions) + 1))
    assert len({step.name for step in schema.STEPS}) == len(versions)
    current = schema.current_version()
    assert schema.SchemaState(True, current).problem("x") is None
    assert isinstance(schema.SchemaState(True, 0).problem("x"), SchemaOutdated)
    assert isinstance(schema.SchemaState(True, current + 1).problem("x"), SchemaNewer)
    assert isinstance(schema.SchemaState(False, 0).problem("x"), DatabaseNotInitialised)
    assert schema.pending_steps(schema.SchemaState(True, 0)) == schema.STEPS


ROWS = st.lists(st.builds(EventRow, position=st.integers(1, 10**9), stream=st.uuids().map(str),
                          version=st.integers(1, 1000), topic=st.text(max_size=20),
                          state=st.binary(max_size=50)), min_size=1, max_size=8)


@given(ROWS, st.data())
def test_any_change_to_the_events_changes_the_figures(rows: list[EventRow], data: st.DataObject) -> None:
    rows.sort(key=lambda r: r.position)
    before = figures(rows)
    index = data.draw(st.integers(0, len(rows) - 1))
    field = data.draw(st.sampled_from(["position", "stream", "version", "topic", "state", "drop"]))
    changed = list(rows)
    if field == "drop":
        del changed[index]
    else:
        value = getattr(rows[index], field)
        other = data.draw({"position": st.integers(1, 10**9), "stream": st.uuids().map(str),
                           "version": st.integers(1, 1000), "topic": st.text(max_size=20),
                           "state": st.binary(max_size=50)}[field].filter(lambda v: v != value))
        changed[index] = attrs.evolve(rows[index], **{field: other})
    assert figures(changed).differences(before)


def _copy_escape(text: str) -> str:
    """PostgreSQL's COPY text escaping, for the parser's round trip."""
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


@given(st.text(max_size=40))
def test_copy_fields_read_back_as_written(text: str) -> None:
    assert _copy_field(_copy_escape(text)) == text


def test_copy_fields_in_octal_hex_and_null() -> None:
    assert _copy_field("\\N") is None
    assert _copy_field("a\\101\\x42c") == "aABc"
    assert _copy_field("\\\\x0a0b") == "\\x0a0b"  # how a bytea field arrives
