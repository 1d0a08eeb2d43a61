"""The office configuration: one TOML file, written once by ``ektp db init`` (or
by the administrator), read by every command.

Where it is: ``--config PATH``, else ``EKTP_CONFIG``, else
``$XDG_CONFIG_HOME/ektp/config.toml`` (``~/.config/ektp/config.toml``), else
``/etc/ektp/config.toml`` for a shared workstation. Every setting may also come
from its environment variable, and a few from a flag (``--db``); the precedence
is flags > environment > file > default, and `Resolved.sources` says where each
value came from (``ektp db check`` shows it).

The schema is the attrs classes below: a section per table, a field per key,
each field's metadata naming its environment variable and its one-line help
(which `render` writes into the file as a comment). A key the schema does not
know is refused with its name, so a typo never silently falls back to a
default. Secrets never go in the file: a PostgreSQL password belongs in
``~/.pgpass`` (or ``PGPASSFILE``), and key files are named by path only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import attrs

from ektp.application.kernel.i18n import _, said
from ektp.application.operations import ConfigInvalid

SYSTEM_PATH = "/etc/ektp/config.toml"
CONFIG_VARIABLE = "EKTP_CONFIG"
# Patterns kept as text: `re` compiles each on first use (and caches it), not when
# this module is imported (every command imports it; most never use them).
_CODE = r"[0-9]{2}\.[0-9]{2}"
LANGUAGES = ("en", "id")


def _setting(default: Any, env: str, doc: str, *, low: int | None = None,
             high: int | None = None, export: bool = False) -> Any:
    """A field of the schema: its default, environment variable and help; `low`..`high`
    bound an integer; `export` hands a file's value on to code that reads the variable."""
    return attrs.field(default=default, metadata={
        "env": env, "doc": doc, "low": low, "high": high, "export": export})


@attrs.frozen
class OfficeSection:
    """``[office]``: who the office is."""

    code: str = _setting("35.17", "EKTP_OFFICE_CODE",
                         "The office code stamped on every record (province.regency).")
    name: str = _setting("Dispendukcapil Kabupaten Jombang", "EKTP_OFFICE_NAME",
                         "The office's name, printed on manifest sheets.")
    regency: str = _setting("35.17", "EKTP_REGENCY",
                            "The regency whose villages the office serves.")
    # A file without the key is an office configured before issue 15: English, as it
    # was; `ektp db init` writes "id" for a new office.
    language: str = _setting("en", "EKTP_LANGUAGE",
                             "Language of messages and help: id or en (--lang, LANGUAGE "
                             "or LANG override it for one person).")


@attrs.frozen
class DatabaseSection:
    """``[database]``: where the records are and how long to wait for them."""

    url: str = _setting("", "EKTP_DATABASE_URL",
                        "sqlite:////ABSOLUTE/PATH or postgresql://USER@HOST:PORT/DB "
                        "(no password here: ~/.pgpass).")
    connect_timeout: int = _setting(5, "EKTP_CONNECT_TIMEOUT",
                                    "Seconds to wait for the server to answer (PostgreSQL).",
                                    low=1, high=600)
    lock_timeout: int = _setting(10, "EKTP_LOCK_TIMEOUT",
                                 "Seconds a command waits for a lock another session or "
                                 "process holds (SQLite: the busy timeout).", low=1, high=3600)
    statement_timeout: int = _setting(300, "EKTP_STATEMENT_TIMEOUT",
                                      "Seconds one statement may run before it is cancelled "
                                      "(PostgreSQL).", low=1, high=86400)
    allow_unsafe_durability: bool = _setting(
        False, "EKTP_ALLOW_UNSAFE_DURABILITY",
        "true only for a throwaway database: take writes on a server with fsync or "
        "full_page_writes off.")


@attrs.frozen
class KeysSection:
    """``[keys]``: paths of the office's key files (never the keys themselves)."""

    audit_key_file: str = _setting("", "EKTP_AUDIT_KEY_FILE",
                                   "File holding the audit key (64 hex digits) that keys "
                                   "the NIK pseudonyms of audit exports.", export=True)
    cipher_key_file: str = _setting("", "EKTP_CIPHER_KEY_FILE",
                                    "File holding the cipher key that encrypts every stored "
                                    "event (ektp keys init makes it; mode 0600).", export=True)


@attrs.frozen
class FilesSection:
    """``[files]``: who may read the files ektp writes (`ektp.adapters.files`)."""

    group: str = _setting("", "EKTP_FILES_GROUP",
                          "A group that may read the files ektp writes (0640, folders 0750); "
                          "empty: only the owner (0600, folders 0700).", export=True)


@attrs.frozen
class RetentionSection:
    """``[retention]``: how long personal data is kept once a resident's cards are closed
    (``ektp personal-data apply-retention``)."""

    closed_card_years: int = _setting(
        0, "EKTP_RETENTION_CLOSED_CARD_YEARS",
        "Years after a resident's last card was closed (handed over, cancelled, destroyed) "
        "before apply-retention erases their personal data as a whole; 0: no retention "
        "policy.", low=0, high=100)


@attrs.frozen
class Configuration:
    """The whole configuration: one attribute per section."""

    office: OfficeSection = OfficeSection()
    database: DatabaseSection = DatabaseSection()
    keys: KeysSection = KeysSection()
    files: FilesSection = FilesSection()
    retention: RetentionSection = RetentionSection()

    def value(self, key: str) -> Any:
        """The value of ``section.key``."""
        section, name = key.split(".")
        return getattr(getattr(self, section), name)


def _sections() -> list[tuple[str, type[Any]]]:
    return [(f.name, type(f.default)) for f in attrs.fields(Configuration)]


def keys() -> list[str]:
    """Every ``section.key`` of the schema, in file order."""
    return [f"{section}.{f.name}" for section, cls in _sections() for f in attrs.fields(cls)]


def _field(key: str) -> attrs.Attribute[Any]:
    section, name = key.split(".")
    cls = dict(_sections())[section]
    return next(f for f in attrs.fields(cls) if f.name == name)


def environment_variable(key: str) -> str:
    """The environment variable of ``section.key``."""
    return str(_field(key).metadata["env"])


@attrs.frozen
class Resolved:
    """The configuration in effect, where each value came from, and which file was read."""

    config: Configuration
    sources: Mapping[str, str]
    path: str | None  # the file that was read (None: no file)
    path_source: str  # how the file was found: --config, EKTP_CONFIG, default location...

    def exported(self) -> dict[str, str]:
        """Variables to set for code that reads them (key paths): the file's values
        of settings whose variable is not set already."""
        out = {}
        for key in keys():
            field = _field(key)
            value = self.config.value(key)
            if field.metadata["export"] and value and self.sources[key] not in ("default",) \
                    and not self.sources[key].startswith("EKTP_"):
                out[str(field.metadata["env"])] = str(value)
        return out


# --- where the file is -----------------------------------------------------------
def user_path(environ: Mapping[str, str]) -> str:
    """``$XDG_CONFIG_HOME/ektp/config.toml`` (``~/.config/ektp/config.toml``)."""
    base = environ.get("XDG_CONFIG_HOME", "").strip()
    if not base or not os.path.isabs(base):
        home = environ.get("HOME") or os.path.expanduser("~")
        base = os.path.join(home, ".config")
    return os.path.join(base, "ektp", "config.toml")


def locate(flag: str | None, environ: Mapping[str, str]) -> tuple[str, str, bool]:
    """(path, how it was chosen, whether it was named explicitly) of the configuration
    file to read or write; the first that exists of the user's and the system's, else
    the user's (where ``db init`` writes one)."""
    if flag:
        return os.path.abspath(flag), "--config", True
    named = environ.get(CONFIG_VARIABLE, "").strip()
    if named:
        return os.path.abspath(named), CONFIG_VARIABLE, True
    user = user_path(environ)
    if os.path.exists(user):
        return user, "the user's configuration", False
    if os.path.exists(SYSTEM_PATH):
        return SYSTEM_PATH, "the workstation's configuration", False
    return user, "the user's configuration", False


# --- reading ---------------------------------------------------------------------
def read_file(path: str) -> dict[str, dict[str, Any]]:
    """The file's tables, checked against the schema (unknown sections or keys, wrong
    types, values out of range: `ConfigInvalid` naming the key)."""
    import tomllib  # only when a file exists: most of a command's start-up is import time

    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise ConfigInvalid(path=path, reason=error.strerror or str(error)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigInvalid(path=path, reason=_("it is not valid TOML ({error})").format(error=error)) from None
    sections = dict(_sections())
    checked: dict[str, dict[str, Any]] = {}
    for section, table in data.items():
        if section not in sections:
            raise ConfigInvalid(path=path, reason=_(
                "unknown section [{section}] (known: {known})").format(
                    section=section, known=", ".join(f"[{s}]" for s in sections)))
        if not isinstance(table, dict):
            raise ConfigInvalid(path=path, reason=_("{section} must be a table, [{section}]").format(
                section=section))
        names = {f.name for f in attrs.fields(sections[section])}
        for name, value in table.items():
            if name not in names:
                raise ConfigInvalid(path=path, reason=_(
                    "unknown key {name} in [{section}] (known: {known})").format(
                        name=repr(name), section=section, known=", ".join(sorted(names))))
            checked.setdefault(section, {})[name] = _check(path, f"{section}.{name}", value)
    return checked


def _check(where: str, key: str, value: Any, *, in_file: bool = True) -> Any:
    """`value` of ``section.key`` if it is of the key's type and range, else `ConfigInvalid`
    (a URL is checked here only in a file: from a flag or variable, opening it says)."""
    field = _field(key)
    default = field.default
    section, name = key.split(".")
    label = f"[{section}] {name}"
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigInvalid(path=where, reason=_("{label} must be true or false").format(label=label))
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigInvalid(path=where, reason=_("{label} must be a whole number of seconds").format(
                label=label))
        low, high = field.metadata["low"], field.metadata["high"]
        if (low is not None and value < low) or (high is not None and value > high):
            raise ConfigInvalid(path=where, reason=_("{label} must be from {low} to {high}").format(
                label=label, low=low, high=high))
    elif not isinstance(value, str):
        raise ConfigInvalid(path=where, reason=_("{label} must be a quoted string").format(label=label))
    if key in ("office.code", "office.regency") and not re.fullmatch(_CODE, value):
        raise ConfigInvalid(path=where, reason=_("{label} must look like 35.17").format(label=label))
    if key == "office.language" and value not in LANGUAGES:
        raise ConfigInvalid(path=where, reason=_("{label} must be one of {choices}").format(
            label=label, choices=", ".join(LANGUAGES)))
    if key == "database.url" and value and in_file:
        _check_url(where, value)
    return value


def _check_url(where: str, url: str) -> None:
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.domain.errors import DomainError

    try:
        parsed = DatabaseUrl.parse(url)
    except DomainError as error:
        raise ConfigInvalid(path=where, reason=_("[database] url: {reason}").format(
            reason=said(error).rstrip("."))) from None
    if parsed.password:
        raise ConfigInvalid(path=where, reason=_(
            "[database] url holds a password; keep it out of the configuration "
            "(~/.pgpass, PGPASSFILE or PGPASSWORD)"))


def _from_text(key: str, text: str, where: str) -> Any:
    """An environment variable's or flag's text as the key's type."""
    default = _field(key).default
    value: Any = text.strip()
    if isinstance(default, bool):
        lowered = value.lower()
        if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off", ""):
            raise ConfigInvalid(path=where, reason=_("it must be 1 or 0 (true or false)"))
        value = lowered in ("1", "true", "yes", "on")
    elif isinstance(default, int):
        if not value.isascii() or not value.isdigit() or len(value) > 6:
            raise ConfigInvalid(path=where, reason=_("it must be a whole number of seconds"))
        value = int(value)
    return _check(where, key, value, in_file=False)


def resolve(flags: Mapping[str, str | None], environ: Mapping[str, str],
            config_flag: str | None = None, *, read: bool = True,
            missing_ok: bool = False) -> Resolved:
    """The configuration in effect: for each key, its flag (``flags["database.url"]``),
    else its environment variable, else the file's value, else the default. With
    `read` false no file is read; `missing_ok` lets a file named by ``--config`` or
    ``EKTP_CONFIG`` not exist yet (``db init`` writes it)."""
    path, how, explicit = locate(config_flag, environ)
    exists = os.path.exists(path)
    if explicit and not exists and read and not missing_ok:
        raise ConfigInvalid(path=path, reason=_("it does not exist (named by {how})").format(how=how))
    # An empty file is all defaults: no need to import the TOML parser for it.
    from_file = read_file(path) if exists and read and os.path.getsize(path) else {}
    values: dict[str, dict[str, Any]] = {}
    sources: dict[str, str] = {}
    for key in keys():
        section, name = key.split(".")
        variable = environment_variable(key)
        flag = flags.get(key)
        if flag is not None:
            flag_name = "--db" if key == "database.url" else f"--{name.replace('_', '-')}"
            value, source = _from_text(key, flag, flag_name), flag_name
        elif environ.get(variable, "").strip():
            value, source = _from_text(key, environ[variable], variable), variable
        elif name in from_file.get(section, {}):
            value, source = from_file[section][name], path
        else:
            value, source = _field(key).default, "default"
        values.setdefault(section, {})[name] = value
        sources[key] = source
    sections = dict(_sections())
    config = Configuration(**{s: sections[s](**v) for s, v in values.items()})
    return Resolved(config, sources, path if exists and read else None, how)


# --- writing ---------------------------------------------------------------------
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    out = []
    for char in str(value):  # a TOML basic string: quotes, backslashes and controls escaped
        if char in '"\\':
            out.append("\\" + char)
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render(config: Configuration, *, note: str = "") -> str:
    """The configuration as the TOML text ``db init`` writes: every key with its help."""
    lines = [
        "# The office configuration of ektp (docs/operations.md, \"Configuration\").",
        "# Precedence: command-line flags > environment variables > this file > defaults.",
        "# A key ektp does not know is refused, so check the spelling when you edit.",
    ]
    if note:
        lines.append(f"# {note}")
    for section, cls in _sections():
        lines += ["", f"[{section}]"]
        for field in attrs.fields(cls):
            lines.append(f"# {field.metadata['doc']} ({field.metadata['env']})")
            lines.append(f"{field.name} = {_toml_value(getattr(getattr(config, section), field.name))}")
    return "\n".join(lines) + "\n"


def write(path: str, text: str, *, group: str | None = None) -> None:
    """Create `path` holding `text`, mode 0600 (0640 with `group`, which then owns it);
    never replaces an existing file nor writes through a symbolic link
    (`ektp.adapters.files`). The folder is created (0700 under a home folder; 0755
    for /etc/ektp, which every account of a shared workstation reads)."""
    from ektp.adapters import files

    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        try:
            if folder.startswith("/etc"):
                os.makedirs(folder, mode=0o755)
            else:
                files.make_folder(folder)
        except OSError as error:
            raise ConfigInvalid(path=path, reason=_("its folder cannot be made ({error})").format(
                error=error.strerror)) from None
    gid = -1
    if group:
        import grp

        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            raise ConfigInvalid(path=path, reason=_("there is no group {group}").format(
                group=repr(group))) from None
    try:
        fd = files.open_new(path)
    except FileExistsError:
        raise ConfigInvalid(path=path, reason=_("it exists already; edit it instead")) from None
    except OSError as error:
        raise ConfigInvalid(path=path, reason=error.strerror or str(error)) from None
    try:
        if group:
            os.fchown(fd, -1, gid)
            os.fchmod(fd, 0o640)
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    except OSError as error:
        os.close(fd)
        os.unlink(path)
        raise ConfigInvalid(path=path, reason=error.strerror or str(error)) from None
    os.close(fd)


def url_without_password(url: str) -> str:
    """`url` as the configuration stores it: without its password, SQLite paths absolute."""
    from ektp.adapters.database_url import DatabaseUrl

    parsed = DatabaseUrl.parse(url)
    if parsed.kind == "sqlite":
        path, _, query = parsed.path.partition("?")
        return f"sqlite:///{os.path.abspath(path)}" + (f"?{query}" if query else "")
    if parsed.kind == "postgresql":
        user = f"{parsed.user}@" if parsed.user else ""
        return f"postgresql://{user}{parsed.host}:{parsed.port}/{parsed.dbname}"
    return url
