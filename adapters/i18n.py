"""Which language ektp speaks, and its catalog from disk (issue 15).

The choice, first that applies: ``--lang id|en``; else the machine's locale
variables ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (their language part
only, ``id_ID.UTF-8`` -> ``id``; ``C`` and ``POSIX`` make no choice, nor does a
language ektp has no catalog for, as gettext itself passes over it); else the
office configuration's ``language`` (``EKTP_LANGUAGE``, else the file's; ``ektp db
init`` writes ``id`` for a new office); else English.

The catalogs are gettext ``.po`` files beside this module
(``locale/<lang>/LC_MESSAGES/ektp.po``), compiled to ``.mo`` when ektp is installed
(``scripts/setup`` runs ``scripts/catalog compile``); only Indonesian has one, since
every message is written in English in the code (its msgid is the English text).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping, Sequence

from ektp.application.kernel.i18n import DOMAIN, N_, _

LANGUAGES = ("id", "en")
#: ``locale/`` beside this module's real file: in an editable (strict) install the
#: module is a link into the source tree, whose ``locale/`` holds the compiled catalog.
#: os.path, not pathlib: every command imports this module, and pathlib is slow to import.
LOCALE_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "locale")
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class UnknownLanguage(ValueError):
    """A language ektp has no catalog for was asked by name."""

    TEMPLATE = N_("{where} {given!r} is not a language ektp speaks (choose one of: {choices})")

    def __init__(self, given: str, where: str) -> None:
        self.given, self.where = given, where
        super().__init__(self.TEMPLATE.format(where=where, given=given, choices=", ".join(LANGUAGES)))

    def said(self) -> str:
        """The refusal in the language in force (the locale's, when it names one)."""
        return _(self.TEMPLATE).format(where=self.where, given=self.given,
                                       choices=", ".join(LANGUAGES))


class CatalogMissing(RuntimeError):
    """The Indonesian catalog was never compiled (ektp installed without scripts/setup)."""

    def __init__(self, lang: str) -> None:
        super().__init__(f"the {lang} message catalog is not compiled "
                         f"(no {os.path.join(LOCALE_DIR, lang, 'LC_MESSAGES', DOMAIN + '.mo')}): "
                         "run ./scripts/setup")


def _language_part(value: str) -> str | None:
    """``id_ID.UTF-8@euro`` -> ``id``; ``C``, ``POSIX`` and empty -> None."""
    first = value.split(":")[0].strip()
    lang = first.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
    if not lang or lang in ("c", "posix"):
        return None
    return lang


def from_locale(environ: Mapping[str, str]) -> str | None:
    """The language the machine's locale variables choose, if ektp speaks it."""
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "")
        # LANGUAGE is a colon-separated list of preferences: the first ektp speaks wins.
        for entry in value.split(":") if variable == "LANGUAGE" else [value]:
            lang = _language_part(entry)
            if lang in LANGUAGES:
                return lang
    return None


def from_configuration(environ: Mapping[str, str], config_flag: str | None) -> str | None:
    """The office configuration's language (``EKTP_LANGUAGE``, else the file's), if set.

    A configuration that cannot be read chooses nothing here: the command that
    reads it for its database reports what is wrong with it.
    """
    variable = environ.get("EKTP_LANGUAGE", "").strip()
    if variable:
        if variable not in LANGUAGES:
            raise UnknownLanguage(variable, "EKTP_LANGUAGE")
        return variable
    path = _configuration_path(environ, config_flag)
    if path is None or not os.path.isfile(path) or not os.path.getsize(path):
        return None
    import tomllib  # only when a configuration file exists

    try:
        with open(path, "rb") as file:
            office = tomllib.load(file).get("office", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    language = office.get("language") if isinstance(office, dict) else None
    if not isinstance(language, str) or language not in LANGUAGES:
        return None  # refused with its key's name when the command reads its configuration
    return language


def _configuration_path(environ: Mapping[str, str], config_flag: str | None) -> str | None:
    """The file `ektp.adapters.office_config.locate` would read, found without importing
    it (its schema costs ``ektp --help`` a sixth of its time)."""
    if config_flag:
        return config_flag
    named = environ.get("EKTP_CONFIG", "").strip()
    if named:
        return named
    base = environ.get("XDG_CONFIG_HOME", "").strip()
    if not base or not os.path.isabs(base):
        base = os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".config")
    user = os.path.join(base, "ektp", "config.toml")
    return user if os.path.exists(user) else "/etc/ektp/config.toml"


def choose(flag: str | None, environ: Mapping[str, str], config_flag: str | None = None,
           founding: str | None = None) -> str:
    """The language to speak: `flag` (``--lang``), the locale, the configuration, the
    language of the office being founded (`founding_language`), English."""
    if flag is not None:
        if flag.strip().lower() not in LANGUAGES:
            raise UnknownLanguage(flag, "--lang")
        return flag.strip().lower()
    return from_locale(environ) or from_configuration(environ, config_flag) or founding or "en"


def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (English: the code's own text, no catalog)."""
    if lang not in LANGUAGES:
        raise UnknownLanguage(lang, "language")
    if lang == "en":
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, [lang])
    except FileNotFoundError:
        raise CatalogMissing(lang) from None


def founding_language(args: Sequence[str]) -> str | None:
    """The language of the office ``ektp db init`` founds when no configuration exists yet
    (its ``--language``, else Indonesian): it speaks the office's language from its first
    line. None for any other command."""
    rest = list(args[_command_start(args):])
    if rest[:2] != ["db", "init"]:
        return None
    for i, arg in enumerate(rest):
        if arg == "--language" and i + 1 < len(rest):
            return rest[i + 1].strip().lower() if rest[i + 1].strip().lower() in LANGUAGES else None
        if arg.startswith("--language="):
            value = arg.partition("=")[2].strip().lower()
            return value if value in LANGUAGES else None
    return "id"


_TAKES_VALUE = {"--db", "--db-password-file", "--config", "--as", "--lang", "--actor", "--role"}


def _command_start(args: Sequence[str]) -> int:
    """Where the command's name is in `args` (after the global options)."""
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-") or arg == "--":
            return i
        if arg in _TAKES_VALUE:
            i += 1
        i += 1
    return i


def global_options(args: Sequence[str]) -> dict[str, str]:
    """``--lang`` and ``--config`` as given before the command's name (``ektp --lang id
    card ...``), read ahead of click so that even ``--help`` and usage errors are in
    the chosen language."""
    found: dict[str, str] = {}
    takes_value = _TAKES_VALUE
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-") or arg == "--":
            break  # the command's name: what follows is the command's own
        name, eq, value = arg.partition("=")
        if name in takes_value and not eq:
            if i + 1 >= len(args):
                break
            value = args[i + 1]
            i += 1
        if name in ("--lang", "--config"):
            found[name] = value
        i += 1
    return found
