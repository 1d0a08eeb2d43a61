"""A reason with fields (the domain's ``N_(template, field=value)``) is the English sentence
wherever it is read as text, and is translated, then filled in, where the error is shown
(issue 15): the domain knows no language, the catalog has the template."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle

import pytest

from ektp.adapters.i18n import translations
from ektp.application.kernel.i18n import said, speaking
from ektp.domain.errors import InvalidHappenedAt, InvalidName, InvalidNik
from ektp.domain.event import check_happened_at
from ektp.domain.messages import N_, Reason
from ektp.domain.nik import Nik
from ektp.domain.text import parse_name

TODAY = dt.date(2026, 12, 2)


def test_a_reason_with_fields_is_its_english_sentence_and_keeps_its_template() -> None:
    reason = N_("it is longer than {limit} characters", limit=100)
    assert isinstance(reason, Reason) and reason == "it is longer than 100 characters"
    assert json.dumps({"reason": reason}) == '{"reason": "it is longer than 100 characters"}'
    for again in (pickle.loads(pickle.dumps(reason)), copy.deepcopy(reason)):
        assert again == reason and again.template == reason.template and again.fields == {"limit": 100}
    assert type(N_("it is empty")) is str  # without fields: the text itself, as before


def test_a_long_name_is_refused_in_the_language_shown() -> None:
    with pytest.raises(InvalidName) as refused:
        parse_name("A" * 101)
    assert str(refused.value) == "the name is not valid: it is longer than 100 characters."
    with speaking(translations("id")):
        assert said(refused.value) == "nama tidak sah: panjangnya lebih dari 100 karakter."
    assert said(refused.value) == str(refused.value)


def test_a_reasons_fields_that_are_marked_are_translated_too() -> None:
    with pytest.raises(InvalidNik) as refused:
        Nik.parse("35170912038500x1", TODAY)
    with speaking(translations("id")):
        assert "NIK hanya boleh berisi digit" in said(refused.value)
    dispatched = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
    with pytest.raises(InvalidHappenedAt) as early:
        check_happened_at(dispatched - dt.timedelta(hours=1), dispatched + dt.timedelta(hours=1),
                          dispatched, N_("card {card} was dispatched", card="1b4e28ba"))
    assert "it is before card 1b4e28ba was dispatched (2026-12-01 09:00 +00:00)" in str(early.value)
    with speaking(translations("id")):
        assert "waktunya sebelum kartu 1b4e28ba dikirim (2026-12-01 09:00 +00:00)" in said(early.value)


def test_a_marked_sentence_kept_as_data_is_said_in_the_language_in_force() -> None:
    from ektp.application.kernel.i18n import N_ as marked
    from ektp.application.kernel.i18n import say

    relation = marked("extends the tree held ({old} -> {new} leaves)", old=3, new=5)
    assert relation == "extends the tree held (3 -> 5 leaves)"  # what --json shows
    assert say(relation) == relation and say(marked("valid")) == "valid"
    with speaking(translations("id")):
        assert say(relation) == "memperluas pohon yang dipegang (3 -> 5 daun)"
        assert say(marked("valid")) == "sah"
        assert say("") == "" and say("3517170001") == "3517170001"
