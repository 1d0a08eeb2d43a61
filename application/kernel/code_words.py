"""The words people read for the codes ektp stores and takes (``new``, ``door``,
``not-at-home``...): the code itself in English, the office's word elsewhere.

The codes stay what is typed (``--reason not-at-home``), stored and given by ``--json``;
a history line, a dropdown or a sentence shows `code_word(code)`. Each code is spelled
out below so the catalog has it, under the context ``code``: a place "office" or a
verification "kk" must not take the translation of another message that reads the same.
"""

from __future__ import annotations

from ektp.application.kernel.i18n import pgettext


def code_word(code: str) -> str:
    """The word for `code` in the language in force (`code` itself when unknown)."""
    words = {
        # what a courier's result was (manifest results)
        "handed-over": pgettext("code", "handed-over"),
        "attempt-failed": pgettext("code", "attempt-failed"),
        "returned": pgettext("code", "returned"),
        # who received the card, and the proxy's relationship to the owner
        "owner": pgettext("code", "owner"),
        "proxy": pgettext("code", "proxy"),
        "spouse": pgettext("code", "spouse"),
        "parent": pgettext("code", "parent"),
        "child": pgettext("code", "child"),
        "sibling": pgettext("code", "sibling"),
        "grandparent": pgettext("code", "grandparent"),
        "grandchild": pgettext("code", "grandchild"),
        "in-law": pgettext("code", "in-law"),
        "other-family": pgettext("code", "other-family"),
        # how the recipient's identity was checked
        "fingerprint": pgettext("code", "fingerprint"),
        "ktp": pgettext("code", "ktp"),
        "kk": pgettext("code", "kk"),
        # why a delivery attempt failed
        "not-at-home": pgettext("code", "not-at-home"),
        "address-not-found": pgettext("code", "address-not-found"),
        "moved": pgettext("code", "moved"),
        "refused": pgettext("code", "refused"),
        "identity-mismatch": pgettext("code", "identity-mismatch"),
        "deceased": pgettext("code", "deceased"),
        # where a card was handed over, and where a request came in
        "door": pgettext("code", "door"),
        "office": pgettext("code", "office"),
        "kecamatan": pgettext("code", "kecamatan"),
        "village": pgettext("code", "village"),
        "online": pgettext("code", "online"),
        # why the resident asked, and why a print spoiled its blank
        "new": pgettext("code", "new"),
        "lost": pgettext("code", "lost"),
        "damaged": pgettext("code", "damaged"),
        "data-change": pgettext("code", "data-change"),
        "print-failed": pgettext("code", "print-failed"),
        "chip-not-encoded": pgettext("code", "chip-not-encoded"),
        "physical-damage": pgettext("code", "physical-damage"),
    }
    return words.get(code, code)
