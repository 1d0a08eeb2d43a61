"""Every code people read (reasons, places, outcomes...) has its word in the office's
language: a new code without one would show in English inside an Indonesian office."""

from __future__ import annotations

import enum

import pytest

from ektp.adapters.i18n import translations
from ektp.application.kernel.code_words import code_word
from ektp.application.kernel.i18n import speaking
from ektp.domain.card import vocabulary as card_vocabulary
from ektp.domain.manifest.vocabulary import Outcome

SPOKEN = [card_vocabulary.AttemptFailureReason, card_vocabulary.Channel,
          card_vocabulary.HandOverPlace, card_vocabulary.PrintFailureReason,
          card_vocabulary.RecipientKind, card_vocabulary.Relationship,
          card_vocabulary.RequestReason, card_vocabulary.Verification, Outcome]
# The same word in both languages.
SAME = {"kecamatan"}


@pytest.mark.parametrize("vocabulary", SPOKEN, ids=lambda v: v.__name__)
def test_every_code_has_an_indonesian_word_and_english_is_the_code(
        vocabulary: type[enum.StrEnum]) -> None:
    for member in vocabulary:
        assert code_word(member) == member.value  # no catalog in force: English
        with speaking(translations("id")):
            word = code_word(member)
        assert word and (word != member.value or member.value in SAME), member.value


def test_an_unknown_code_is_itself() -> None:
    with speaking(translations("id")):
        assert code_word("no-such-code") == "no-such-code"
