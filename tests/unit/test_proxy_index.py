"""The proxies' blind index in card_status (issue 14, erasing a person known as a
proxy): a hand-over to a proxy keys their NIK (the NIK kind: the proxy's own cards'
``nik_index``), one to the owner or to an erased proxy keys nothing, and an erasure
clears it from the cards the person collected, leaving the holders' columns alone."""

from __future__ import annotations

import datetime as dt
import uuid

import attrs
from hypothesis import given
from hypothesis import strategies as st
from testkit.event_strategies import builds
from testkit.people import HEAD, make_nik

from ektp.adapters.pseudonyms import KeyedPseudonyms
from ektp.application.ports.pseudonyms import NIK
from ektp.application.projections.card_status import card_status_changes
from ektp.domain.card.events import HandedOver
from ektp.domain.card.recipient import Recipient
from ektp.domain.card.vocabulary import RecipientKind, Relationship
from ektp.domain.erased import Erased
from ektp.domain.personal_data.events import PersonalDataErased

KEYED = KeyedPseudonyms(bytes(range(32)))
PROXY = make_nik(serial=931)


def _values(event: object, pseudonyms: KeyedPseudonyms | None = KEYED) -> dict[str, object]:
    (change,) = list(card_status_changes(event, dt.timezone.utc, pseudonyms))
    return dict(change.values)  # type: ignore[attr-defined]


@given(builds(HandedOver), st.sampled_from(["proxy", "owner", "erased"]))
def test_a_hand_over_keys_the_proxys_nik_and_nothing_else(event: HandedOver, who: str) -> None:
    recipient = {"proxy": Recipient(RecipientKind.PROXY, nik=PROXY, name="Wakil Kuasa",
                                    kk="3517090101010001", relationship=Relationship.SPOUSE),
                 "owner": Recipient.owner(),
                 "erased": Recipient(RecipientKind.PROXY, nik=Erased("3517********0931~ab"),
                                     name=Erased("W.K."), kk=Erased("3517********0001~cd"),
                                     relationship=Relationship.SPOUSE)}[who]
    values = _values(attrs.evolve(event, recipient=recipient))
    assert values["proxy_index"] == (KEYED.index(NIK, PROXY) if who == "proxy" else None)
    assert PROXY not in repr(values)
    # Without the audit key (a reading copy), no index at all.
    assert _values(attrs.evolve(event, recipient=recipient), None)["proxy_index"] is None


def test_an_erasure_clears_the_proxy_index_of_the_collected_cards_only() -> None:
    own, collected = str(uuid.uuid4()), str(uuid.uuid4())
    event = PersonalDataErased(originator_id=uuid.uuid4(), originator_version=1,
                               timestamp=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                               actor=HEAD, office="35.17", subject="3517********0931~ab",
                               cards=(own,), record_number="BA/1", legal_basis="request",
                               staff=HEAD.id, collected=(collected,))
    changes = {c.key[0]: c.values for c in card_status_changes(event, dt.timezone.utc, KEYED)}  # type: ignore[attr-defined]
    assert changes[own] == {"initials": "", "nik_index": None, "kk_index": None, "name_index": None}
    assert changes[collected] == {"proxy_index": None}  # the holder's initials and indexes stay
