"""Click's help and messages in the language in force (issue 15).

Help texts are written in English in the code (docstrings, ``help=``), and
translated when shown, not when the command is defined: the language is chosen
after the modules are imported. `Command` and `Group` here do that for a
command's help, its one-line summary and every option's help; `speak_click`
routes click's own words ("Usage:", "Missing option ...") through the same
catalog, so a whole ``--help`` or usage error is in one language.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from typing import Any, cast

import click

from ektp.application.kernel.i18n import N_, _, ngettext

def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with its plural for the catalogs (click looks it up by ngettext)."""
    return singular, plural


#: Click's own words that an ektp user meets, marked for the catalog (click looks
#: them up through `speak_click`; the ones not listed stay English).
CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"),
    N_("Show this message and exit."), N_("Show the version and exit."),
    N_("Try '{command} {option}' for help."), N_("Error: {message}"),
    N_("Missing argument"), N_("Missing option"), N_("Missing parameter"),
    N_("Missing command."),
    N_("Invalid value for {param_hint}: {message}"), N_("Invalid value: {message}"),
    N_("No such command {name!r}."), N_("No such option {name!r}."),
    N_("Option {name!r} does not take a value."),
    N_("required"), N_("default: {default}"), N_("env var: {var}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a directory."),
    N_("Aborted!"),
    N_plural("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)


def _short(text: str) -> str:
    return _(inspect.cleandoc(text))


@contextlib.contextmanager
def _in_language(command: click.Command) -> Iterator[None]:
    """`command`'s help and its options' help translated for the `with` block."""
    saved: list[tuple[Any, str, Any]] = [(command, "help", command.help),
                                         (command, "short_help", command.short_help),
                                         (command, "epilog", command.epilog)]
    for param in command.params:
        saved.append((param, "help", getattr(param, "help", None)))
    try:
        for owner, attribute, value in saved:
            if value:
                setattr(owner, attribute, _short(value))
        yield
    finally:
        for owner, attribute, value in saved:
            setattr(owner, attribute, value)


class _Translated:
    """What a translated command and group share: their help is shown in the language in
    force (a mixin before the click class, so `super()` is click's)."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The whole help page, translated."""
        with _in_language(cast(click.Command, self)):
            super().format_help(ctx, formatter)  # type: ignore[misc]

    def get_short_help_str(self, limit: int = 45) -> str:
        """The one-line summary (in the parent's command list), translated."""
        with _in_language(cast(click.Command, self)):
            return super().get_short_help_str(limit)  # type: ignore[misc, no-any-return]


class Command(_Translated, click.Command):
    """A click command whose help is shown in the language in force."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command: its own work starts here, so the cyclic collector that the
        ``ektp`` command paused for its start-up runs again (`startup`)."""
        from ektp.entrypoints.cli import startup

        startup.resume()
        return super().invoke(ctx)


class Group(_Translated, click.Group):
    """A click group whose help, and whose commands' and subgroups', is translated."""

    command_class = Command
    group_class = type  # subgroups are of this same class


def _click_gettext(message: str) -> str:
    return _(message)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n)


def speak_click() -> None:
    """Let click's own messages ("Usage:", "Missing option ...") be looked up in ektp's
    catalog: click imports gettext's functions under these names in each module."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting,
                   click.parser, click.types):
        if hasattr(module, "_"):
            setattr(module, "_", _click_gettext)
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", _click_ngettext)
