"""The pure parts of ektp-audit/1: canonical form, times, facts, personal data, registry."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import typing
import uuid
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from testkit.event_strategies import TIMES, all_event_classes

from ektp.application.audit.aggregates import aggregate_of, event_class
from ektp.application.audit.canonical import canonical, format_time, parse_time, sha256_hex
from ektp.application.audit.facts import event_data, jsonable
from ektp.application.audit.personal import PERSONAL_FIELDS, Pseudonymiser, initials
from ektp.application.audit.strict_json import NotStrictJson, load_strict
from ektp.domain.card import events as card_events
from ektp.domain.card.recipient import Recipient
from ektp.domain.open_requests import NikClaimed

KEY = bytes(range(32))


def test_canonical_form_is_sorted_compact_utf8() -> None:
    assert canonical({"b": 1, "a": ["é", None, True]}) == '{"a":["é",null,true],"b":1}'.encode()


def test_canonical_refuses_lone_surrogates_and_nan() -> None:
    with pytest.raises(ValueError):
        canonical({"a": "\ud800"})
    with pytest.raises(ValueError):
        canonical({"a": float("nan")})


@given(TIMES)
def test_times_are_utc_with_microseconds_and_read_back(moment: dt.datetime) -> None:
    text = format_time(moment)
    assert text.endswith("Z") and len(text) == 27
    assert parse_time(text) == moment


@pytest.mark.parametrize("text", ["2017-11-06T01:00:00Z", "2017-11-06T01:00:00.000000+00:00",
                                  "2017-13-06T01:00:00.000000Z", "x"])
def test_other_time_spellings_are_refused(text: str) -> None:
    assert parse_time(text) is None


def test_jsonable_converts_the_field_types_and_refuses_floats() -> None:
    moment = dt.datetime(2017, 11, 6, 8, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    value = {"u": uuid.UUID(int=1), "t": moment, "d": Decimal("1.50"), "r": Recipient.owner(),
             "tup": ("a",), "e": card_events.RequestReason.LOST}
    assert jsonable(value) == {
        "u": "00000000-0000-0000-0000-000000000001", "t": "2017-11-06T01:00:00.000000Z",
        "d": "1.50", "r": {"kind": "owner", "nik": None, "name": None, "kk": None,
                           "relationship": None},
        "tup": ["a"], "e": "lost"}
    with pytest.raises(TypeError):
        jsonable({"x": 1.5})


def _jsonable_reference(value: object) -> object:
    """`jsonable` as first written: one isinstance test after another (the fast one
    decides by type once per type; both must give the same values, and refuse alike)."""
    import enum

    if value is None or isinstance(value, (bool, int)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return _jsonable_reference(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        raise TypeError("float")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable_reference(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable_reference(v) for k, v in value.items()}
    if attrs.has(type(value)):
        return {f.name: _jsonable_reference(getattr(value, f.name)) for f in attrs.fields(type(value))}
    raise TypeError(type(value).__name__)


class _Text(str):
    pass


class _Number(int):
    pass


class _Level(__import__("enum").IntEnum):
    LOW = 1


class _Opaque:
    pass


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(), st.text().map(_Text), st.integers().map(_Number),
    st.uuids(), TIMES, st.dates(), st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from(list(card_events.RequestReason)), st.just(_Level.LOW), st.floats(),
    st.just(_Opaque()), st.builds(Recipient.owner),
)
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
    st.dictionaries(st.text(max_size=5), inner, max_size=4)), max_leaves=12)


@given(value=_values)
def test_jsonable_decides_as_the_plain_tests_do(value: object) -> None:
    try:
        expected = _jsonable_reference(value)
    except TypeError:
        with pytest.raises(TypeError):
            jsonable(value)
        return
    got = jsonable(value)
    assert _typed(got) == _typed(expected)  # the same values of the same types
    assert canonical({"v": got}) == canonical({"v": expected})


def _typed(value: object) -> object:
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    return (type(value), value)


def test_pseudonyms_are_kept_and_the_kept_ones_are_the_same() -> None:
    from ektp.application.audit import personal

    p = Pseudonymiser(KEY)
    nik = "3517091203850001"
    first = p.number(nik)
    assert p.number(nik) is first
    register = str(uuid.UUID(int=7))
    assert p.stream("nik-register", register) == Pseudonymiser(KEY).stream("nik-register", register)
    for n in range(personal.CACHED + 5):  # a full cache starts again: memory stays bounded
        digits = f"35170912{n:08d}"
        assert p.number(digits) == Pseudonymiser(KEY).number(digits)
    assert len(p._numbers) <= personal.CACHED
    assert p.number(nik) == first


def test_event_data_leaves_out_the_envelope() -> None:
    event = card_events.Printed(originator_id=uuid.UUID(int=1), originator_version=4,
                                timestamp=dt.datetime(2017, 11, 8, tzinfo=dt.timezone.utc),
                                actor={"id": "op", "role": "operator"}, office="35.17",
                                serial="3517170001", station="cetak-1")
    assert event_data(event) == {"serial": "3517170001", "station": "cetak-1"}


def test_initials() -> None:
    assert initials("Ahmad Fauzi") == "A.F."
    assert initials("siti nur  jannah") == "S.N.J."
    assert initials("Muh. 'Ali") == "M.A."


def test_pseudonym_is_masked_plus_hmac_of_the_digits() -> None:
    nik = "3517091203850001"
    expected = hmac.new(KEY, nik.encode(), hashlib.sha256).hexdigest()
    assert Pseudonymiser(KEY).number(nik) == f"3517********0001~{expected}"
    assert Pseudonymiser(bytes(32)).number(nik) != Pseudonymiser(KEY).number(nik)


def test_a_short_audit_key_is_refused() -> None:
    with pytest.raises(ValueError):
        Pseudonymiser(b"short")


def test_pseudonymiser_replaces_owner_and_proxy_data() -> None:
    p = Pseudonymiser(KEY)
    data = p.apply("card", "Requested", {"nik": "3517091203850001", "kk": "3517090101100001",
                                         "name": "Ahmad Fauzi", "village": "35.17.09.2018"})
    assert data["name"] == "A.F." and data["village"] == "35.17.09.2018"
    assert data["nik"].startswith("3517********0001~") and data["kk"].startswith("3517********0001~")
    proxy = p.apply("card", "HandedOver", {"recipient": {
        "kind": "proxy", "nik": "3517081006930004", "name": "Hendra Gunawan",
        "kk": "3517080202110003", "relationship": "spouse"}, "place": "door"})
    assert proxy["recipient"]["name"] == "H.G." and "3517081006930004" not in str(proxy)
    owner = p.apply("card", "HandedOver", {"recipient": {"kind": "owner", "nik": None}})
    assert owner == {"recipient": {"kind": "owner", "nik": None}}


def _personal_paths(cls: type, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    hints = typing.get_type_hints(cls)
    found = set()
    for field in attrs.fields(cls):
        path = (*prefix, field.name)
        if field.name in ("nik", "kk", "name", "nip", "phone"):
            found.add(path)
        for arg in (hints[field.name], *typing.get_args(hints[field.name])):
            if isinstance(arg, type) and attrs.has(arg) and field.name not in ("actor",):
                found |= _personal_paths(arg, path)
    return found


@pytest.mark.parametrize("cls", all_event_classes(), ids=lambda c: c.__name__)
def test_every_personal_field_of_every_exported_event_is_listed(cls: type) -> None:
    aggregate = aggregate_of(cls)
    if aggregate is None:
        return
    listed = set(PERSONAL_FIELDS.get((aggregate, cls.__name__), {}))
    assert _personal_paths(cls) == listed


def test_the_registry_maps_card_events_and_the_nik_registers() -> None:
    assert aggregate_of(card_events.HandedOver) == "card"
    # ektp-audit/2: every stored event is a leaf, the NIK registers' too.
    assert aggregate_of(NikClaimed) == "nik-register"
    assert event_class("nik-register", "NikClaimed") is NikClaimed
    assert event_class("card", "HandedOver") is card_events.HandedOver
    assert event_class("card", "DomainEvent") is None  # imported there, not a card event
    assert event_class("card", "Recipient") is None
    assert event_class("card", "NoSuchEvent") is None
    assert event_class("card", "not a name") is None
    assert event_class("blank-stock", "BlankConsumed") is None or aggregate_of(
        event_class("blank-stock", "BlankConsumed")) == "blank-stock"  # type: ignore[arg-type]
    assert event_class("nothing", "Requested") is None


@pytest.mark.parametrize("raw, reason", [
    (b'{"a":1,"a":2}', "appears twice"), (b'{"a":1.5}', "floating-point"),
    (b'{"a":NaN}', "NaN"), (b"\xff", "UTF-8"), (b"{", "not JSON"), (b"[" * 100000, "not JSON|deeply")])
def test_strict_json_says_why(raw: bytes, reason: str) -> None:
    with pytest.raises(NotStrictJson, match=reason):
        load_strict(raw)


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5) | st.none()))
def test_hash_is_sha256_of_canonical(obj: dict[str, object]) -> None:
    assert sha256_hex(canonical(obj)) == hashlib.sha256(canonical(obj)).hexdigest()
    assert load_strict(canonical(obj)) == obj


_CARD_EVENT_CLASSES = [c for c in all_event_classes() if aggregate_of(c) is not None]


@given(data=st.data(), seq=st.integers(1, 10**12), leaf=st.integers(0, 10**12),
       prev=st.text("0123456789abcdef", min_size=64, max_size=64))
def test_a_built_line_is_the_canonical_form_its_hash_and_its_leaf(
        data: st.DataObject, seq: int, leaf: int, prev: str) -> None:
    from testkit.event_strategies import builds

    from ektp.application.audit.lines import build_line, leaf_bytes, line_parts
    from ektp.application.audit.personal import Pseudonymiser, Revealer

    cls = data.draw(st.sampled_from(_CARD_EVENT_CLASSES))
    event = data.draw(builds(cls))
    aggregate = aggregate_of(cls)
    assert aggregate is not None
    personal = data.draw(st.sampled_from([Revealer(), Pseudonymiser(bytes(range(32)))]))
    parts = line_parts(aggregate, event, personal)
    inserted_by = data.draw(st.none() | st.from_regex(r'[a-z][a-z0-9._]{0,30}', fullmatch=True))
    line, digest = build_line(parts, leaf, seq, prev, inserted_by)
    obj = load_strict(line[:-1])
    assert obj["inserted_by"] == inserted_by
    assert line == canonical(obj) + b"\n"
    assert obj.pop("hash") == digest == sha256_hex(canonical(obj))
    assert obj["leaf"] == leaf and obj["aggregate"] == aggregate
    # The journal's leaf is the line without prev, inserted_by and hash, byte for byte.
    assert leaf_bytes(parts, leaf, seq) == canonical({k: v for k, v in obj.items()
                                                      if k not in ("prev", "inserted_by")})
    assert obj["seq"] == seq and obj["prev"] == prev
    if isinstance(personal, Revealer):
        assert obj["data"] == event_data(event) and obj["stream"] == str(event.originator_id)
