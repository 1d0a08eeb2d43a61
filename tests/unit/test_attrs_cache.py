"""attrs' generated methods from the ahead-of-time cache (ektp.adapters.attrs_cache):
a class built from the cache is the class attrs would have compiled, a changed class
is compiled as before, and a bad cache file only means compiling."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attr._make as make
import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ektp.adapters import attrs_cache

# Classes as ektp writes them (events, commands, values, views), and the other shapes
# attrs generates: slots, eq and hash, cached hash, validators, converters, factories.
SOURCE = textwrap.dedent('''
    import uuid
    import attrs

    def to_uuid(value):
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

    def positive(instance, attribute, value):
        if value <= 0:
            raise ValueError(f"{attribute.name} must be positive")

    @attrs.frozen(slots=False, kw_only=True, eq=False, repr=False)
    class Event:
        id: uuid.UUID = attrs.field(converter=to_uuid)
        version: int
        note: str | None = None

    @attrs.frozen(kw_only=True, eq=False, repr=False, slots=False)
    class Command:
        card: str
        count: int = attrs.field(validator=positive)

    @attrs.frozen
    class Value:
        digits: str = attrs.field(validator=attrs.validators.matches_re(r"[0-9]{4}"))
        tags: tuple[str, ...] = attrs.field(factory=tuple, converter=tuple)

    @attrs.frozen(cache_hash=True)
    class Cached:
        a: int
        b: str = "x"

    @attrs.define
    class Mutable:
        n: int = attrs.field(validator=attrs.validators.instance_of(int))
        items: list[int] = attrs.Factory(list)

    @attrs.define(order=True, unsafe_hash=True)
    class Ordered:
        x: int
        y: int = attrs.field(default=0, eq=False)
''')


def _build(name: str, source: str = SOURCE) -> types.ModuleType:
    """`source` run as a fresh module `name` (its classes built there and then)."""
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - the test's own source
    return module


@contextmanager
def _compiling_with(wrapper: Callable[..., None]) -> Iterator[None]:
    """attrs' `_compile_and_eval` replaced by `wrapper` for the block."""
    original = make._compile_and_eval
    make._compile_and_eval = wrapper  # type: ignore[assignment]
    try:
        yield
    finally:
        make._compile_and_eval = original


def _plain() -> Callable[..., None]:
    function = make._compile_and_eval
    while isinstance(function, (attrs_cache.Cache, attrs_cache.Recorder)):
        function = function.original
    return function


def _cache_file(tmp_path: Path, name: str = "recorded") -> tuple[Path, dict[bytes, bytes]]:
    """A cache file recorded while SOURCE was built as module `name`."""
    recorder = attrs_cache.Recorder(_plain())
    with _compiling_with(recorder):
        _build(name)
    path = tmp_path / "cache.marshal"
    attrs_cache.write(recorder.codes, str(path))
    return path, recorder.codes


def _with_cache(path: Path, name: str, source: str = SOURCE) -> tuple[types.ModuleType, attrs_cache.Cache]:
    cache = attrs_cache.Cache(_plain(), str(path))
    with _compiling_with(cache):
        module = _build(name, source)
    return module, cache


def _generated(cls: type) -> dict[str, Any]:
    """What attrs generated for `cls`: its methods' code, and its fields."""
    methods = {}
    for name in ("__init__", "__eq__", "__ne__", "__hash__", "__lt__", "__setattr__", "__repr__"):
        function = cls.__dict__.get(name)
        if isinstance(function, types.FunctionType):
            methods[name] = (function.__code__, function.__defaults__, function.__kwdefaults__,
                             function.__annotations__, function.__qualname__)
    return {"methods": methods, "fields": [(a.name, a.default, a.kw_only) for a in attrs.fields(cls)],
            "slots": "__slots__" in cls.__dict__}


def _behaviour(module: types.ModuleType) -> list[object]:
    """What SOURCE's classes do, as plain values to compare."""
    import uuid

    seen: list[object] = []

    def outcome(call: Callable[[], object]) -> object:
        try:
            return ("ok", call())
        except Exception as error:  # noqa: BLE001 - the outcome is what is compared
            return ("error", type(error).__name__, str(error))

    card = uuid.UUID(int=7)
    seen.append(outcome(lambda: vars(module.Event(id=str(card), version=2))))
    seen.append(outcome(lambda: module.Event(id=card, version=1, note="n").__dict__))
    seen.append(outcome(lambda: module.Event(card, 1)))  # kw_only
    seen.append(outcome(lambda: vars(module.Command(card="c", count=3))))
    seen.append(outcome(lambda: module.Command(card="c", count=0)))  # the validator
    frozen = module.Command(card="c", count=1)
    seen.append(outcome(lambda: setattr(frozen, "count", 2)))
    value = module.Value("1234", ["a", "b"])
    seen.append(outcome(lambda: (value.digits, value.tags, value == module.Value("1234", ("a", "b")),
                                 value != module.Value("1235"), repr(value))))
    seen.append(outcome(lambda: hash(value) == hash(module.Value("1234", ("a", "b")))))
    seen.append(outcome(lambda: module.Value("12x4")))
    cached = module.Cached(1)
    seen.append(outcome(lambda: (hash(cached) == hash(cached), cached == module.Cached(1, "x"))))
    mutable = module.Mutable(1)
    mutable.items.append(3)
    seen.append(outcome(lambda: (repr(mutable), attrs.asdict(mutable), module.Mutable(2).items)))
    seen.append(outcome(lambda: setattr(mutable, "n", "two")))  # on_setattr runs the validator
    seen.append(outcome(lambda: (module.Ordered(1, 5) < module.Ordered(2), module.Ordered(1, 5) == module.Ordered(1, 6),
                                 hash(module.Ordered(1, 5)) == hash(module.Ordered(1, 6)))))
    return seen


def test_a_class_from_the_cache_is_the_class_attrs_compiles(tmp_path: Path) -> None:
    path, codes = _cache_file(tmp_path, "sample_plain_twin")
    assert codes
    plain = _build("sample_plain_twin")  # the same source, compiled as attrs does
    cached, cache = _with_cache(path, "sample_plain_twin")
    assert cache.misses == 0 and cache.hits == len(codes)
    for name in ("Event", "Command", "Value", "Cached", "Mutable", "Ordered"):
        assert _generated(getattr(cached, name)) == _generated(getattr(plain, name)), name
    assert _behaviour(cached) == _behaviour(plain)


def test_a_changed_class_is_compiled_again_and_works(tmp_path: Path) -> None:
    path, codes = _cache_file(tmp_path, "changing")
    changed = SOURCE.replace("    note: str | None = None\n", "    note: str | None = None\n    extra: int = 0\n")
    module, cache = _with_cache(path, "changing", changed)
    assert cache.misses == 1 and cache.hits == len(codes) - 1
    assert module.Event(id=str(__import__("uuid").UUID(int=1)), version=1, extra=5).extra == 5
    assert _behaviour(module) == _behaviour(_build("changing_plain", changed))


def test_the_recorded_code_is_keyed_by_file_name_too(tmp_path: Path) -> None:
    path, codes = _cache_file(tmp_path, "named_one")
    _, cache = _with_cache(path, "named_two")  # same scripts, other file names
    assert cache.hits == 0 and cache.misses == len(codes)


@pytest.mark.parametrize("damage", ["missing", "empty", "truncated", "magic", "identity", "garbage",
                                    "a directory"])
def test_a_bad_cache_file_means_compiling(tmp_path: Path, damage: str) -> None:
    path, codes = _cache_file(tmp_path, f"damaged_{damage.replace(' ', '_')}")
    data = path.read_bytes()
    if damage == "missing":
        path.unlink()
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "magic":
        path.write_bytes(b"x" + data[1:])
    elif damage == "identity":  # another interpreter's (or attrs') file
        path.write_bytes(attrs_cache._dump(("cpython-0", 0, 0), codes, "0"))
    elif damage == "garbage":
        path.write_bytes(attrs_cache.MAGIC + b"\xff\xff\xff\x00" + os.urandom(5000))
    else:
        path.unlink()
        path.mkdir()
    module, cache = _with_cache(path, f"damaged_{damage.replace(' ', '_')}")
    assert cache.hits == 0 and cache.misses == len(codes)
    assert _behaviour(module) == _behaviour(_build(f"damaged_{damage}_plain"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_damage_to_the_file_is_never_an_error(tmp_path: Path, data: st.DataObject) -> None:
    path, codes = _cache_file(tmp_path, "fuzzed")
    original = path.read_bytes()
    damaged = bytearray(original)
    if data.draw(st.booleans(), label="truncate"):
        damaged = damaged[: data.draw(st.integers(0, len(damaged) - 1), label="at")]
    for _ in range(data.draw(st.integers(1, 8), label="flips")):
        if damaged:
            at = data.draw(st.integers(0, len(damaged) - 1), label="byte")
            damaged[at] ^= data.draw(st.integers(1, 255), label="mask")
    path.write_bytes(bytes(damaged))
    module, cache = _with_cache(path, "fuzzed")
    assert cache.hits + cache.misses == len(codes)
    assert _behaviour(module) == _behaviour(_build("fuzzed_plain"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.lists(st.tuples(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.booleans(),
                                 st.sampled_from(["int", "str", "tuple"])),
                       min_size=1, max_size=6, unique_by=lambda f: f[0]),
       frozen=st.booleans(), eq=st.booleans(), slots=st.booleans(), kw_only=st.booleans())
def test_any_class_shape_builds_the_same_from_the_cache(tmp_path: Path, fields: list[tuple[str, bool, str]],
                                                        frozen: bool, eq: bool, slots: bool,
                                                        kw_only: bool) -> None:
    ordered = sorted(fields, key=lambda f: f[1])  # fields without defaults first
    lines = [f"@attrs.define(frozen={frozen}, eq={eq}, slots={slots}, kw_only={kw_only})", "class Shape:"]
    for name, has_default, kind in ordered:
        converter = {"int": "int", "str": "str", "tuple": "tuple"}[kind]
        default = {"int": "0", "str": "''", "tuple": "()"}[kind]
        lines.append(f"    f_{name}: {kind} = attrs.field(converter={converter}"
                     + (f", default={default})" if has_default else ")"))
    source = "import attrs\n" + "\n".join(lines) + "\n"
    recorder = attrs_cache.Recorder(_plain())
    with _compiling_with(recorder):
        _build("shape", source)
    path = tmp_path / "shape.marshal"
    attrs_cache.write(recorder.codes, str(path))
    cached, cache = _with_cache(path, "shape", source)
    plain = _build("shape", source)
    assert cache.misses == 0 and cache.hits == len(recorder.codes)
    assert _generated(cached.Shape) == _generated(plain.Shape)
    values = {f"f_{name}": {"int": "7", "str": 8, "tuple": [1]}[kind] for name, _, kind in ordered}
    one, two = cached.Shape(**values), plain.Shape(**values)
    assert attrs.asdict(one) == attrs.asdict(two)
    assert (one == cached.Shape(**values)) == (two == plain.Shape(**values))


def test_the_hash_script_is_split_into_a_cached_part_and_its_hash() -> None:
    script = ("def __eq__(self, other):\n    return True\ndef __hash__(self):\n        return hash((\n"
              "                -123,\n                self.a,\n            ))\ndef __init__(self, a):\n"
              "    self.a = a\n")
    first, block = attrs_cache.split_hash(script)  # type: ignore[misc]
    assert first.count("\n") == script.count("\n") and "-123" not in first
    assert block == "\n\n" + "\n".join(script.split("\n")[2:7])
    assert first.split("\n")[7:] == script.split("\n")[7:]
    assert attrs_cache.split_hash(script.replace("-123", "456")) == (first, block.replace("-123", "456"))
    assert attrs_cache.split_hash("def __init__(self):\n    pass\n") is None
    assert attrs_cache.split_hash("from __future__ import annotations\n" + script) is None


def test_an_attrs_without_the_function_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    other = types.ModuleType("attr._make")
    monkeypatch.setitem(sys.modules, "attr._make", other)
    assert attrs_cache.install("/nowhere") is None
    assert not hasattr(other, "_compile_and_eval")


def _python(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


CHECK_EVERY_MODULE = textwrap.dedent('''
    import json, sys, types
    from ektp.adapters import attrs_cache
    attrs_cache.install(sys.argv[1])
    assert "attr" not in sys.modules  # installing imports no attrs (ektp --help loads none)
    import attr._make as make
    cache = make._compile_and_eval
    assert isinstance(cache, attrs_cache.Cache), cache
    compiled, different = [], []

    def functions(scope):
        return {k: (v.__code__, v.__defaults__, v.__kwdefaults__, v.__annotations__)
                for k, v in scope.items() if isinstance(v, types.FunctionType)}

    def checking(script, globs, locs=None, filename=""):
        # attrs' own way, into copies of the scope, to compare with the cache's
        plain_globs, plain_locs = dict(globs), (None if locs is None else dict(locs))
        cache.original(script, plain_globs, plain_locs, filename)
        misses = cache.misses
        cache(script, globs, locs, filename)
        if cache.misses > misses:
            compiled.append(filename)
        expected = functions(plain_locs if locs is not None else plain_globs)
        got = functions(locs if locs is not None else globs)
        if any(got.get(name) != value for name, value in expected.items()):
            different.append(filename)

    make._compile_and_eval = checking
    for name in attrs_cache.ektp_modules():
        __import__(name)
    print(json.dumps({"hits": cache.hits, "compiled": compiled, "different": different}))
''')


def test_after_a_build_no_class_of_ektp_is_compiled_and_each_is_as_attrs_makes_it(tmp_path: Path) -> None:
    path = tmp_path / "ektp.marshal"
    _python("import sys; from ektp.adapters import attrs_cache; attrs_cache.build(sys.argv[1])", str(path))
    # Another process: another PYTHONHASHSEED, so every hashable class's script differs
    # from the one recorded (its __hash__ holds a hash() of a string).
    seen = json.loads(_python(CHECK_EVERY_MODULE, str(path)))
    assert seen["hits"] > 100
    assert seen["compiled"] == [] and seen["different"] == []


def test_the_default_place_is_beside_the_module_per_interpreter() -> None:
    path = Path(attrs_cache.default_path())
    assert path.parent.name == "__attrs_cache__"
    assert path.parent.parent == Path(attrs_cache.__file__).resolve().parent
    assert path.name == f"{sys.implementation.cache_tag}.marshal"


def test_a_script_without_a_scope_is_left_to_attrs(tmp_path: Path) -> None:
    path, _codes = _cache_file(tmp_path, "scopeless")
    seen = []

    def original(script: str, globs: Any, locs: Any = None, filename: str = "") -> None:
        seen.append((script, globs, filename))

    cache = attrs_cache.Cache(original, str(path))
    cache("x = 1\n", None, {}, "<attrs generated methods scopeless.Event>")
    assert seen == [("x = 1\n", None, "<attrs generated methods scopeless.Event>")]
    assert cache.misses == 1 and cache.hits == 0
    recorder = attrs_cache.Recorder(original)
    recorder("y = 2\n", None, {}, "<f>")
    assert recorder.codes == {} and len(seen) == 2
