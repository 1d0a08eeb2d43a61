"""The message catalogs follow the code (issue 15): every message the code marks has a
translation, none is empty, fuzzy or obsolete, and a translation keeps its message's
``{fields}``. `scripts/catalog` does the collecting and checking; these tests run it on
the real tree, and on small trees built to break each rule once."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _catalog() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("ektp_catalog_script", str(ROOT / "scripts" / "catalog"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # its dataclasses look their module up there
    loader.exec_module(module)
    return module


catalog = _catalog()


def test_the_catalogs_match_the_code() -> None:
    problems = catalog.check()
    assert not problems, "run scripts/catalog update, then translate:\n" + "\n".join(problems)


def test_the_code_has_messages_from_every_source() -> None:
    found, _problems = catalog.collect()
    ids = {msgid for msgid, _context in found}
    assert "Usage:" in ids                                      # click's words (N_)
    assert "Take a card from request to hand-over." in ids      # a command's docstring
    assert "The resident's 16-digit NIK." in ids                # an option's help=
    assert "NIK {masked} is not valid: {reason}." in ids        # domain/messages.EN
    assert ("{n} card", "") in found and found[("{n} card", "")].plural == "{n} cards"
    assert ("thousands separator" in {context for _msgid, context in found})
    assert len(found) > 700


def _tree(tmp_path: Path, code: str, po_body: str, messages: str = "EN = {}\n") -> Path:
    """A minimal project: one CLI module, domain/messages.py and an Indonesian .po."""
    for folder in catalog.FOLDERS:
        (tmp_path / folder).mkdir()
    (tmp_path / "entrypoints" / "cli").mkdir()
    (tmp_path / "entrypoints" / "cli" / "thing.py").write_text(textwrap.dedent(code))
    (tmp_path / "domain" / "messages.py").write_text("from typing import Mapping\n" + messages.replace(
        "EN = ", "EN: Mapping[str, str] = "))
    po = tmp_path / "adapters" / "locale" / "id" / "LC_MESSAGES"
    po.mkdir(parents=True)
    (po / "ektp.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                                '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
                                + textwrap.dedent(po_body))
    return tmp_path


CODE = '''
    import click
    from ektp.application.kernel.i18n import _, ngettext

    @click.command()
    @click.option("--x", help="The x.")
    def thing() -> None:
        """Do the thing."""
        click.echo(_("done {what}").format(what=1))
        click.echo(ngettext("{n} card", "{n} cards", 2).format(n=2))
'''
GOOD = '''
    msgid "The x."
    msgstr "Si x."

    msgid "Do the thing."
    msgstr "Lakukan."

    msgid "done {what}"
    msgstr "selesai {what}"

    msgid "{n} card"
    msgid_plural "{n} cards"
    msgstr[0] "{n} kartu"
'''


def test_a_complete_catalog_passes(tmp_path: Path) -> None:
    assert catalog.check(_tree(tmp_path, CODE, GOOD)) == []


@pytest.mark.parametrize(("change", "complaint"), [
    (lambda po: po.replace('msgid "The x."\n    msgstr "Si x."\n', ""), "'The x.': missing"),
    (lambda po: po.replace('msgstr "Lakukan."', 'msgstr ""'), "'Do the thing.': not translated"),
    (lambda po: po.replace('msgid "Do the thing."', '#, fuzzy\n    msgid "Do the thing."'),
     "'Do the thing.': fuzzy"),
    (lambda po: po + '\n    msgid "gone"\n    msgstr "hilang"\n', "'gone': obsolete"),
    (lambda po: po + '\n    #~ msgid "The x."\n    #~ msgstr "Si x."\n', "obsolete"),
    (lambda po: po.replace('"selesai {what}"', '"selesai {apa}"'), "fields differ"),
    (lambda po: po.replace('"selesai {what}"', '"selesai"'), "fields differ"),
    (lambda po: po.replace('msgstr[0] "{n} kartu"', 'msgstr[0] "kartu"'), "fields differ"),
    (lambda po: po.replace('msgstr[0] "{n} kartu"', 'msgstr[0] ""'), "not translated"),
    (lambda po: po.replace('msgid "{n} card"\n    msgid_plural "{n} cards"\n    msgstr[0]',
                           'msgid "{n} card"\n    msgstr'), "plural in one of code and catalog only"),
])
def test_each_kind_of_drift_is_caught(tmp_path: Path, change, complaint: str) -> None:  # type: ignore[no-untyped-def]
    problems = catalog.check(_tree(tmp_path, CODE, change(GOOD)))
    assert any(complaint in p for p in problems), problems


def test_a_catalog_without_its_plural_forms_is_caught(tmp_path: Path) -> None:
    root = _tree(tmp_path, CODE, GOOD)
    po = root / "adapters" / "locale" / "id" / "LC_MESSAGES" / "ektp.po"
    po.write_text(po.read_text().replace('"Plural-Forms: nplurals=1; plural=0;\\n"\n', ""))
    assert any("Plural-Forms" in p for p in catalog.check(root))


def test_a_domain_template_must_be_translated_too(tmp_path: Path) -> None:
    root = _tree(tmp_path, CODE, GOOD, messages='EN = {"Oops": "card {card_id} is lost."}\n')
    assert any("'card {card_id} is lost.': missing" in p for p in catalog.check(root))


def test_english_plural_helpers_may_be_left_out(tmp_path: Path) -> None:
    messages = 'EN = {"Bad": "{bad} of {total} row{total_s} {bad_are} bad."}\n'
    po = GOOD + '\n    msgid "{bad} of {total} row{total_s} {bad_are} bad."\n    msgstr "{bad} dari {total} baris salah."\n'
    assert catalog.check(_tree(tmp_path, CODE, po, messages)) == []


def test_update_adds_new_messages_keeps_translations_and_drops_obsolete(tmp_path: Path) -> None:
    root = _tree(tmp_path, CODE, GOOD.replace('msgid "The x."\n    msgstr "Si x."\n', "")
                 + '\n    msgid "gone"\n    msgstr "hilang"\n')
    catalog.update(root)
    _header, entries = catalog.read_po(root / "adapters" / "locale" / "id" / "LC_MESSAGES" / "ektp.po")
    by_id = {e.msgid: e.msgstr for e in entries}
    assert by_id["The x."] == [""] and "gone" not in by_id and by_id["Do the thing."] == ["Lakukan."]
    assert [e.msgid for e in entries] == sorted(e.msgid for e in entries)  # stable, mergeable order


def test_the_compiled_catalog_reads_back_with_gettext(tmp_path: Path) -> None:
    import gettext

    root = _tree(tmp_path, CODE, GOOD)
    po = root / "adapters" / "locale" / "id" / "LC_MESSAGES" / "ektp.po"
    assert catalog.compile_mo(po, po.with_suffix(".mo")) == 4
    with po.with_suffix(".mo").open("rb") as file:
        words = gettext.GNUTranslations(file)
    assert words.gettext("Do the thing.") == "Lakukan."
    assert words.ngettext("{n} card", "{n} cards", 5) == "{n} kartu"
    assert words.gettext("unknown") == "unknown"
