"""The ``ektp`` root command: global options, lazily loaded groups, error mapping.

Groups are imported only when used, so ``ektp --help`` and a single write
command load no more than they need. Every failure ends as one line on stderr
and a documented exit code (see `exit_codes`), never a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from ektp.adapters.i18n import CatalogMissing, UnknownLanguage
from ektp.application.kernel.i18n import N_, _
from ektp.entrypoints.cli import exit_codes, translated
from ektp.entrypoints.cli.session import Session

# name -> (module:attribute, one-line help shown by `ektp --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "access-log": ("ektp.entrypoints.cli.access_log:access_log",
                   N_("Who was shown whose personal data in full (head of office).")),
    "audit": ("ektp.entrypoints.cli.audit:audit",
              N_("Export, verify, replay and reconcile the audit trail; checkpoints and proofs.")),
    "blanks": ("ektp.entrypoints.cli.blanks:blanks",
               N_("The blank stock ledger: receive, count, destroy, reconcile.")),
    "card": ("ektp.entrypoints.cli.card:card", N_("Take a card from request to hand-over.")),
    "db": ("ektp.entrypoints.cli.db:db", N_("Create, check, verify or upgrade the database.")),
    "demo": ("ektp.entrypoints.cli.demo:demo", N_("Run the Jombang launch scenario on a fresh file.")),
    "keys": ("ektp.entrypoints.cli.keys:keys",
             N_("The office's keys: make and rotate the cipher key, list every key by id and purpose.")),
    "manifest": ("ektp.entrypoints.cli.manifest:manifest",
                 N_("A courier's delivery round: open, assign, dispatch, record, close.")),
    "personal-data": ("ektp.entrypoints.cli.personal_data:personal_data",
                      N_("A resident's personal data: what the office holds about them.")),
    "projections": ("ektp.entrypoints.cli.projections:projections",
                    N_("Read models: lag and rebuild.")),
    "regions": ("ektp.entrypoints.cli.regions:regions",
                N_("Look up Kemendagri region codes: kecamatan, villages, names.")),
    "report": ("ektp.entrypoints.cli.report:report",
               N_("Office figures: daily, monthly, backlog, uncollected, villages, delivery, blank stock.")),
    "staff": ("ektp.entrypoints.cli.staff:staff",
              N_("The staff register: enrol, grant and revoke roles, suspend, list.")),
    "whoami": ("ektp.entrypoints.cli.staff:whoami",
               N_("Who ektp acts as here: login, name, roles, how it was established.")),
    "status": ("ektp.entrypoints.cli.status:status",
               N_("Where is a resident's card, since when, what next (one line).")),
}


class LazyGroup(translated.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """All command names, without importing them."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the named command."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target[0].split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their static one-line help (no imports)."""
        with formatter.section(_("Commands")):
            formatter.write_dl([(name, _(COMMANDS[name][1])) for name in sorted(COMMANDS)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="URL", help="The office database: sqlite:///PATH or postgresql://... "
              "(else EKTP_DATABASE_URL, else the office configuration; see `ektp db check`).")
@click.option("--db-password-file", "db_password_file", metavar="FILE",
              envvar="EKTP_DB_PASSWORD_FILE",
              help="A file (mode 0600) holding the PostgreSQL password on its first line "
                   "(or EKTP_DB_PASSWORD_FILE); else libpq's ~/.pgpass, PGPASSFILE or a "
                   "service file (PGSERVICE). Never put the password on the command line.")
@click.option("--config", "config_path", metavar="FILE", help="The office configuration file "
              "(else EKTP_CONFIG, else ~/.config/ektp/config.toml, else /etc/ektp/config.toml).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
@click.option("--lang", "lang", metavar="LANG", help="The language of messages and help: id or en "
              "(else LANGUAGE, LC_ALL, LC_MESSAGES or LANG, else the office configuration's "
              "language, else en). --json keys and exit codes are the same in both.")
@click.option("--as", "as_role", envvar="EKTP_AS", metavar="ROLE",
              help="The role to act in, among those the staff register grants you "
                   "(or EKTP_AS; needed only when you hold several).")
# Gone: who acts is established by the OS or the database, never declared. Kept,
# hidden, so that a script still giving them is told so instead of "no such option".
@click.option("--actor", envvar="EKTP_ACTOR", hidden=True)
@click.option("--role", envvar="EKTP_ROLE", hidden=True)
@click.version_option(package_name="ektp", prog_name="ektp")
@click.pass_context
def cli(ctx: click.Context, db: str | None, db_password_file: str | None,
        config_path: str | None, as_json: bool, lang: str | None, as_role: str | None,
        actor: str | None, role: str | None) -> None:
    """ektp: the event-sourced record of every e-KTP card, from request to hand-over.

    ektp acts as the operating-system user running it (SQLite) or the database
    login it connects as (PostgreSQL), in the roles the staff register grants
    that login: see 'ektp whoami'.

    Exit codes: 0 ok, 1 refused by a rule (or by the staff register), 2 bad input,
    3 not found, 4 changed by someone else (try again), 5 store unavailable,
    6 an audit export does not verify or does not reconcile,
    7 integrity only: it checks out but no public key vouched for it,
    70 internal error (a bug), 130 interrupted.
    """
    if actor is not None or role is not None:
        from ektp.domain.errors import DeclaredIdentity

        raise DeclaredIdentity(given=_declared(ctx, actor, role))
    if db is not None and "@" in db:
        _refuse_password_in_argv(db)
    s = Session(db=db, as_json=as_json, as_role=as_role)
    s.config_path = config_path
    s.password_file = db_password_file
    ctx.obj = s
    ctx.call_on_close(s.close)


def _declared(ctx: click.Context, actor: str | None, role: str | None) -> str:
    """Which of the old options were given, for the refusal's sentence."""
    names = []
    for name, value in (("actor", actor), ("role", role)):
        if value is None:
            continue
        from_env = ctx.get_parameter_source(name) is click.core.ParameterSource.ENVIRONMENT
        names.append(f"EKTP_{name.upper()}" if from_env else f"--{name}")
    return " and ".join(names)


def _refuse_password_in_argv(db: str) -> None:
    """A password typed in ``--db`` is visible to every user of the machine (``ps``)."""
    from ektp.adapters.database_url import DatabaseUrl
    from ektp.domain.errors import InvalidText

    if DatabaseUrl.parse(db).password:
        raise InvalidText(field="--db", reason=(
            _("it holds a password, which every user of this machine can see on the command "
            "line: keep it in ~/.pgpass (or PGPASSFILE, or a service file) and leave it out "
            "of the URL")))


def _fail(code: int, kind: str, message: str, as_json: bool, error: str = "",
          details: list[str] | None = None) -> None:
    """Exit with one line on stderr (preceded, in text, by one line per detail).

    Every line is passed through `mask_numbers`: what a user typed is often echoed
    back (by click too), and users type NIKs where they should not.
    """
    from ektp.domain.masking import mask_numbers

    line = mask_numbers(message.replace("\n", " ").strip())
    details = [mask_numbers(d) for d in details or ()]
    if as_json:
        from ektp.entrypoints.cli.output import to_json

        data: dict[str, Any] = {"error": error or kind, "kind": kind.replace(" ", "_"),
                                "message": line}
        if details:
            data["details"] = details
        click.echo(to_json(data), err=True)
    else:
        shown = _(KIND_WORDS[kind]) if kind in KIND_WORDS else kind
        for detail in details or ():
            click.echo(_("ektp: {shown}: {detail}").format(shown=shown, detail=detail), err=True)
        click.echo(_("ektp: {shown}: {line}").format(shown=shown, line=line), err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run ``ektp``; map every failure to one stderr line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    try:
        _speak(args)
    except UnknownLanguage as unknown:
        # An unknown --lang is said in the locale's language if it names one ektp speaks
        # (a bad EKTP_LANGUAGE is only read when none does): else in English.
        _speak_locale()
        _fail(exit_codes.BAD_INPUT, "usage", unknown.said(), as_json, "UsageError")
    except CatalogMissing as missing:  # the catalog was never compiled
        _fail(exit_codes.UNAVAILABLE, "unavailable", str(missing), as_json, "CatalogMissing")
    try:
        cli.main(args=args, prog_name="ektp", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.exceptions.NoArgsIsHelpError as asked:
        # `ektp` or `ektp card` alone: show the help, as --help would.
        click.echo(asked.ctx.get_help() if asked.ctx else asked.format_message())
        sys.exit(exit_codes.OK)
    except click.UsageError as error:
        hint = _(" (see '{command} --help')").format(command=error.ctx.command_path) \
            if error.ctx else ""
        _fail(exit_codes.BAD_INPUT, "usage", error.format_message() + hint, as_json, "UsageError")
    except click.ClickException as error:
        _fail(exit_codes.BAD_INPUT, "usage", error.format_message(), as_json, "UsageError")
    except click.Abort:
        _fail(exit_codes.INTERRUPTED, "interrupted", _("stopped."), as_json)
    except KeyboardInterrupt:
        _fail(exit_codes.INTERRUPTED, "interrupted", _("stopped."), as_json)
    except BrokenPipeError:
        sys.stderr.close()
        os._exit(exit_codes.OK)
    except Exception as error:  # noqa: BLE001 - the one place that catches everything
        _report(error, as_json)
    sys.exit(exit_codes.OK)


def _speak(args: list[str]) -> None:
    """Put the chosen language in force, before click parses anything: ``--help`` and
    usage errors are then in that language too (see `ektp.adapters.i18n`)."""
    from ektp.adapters import i18n as language
    from ektp.application.kernel.i18n import use

    given = language.global_options(args)
    chosen = language.choose(given.get("--lang"), os.environ, given.get("--config"),
                             language.founding_language(args))
    use(language.translations(chosen))
    if chosen != "en":
        translated.speak_click()


def _speak_locale() -> None:
    """Put the locale variables' language in force, if they name one ektp speaks."""
    from ektp.adapters import i18n as language
    from ektp.application.kernel.i18n import use

    chosen = language.from_locale(os.environ)
    if chosen is not None:
        try:
            use(language.translations(chosen))
        except CatalogMissing:
            pass  # then English, as for every other word


#: How each kind of failure is named on stderr (``--json`` keeps the English `kind`).
KIND_WORDS = {
    "usage": N_("usage"), "interrupted": N_("interrupted"), "internal error": N_("internal error"),
    "refused": N_("refused"), "invalid": N_("invalid"), "not found": N_("not found"),
    "conflict": N_("conflict"), "unavailable": N_("unavailable"),
    "audit failed": N_("audit failed"),
}


def run() -> None:
    """The ``ektp`` command itself: `main`, then leave without dismantling the interpreter.

    By the time `main` ends, everything the command opened is closed (the office
    closes with the click context) and every write is committed and durable, so
    all that normal interpreter exit would still do is free hundreds of modules
    one by one: about 10 ms of a ~110 ms write command. `main` stays an ordinary
    function for programs and tests that call it in-process.
    """
    try:
        main()
        code: object = exit_codes.OK
    except SystemExit as leaving:
        code = leaving.code
    if code is None:
        code = exit_codes.OK
    elif not isinstance(code, int):  # sys.exit("message"), as Python itself would treat it
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`ektp card list | head`): not our failure
        pass
    os._exit(code)


def _report(error: Exception, as_json: bool) -> None:
    from ektp.domain.errors import DomainError

    if isinstance(error, DomainError):
        code = exit_codes.BY_KIND[error.kind.value]
        details = getattr(error, "details", None)  # e.g. the bad rows of a results file
        from ektp.domain.messages import render

        message = render(error.code, error.facts, translate=_)
        _fail(code, error.kind.value.replace("_", " "), message, as_json, error.code, details)
    if os.environ.get("EKTP_DEBUG"):
        raise error
    if isinstance(error, OSError):  # a file named on the command line cannot be read or written
        name = f" {error.filename}" if error.filename else ""
        _fail(exit_codes.BAD_INPUT, "invalid", _("cannot use file{name}: {reason}").format(
            name=name, reason=error.strerror or error), as_json, "FileError")
    detail: Any = type(error).__name__
    _fail(exit_codes.INTERNAL, "internal error",
          _("{detail} (a bug: set EKTP_DEBUG=1 to see where, and report it)").format(detail=detail),
          as_json, "InternalError")
