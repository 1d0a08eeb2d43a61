"""Every word the CLI shows goes through the catalogs (issue 15): a literal handed to
click's output or errors unwrapped is a failure here, as is a command whose help
would not be translated, or a function where `_` is both a throwaway name and the
translation function (the call would then fail at run time)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "entrypoints" / "cli"
# Where a message is passed: the positional argument that carries it.
SINKS = {"echo": 0, "secho": 0, "ClickException": 0, "UsageError": 0, "BadParameter": 0,
         "fail": 0, "emit": 2}
WORDS = re.compile(r"[A-Za-z]{2,}")
MARKERS = {"_", "N_", "ngettext", "pgettext", "counted"}


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _wordy_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORDS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and WORDS.search(str(v.value)) for v in node.values)
    if isinstance(node, ast.BinOp):  # "text " + x
        return _wordy_literal(node.left) or _wordy_literal(node.right)
    if isinstance(node, ast.IfExp):
        return _wordy_literal(node.body) or _wordy_literal(node.orelse)
    return False


def unmarked(source: str, where: str) -> list[str]:
    """The unwrapped literals handed to a sink in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node.func) in SINKS:
            index = SINKS[_name(node.func)]
            arguments = node.args[index:index + 1] + [
                k.value for k in node.keywords if k.arg in ("message", "text")]
            for argument in arguments:
                if _wordy_literal(argument):
                    found.append(f"{where}:{argument.lineno}: {ast.unparse(argument)[:80]}")
    return found


def untranslated_commands(source: str, where: str) -> list[str]:
    """``@click.command``/``@click.group`` without the translating class."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and target.value.id == "click" and target.attr in ("command", "group"):
                    cls = [k for k in getattr(decorator, "keywords", []) if k.arg == "cls"]
                    if not cls:
                        found.append(f"{where}:{node.lineno}: {node.name}")
    return found


def shadowed_underscore(source: str, where: str) -> list[str]:
    """Functions that assign `_` (a throwaway) and also call `_()`."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        own = [n for n in ast.walk(function) if n is not function]
        nested = {id(m) for n in own if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                        ast.Lambda, ast.comprehension))
                  for m in ast.walk(n)}
        binds = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)
                    and id(n) not in nested for n in own)
        binds |= any(isinstance(n, ast.arg) and n.arg == "_" for n in own)
        calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
                    for n in own)
        if binds and calls:
            found.append(f"{where}:{function.lineno}: {function.name}")
    return found


# Where a refusal carries its reason (issue 15): a literal there would be English for every
# office, an f-string could never be looked up. `reason=`, `where=`, `what=`, `relation=`
# of any call, and the first arguments of the audit checks' and the stores' own carriers.
REASON_KEYWORDS = {"reason", "where", "what", "relation"}
REASON_CARRIERS = {"_Bad": (0,), "fail": (0,), "NoteInvalid": (0,), "ProofInvalid": (0,),
                   "NotStrictJson": (0,), "_refuse": (0, 1), "_fail": (0, 1),
                   "KeyringError": (0,), "FilePermissionProblem": (0,), "Finding": (0, 1)}
# A file's or an option's name (``manifest.json``, ``--new``) is the same in every language.
NAME = re.compile(r"-[\w\-]+|[\w\-]+\.[\w.\-]+")


def _wordy_reason(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME.fullmatch(node.value):
        return False
    return _wordy_literal(node)


# The carriers' names mean other things elsewhere (bulk.py's `_Bad(column, error)`,
# main.py's `_fail(code, kind, ...)`): they are read where they carry reasons.
CARRIER_FOLDERS = ("application/audit/", "application/kernel/", "adapters/")


def unmarked_reasons(source: str, where: str) -> list[str]:
    """The reasons in `source` given as bare literals (unwrapped in _() or N_())."""
    found = []
    carriers = where.startswith(CARRIER_FOLDERS)
    for node in ast.walk(ast.parse(source)):
        arguments: list[ast.expr] = []
        if isinstance(node, ast.Call) and _name(node.func) not in MARKERS:
            arguments = [k.value for k in node.keywords if k.arg in REASON_KEYWORDS]
            if carriers:
                arguments += [node.args[i] for i in REASON_CARRIERS.get(_name(node.func), ())
                              if i < len(node.args)]
        elif carriers and isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "where" for t in node.targets):
            arguments = [node.value]
        found += [f"{where}:{a.lineno}: {ast.unparse(a)[:80]}" for a in arguments if _wordy_reason(a)]
    return found


def _sources() -> list[tuple[str, str]]:
    files = sorted(CLI.glob("*.py")) + [ROOT / "entrypoints" / "demo_scenario.py"]
    return [(p.read_text(), p.relative_to(ROOT).as_posix()) for p in files]


def test_every_literal_the_cli_shows_is_marked_for_the_catalogs() -> None:
    found = [line for source, where in _sources() for line in unmarked(source, where)]
    assert not found, "wrap these in _() (see docs/development.md):\n" + "\n".join(found)


def test_every_reason_a_refusal_carries_is_marked_for_the_catalogs() -> None:
    files = [p for folder in ("domain", "application", "adapters", "entrypoints")
             for p in sorted((ROOT / folder).rglob("*.py"))]
    found = [line for p in files
             for line in unmarked_reasons(p.read_text(), p.relative_to(ROOT).as_posix())]
    assert not found, ("wrap these in _() (application, adapters) or N_() (domain; "
                       "N_(template, field=value) for a reason with fields):\n" + "\n".join(found))


def test_every_command_and_group_translates_its_help() -> None:
    found = [line for source, where in _sources() for line in untranslated_commands(source, where)]
    assert not found, "give cls=translated.Command (or Group):\n" + "\n".join(found)


def test_no_function_shadows_the_translation_function() -> None:
    files = [p for folder in ("domain", "application", "adapters", "entrypoints")
             for p in sorted((ROOT / folder).rglob("*.py"))]
    found = [line for p in files
             for line in shadowed_underscore(p.read_text(), p.relative_to(ROOT).as_posix())]
    assert not found, "rename the throwaway `_`:\n" + "\n".join(found)


# The checks themselves catch what they are for.
def test_the_scan_sees_unmarked_literals_and_passes_marked_ones() -> None:
    bad = '''
import click
def f(x):
    click.echo("done")
    click.echo(f"card {x}: done")
    raise click.UsageError("give CARD" if x else "give --file")
    emit(False, None, "no cards.")
'''
    good = '''
import click
def f(x):
    click.echo(_("done"))
    click.echo(_("card {x}: done").format(x=x))
    click.echo(f"{x}  {x}")
    click.echo(x)
    emit(False, {"key": "value"}, ngettext("{n} card", "{n} cards", x).format(n=x))
'''
    assert len(unmarked(bad, "bad.py")) == 4
    assert unmarked(good, "good.py") == []


def test_the_scan_sees_a_command_without_the_translating_class() -> None:
    source = '''
import click
@click.command()
def a(): pass
@click.group("g")
def b(): pass
@click.command(cls=translated.Command)
def c(): pass
@b.command()
def d(): pass
'''
    assert [line.split(": ")[1] for line in untranslated_commands(source, "x.py")] == ["a", "b"]


def test_the_scan_sees_a_shadowed_underscore() -> None:
    source = '''
def bad(rows):
    for _, row in rows:
        pass
    return _("done")
def fine(rows):
    total = sum(1 for _ in rows)
    return _("done {total}").format(total=total)
'''
    assert [line.split(": ")[1] for line in shadowed_underscore(source, "x.py")] == ["bad"]


def test_the_scan_sees_unmarked_reasons_and_passes_marked_ones() -> None:
    bad = '''
def f(n, c):
    raise InvalidText(field="name", reason="it is empty")
    raise InvalidText(field="name", reason=f"it is longer than {n} characters")
    raise _Bad(f"seq {n} does not come after seq {c}")
    raise BackupFailed(what="backup", reason=str(n))
    found.append(Finding(f"card {c}", _("printed twice")))
    where = "the bundle"
'''
    good = '''
def f(n, c, error):
    raise InvalidText(field="name", reason=N_("it is empty"))
    raise InvalidText(field="name", reason=N_("it is longer than {limit} characters", limit=n))
    raise _Bad(_("seq {seq} does not come after seq {before}").format(seq=n, before=c))
    raise BackupFailed(what=N_("backup"), reason=str(error))
    found.append(Finding(_("card {card}").format(card=c), _("printed twice")))
    where = _("the bundle")
    raise AuditCheckFailed(where="manifest.json", reason=_("it is not JSON"))
    raise ProofRefused(where="--new", reason=error.facts["reason"])
'''
    assert len(unmarked_reasons(bad, "adapters/bad.py")) == 6
    assert unmarked_reasons(good, "adapters/good.py") == []
    # Elsewhere only the keywords are reasons (bulk.py's `_Bad("nik", error)` names a column).
    assert len(unmarked_reasons(bad, "application/card/bad.py")) == 3
