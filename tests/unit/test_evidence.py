"""A delivery's evidence is the number of the signed receipt or photo, never a
description of a person: it is journalled verbatim, where no erasure could reach it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ektp.domain.errors import InvalidText
from ektp.domain.text import MAX_EVIDENCE, parse_evidence

REFERENCE = st.from_regex(r"\A[A-Za-z0-9./_:\-]{0,15}[0-9][A-Za-z0-9./_:\-]{0,15}\Z")


@given(REFERENCE)
def test_a_receipt_or_photo_number_is_taken_as_typed(reference: str) -> None:
    assert parse_evidence(f"  {reference} ") == reference


@given(st.text(min_size=1, max_size=60))
def test_what_is_taken_has_a_digit_and_no_space(text: str) -> None:
    try:
        value = parse_evidence(text)
    except InvalidText:
        return
    assert any(c.isdigit() for c in value) and not any(c.isspace() for c in value)
    assert len(value) <= MAX_EVIDENCE and value.isascii()


@pytest.mark.parametrize("text", ["diterima Ibu Siti Aminah", "SitiAminah", "TTD 0001", "",
                                  "x" * 40 + "1", "ttd-0001\u00a0Siti"])
def test_a_description_or_a_name_is_refused(text: str) -> None:
    with pytest.raises(InvalidText, match="signed receipt or photo"
                       if text.strip() else "empty"):
        parse_evidence(text)
