"""The verifier's bounded stream-version map behaves exactly like a plain dict."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from ektp.adapters.audit.spilling_versions import SpillingStreamVersions
from ektp.application.audit.line_check import InMemoryStreamVersions

STREAMS = [str(uuid.UUID(int=n * 7919 + 1)) for n in range(40)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STREAMS), st.integers(1, 10**6)), max_size=120),
       st.integers(1, 8))
def test_spilling_map_equals_a_dict(writes: list[tuple[str, int]], limit: int) -> None:
    spilling, plain = SpillingStreamVersions(memory_limit=limit), InMemoryStreamVersions()
    try:
        for stream, version in writes:
            assert spilling.get(stream) == plain.get(stream)
            spilling.set(stream, version)
            plain.set(stream, version)
        assert [spilling.get(s) for s in STREAMS] == [plain.get(s) for s in STREAMS]
        if len({s for s, _ in writes}) > limit:
            assert spilling.spilled > 0
    finally:
        spilling.close()
