"""Words for people, through gettext: the one place code asks for a translated string.

Every user-facing string (messages, errors, help, sheets, reports) is written in English
in the code and passed through `_` (or `ngettext` for counts); `N_` marks a string for
the catalogs where it is translated later (a table of templates). The language in force
is held per context (a `ContextVar`), not per process, so two threads of a host program
can serve an Indonesian and an English office at once. Which catalog to load, and from
where, is an adapter's business (`ektp.adapters.i18n`); this module only looks words up.
"""

from __future__ import annotations

import contextlib
import gettext
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ektp.domain.errors import DomainError

#: The catalogs' text domain: ``locale/<lang>/LC_MESSAGES/ektp.mo``.
DOMAIN = "ektp"

_NONE = gettext.NullTranslations()
_current: ContextVar[gettext.NullTranslations] = ContextVar("ektp_translations", default=_NONE)


def _(message: str) -> str:
    """`message` in the language in force (the English text itself when untranslated)."""
    # gettext maps the empty msgid to the catalog's header: an empty text stays empty.
    return _current.get().gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a count's sentence, in the language in force."""
    return _current.get().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` translated within `context`, for one English word with two meanings."""
    return _current.get().pgettext(context, message)


def said(error: DomainError) -> str:
    """`error`'s sentence in the language in force, its template and its marked reasons
    translated: for a refusal kept as text (a bad row of a file), not raised to the CLI."""
    # Imported here: looking words up needs no domain; only this rendering does.
    from ektp.domain.messages import render

    return render(error.code, error.facts, _)


def N_(message: str, **fields: object) -> str:
    """Mark `message` for the catalogs without translating it now (it is looked up later,
    with `say`). With `fields`, `message` is a template: a `domain.messages.Reason`, the
    English sentence (what ``--json`` shows) that `say` translates, then fills in."""
    if not fields:
        return message
    from ektp.domain.messages import Reason

    return Reason(message, fields)


def say(text: str) -> str:
    """`text`, a word or sentence kept as data (English, as ``--json`` shows it) and marked
    with `N_`, in the language in force."""
    from ektp.domain.messages import Reason

    return text.said(_) if isinstance(text, Reason) else _(text)


def use(translations: gettext.NullTranslations) -> None:
    """Put `translations` in force for this context (the CLI does this once at start)."""
    _current.set(translations)


@contextlib.contextmanager
def speaking(translations: gettext.NullTranslations) -> Iterator[None]:
    """Put `translations` in force for the `with` block only, then restore the previous."""
    token = _current.set(translations)
    try:
        yield
    finally:
        _current.reset(token)


def in_force() -> gettext.NullTranslations:
    """The translations in force in this context."""
    return _current.get()
