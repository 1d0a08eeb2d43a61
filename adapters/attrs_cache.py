"""attrs' generated methods, compiled ahead of time (issues 14 and 15: CLI start-up).

attrs writes each class's ``__init__`` (and any ``__eq__``, ``__hash__``, ...) as
Python source when the class is defined and compiles it with ``compile()``: for
the ~60 classes a ``ektp card ready`` imports, that compiling is about a quarter
of a bare ``import eventsourcing.sqlite``, paid by every command. Like a ``.pyc``
for a module, this cache keeps those code objects from one install to the next.

- `build` (``scripts/setup``, and setup.py when it builds a wheel) imports every
  ektp module with attrs' compiling recorded, and writes one file,
  ``__attrs_cache__/<cache tag>.marshal`` beside this module's real file:
  ``{sha256(filename NUL script): marshal'd code object}``.
- `install` (the ``ektp`` command, first thing) wraps
  ``attr._make._compile_and_eval`` so that a script whose exact text and filename
  are in the file is not compiled again: its recorded code object is evaluated, as
  attrs would have evaluated what it compiled. Anything else (a class changed since
  the build, a class made at run time) is compiled as before.

Safe by construction: a key is the exact script and filename, so a changed class
is a miss; the file is used only if it was written by the same interpreter
(``sys.implementation.cache_tag``), at the same optimisation level and for an
attrs whose ``_compile_and_eval`` compiles with the same flags (what ``compile``'s
output depends on besides its arguments: so an attrs upgrade that changed them is
a miss, and one that did not changes nothing); its contents are checked against
their digest. A missing, unreadable, truncated, corrupt or foreign file means
plain compiling: never an error. If attrs has no ``_compile_and_eval`` (another
version), nothing is installed. attrs' own bookkeeping (the ``linecache`` entry
that lets a debugger show the generated source) is untouched: only the
``compile()`` call is skipped.

The file holds only what ektp's own modules generate: it is package data like the
``.mo`` catalogs, rebuilt by ``scripts/setup``, never committed.

`install` imports nothing heavy (not attrs itself: ``ektp --help`` never loads
it); the file is read at the first class attrs builds, and each code object is
unmarshalled only when its class is built.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from types import CodeType, FunctionType, ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader
    from importlib.machinery import ModuleSpec

#: The file's first bytes; the number changes with the layout below.
MAGIC = b"ektp-attrs-code 1\n"
_ATTRS_MODULE = "attr._make"
_HOOKED = "_compile_and_eval"

CompileAndEval = Callable[..., None]


def default_path() -> str:
    """Where the cache of this interpreter lives: ``__attrs_cache__/`` beside this
    module's real file (in a strict editable install, the source tree, as the
    ``.mo`` catalogs are), one file per ``sys.implementation.cache_tag``."""
    folder = os.path.join(os.path.dirname(os.path.realpath(__file__)), "__attrs_cache__")
    return os.path.join(folder, f"{sys.implementation.cache_tag}.marshal")


def key(script: str, filename: str) -> bytes:
    """The cache key of one script: its exact filename and text."""
    import hashlib

    return hashlib.sha256(filename.encode("utf-8", "surrogatepass") + b"\0"
                          + script.encode("utf-8", "surrogatepass")).digest()


def _identity(compile_and_eval: CompileAndEval) -> tuple[str, int, int]:
    """What a compiled script depends on besides its text and filename: the
    interpreter's bytecode, ``-O``, and the compiler flags ``compile()`` inherits
    from attrs' own function (its module's ``from __future__`` imports)."""
    return (str(sys.implementation.cache_tag), sys.flags.optimize,
            compile_and_eval.__code__.co_flags)


def _dump(identity: tuple[str, int, int], codes: Mapping[bytes, bytes], attrs_version: str) -> bytes:
    """The file's bytes: magic, the index's length, the index, then every code.

    The index (marshal'd) maps each key to its code's offset, length and digest, so
    that a command reads the index alone and unmarshals, after checking its digest,
    only the code of the classes it builds."""
    import hashlib
    import marshal

    entries: dict[bytes, tuple[int, int, bytes]] = {}
    blob = bytearray()
    for digest_key, code in codes.items():
        entries[digest_key] = (len(blob), len(code), hashlib.sha256(code).digest())
        blob += code
    index = marshal.dumps({"identity": identity, "attrs": attrs_version, "codes": entries,
                           "size": len(blob)})
    return MAGIC + len(index).to_bytes(4, "big") + index + bytes(blob)


class _Entries:
    """The file's index and its codes, each handed out only if its digest matches."""

    def __init__(self, entries: dict[bytes, tuple[int, int, bytes]], blob: memoryview) -> None:
        self.entries = entries
        self.blob = blob

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, digest_key: bytes) -> bytes | None:
        """The marshal'd code of `digest_key`, if recorded and intact."""
        import hashlib

        entry = self.entries.get(digest_key)
        if entry is None:
            return None
        offset, length, digest = entry
        code = bytes(self.blob[offset:offset + length])
        if len(code) != length or hashlib.sha256(code).digest() != digest:
            return None
        return code


_NO_ENTRIES = _Entries({}, memoryview(b""))


def _load(path: str, identity: tuple[str, int, int]) -> _Entries:
    """The recorded code of the file at `path`, or none if it is missing,
    unreadable, damaged or written for another interpreter or attrs."""
    import marshal

    try:
        with open(path, "rb") as file:
            data = file.read()
    except (OSError, ValueError):
        return _NO_ENTRIES
    start = len(MAGIC) + 4
    if not data.startswith(MAGIC) or len(data) < start:
        return _NO_ENTRIES
    end = start + int.from_bytes(data[len(MAGIC):start], "big")
    if end > len(data):
        return _NO_ENTRIES
    try:
        content = marshal.loads(data[start:end])
    except (EOFError, ValueError, TypeError):
        return _NO_ENTRIES
    if not isinstance(content, dict) or content.get("identity") != identity \
            or content.get("size") != len(data) - end:  # another's, or truncated
        return _NO_ENTRIES
    entries = content.get("codes")
    if not isinstance(entries, dict):
        return _NO_ENTRIES
    sound = {k: v for k, v in entries.items() if isinstance(k, bytes) and isinstance(v, tuple)
             and len(v) == 3 and isinstance(v[0], int) and isinstance(v[1], int)
             and isinstance(v[2], bytes) and v[0] >= 0 and v[1] >= 0}
    return _Entries(sound, memoryview(data)[end:])


_HASH_DEF = "def __hash__(self"
_PLACEHOLDER = "def __hash__(self): pass"


def split_hash(script: str) -> tuple[str, str] | None:
    """A script with a ``__hash__`` as two parts: the script with that function's
    lines replaced by a placeholder (same line count), and the function alone (after
    as many empty lines, so its line numbers stay); None if it has none, or more
    than one, or a ``__future__`` import (which a part alone would lose).

    Why: attrs writes into every ``__hash__`` a number that is ``hash()`` of a
    string, which differs from one process to the next (``PYTHONHASHSEED``), so a
    hashable class's script is never the same twice. Its other functions are:
    they are cached from the first part; the ``__hash__`` (a few lines) is compiled
    every time. A top-level function's code depends only on its own lines, their
    numbers, the file name and the compiler flags, so evaluating the cached first
    part and then the compiled second gives the very functions the whole script
    would (`build` checks it for every script it keeps)."""
    if _HASH_DEF not in script or "__future__" in script:
        return None
    lines = script.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith(_HASH_DEF)]
    if len(starts) != 1:
        return None
    start = starts[0]
    end = start + 1
    while end < len(lines) and lines[end][:1] in (" ", "\t"):
        end += 1
    rest = lines[:start] + [_PLACEHOLDER] + [""] * (end - start - 1) + lines[end:]
    return "\n".join(rest), "\n" * start + "\n".join(lines[start:end])


class Cache:
    """The wrapper installed as ``attr._make._compile_and_eval``, and what it did."""

    def __init__(self, original: CompileAndEval, path: str) -> None:
        self.original = original
        self.path = path
        #: How many scripts were found in the file, and how many were compiled.
        self.hits = 0
        self.misses = 0
        self._codes: _Entries | None = None  # read at the first class
        self._flags = 0

    def codes(self) -> _Entries:
        """The file's recorded code (read once, at the first call)."""
        if self._codes is None:
            self._codes = _load(self.path, _identity(self.original))
            self._flags = _future_flags(self.original) if self._codes else 0
        return self._codes

    def __call__(self, script: str, globs: dict[str, Any] | None,
                 locs: Mapping[str, object] | None = None, filename: str = "") -> None:
        """attrs' ``_compile_and_eval``: evaluate the recorded code of exactly this
        script (its ``__hash__`` compiled afresh: see `split_hash`), else compile it
        as attrs does."""
        # No scope given: attrs' eval would run in attr._make's own globals, which
        # only attrs' function has at hand (attrs always gives one).
        split = split_hash(script) if globs is not None else None
        code = self._recorded(script if split is None else split[0], filename) \
            if globs is not None else None
        if code is None:
            self.misses += 1
            self.original(script, globs, locs, filename)
            return
        eval(code, globs, locs)  # noqa: S307 - attrs' own step, on attrs' own code
        if split is not None:
            try:
                block = compile(split[1], filename, "exec", flags=self._flags, dont_inherit=True)
            except Exception:  # noqa: BLE001 - cannot be (it compiled at the build); attrs decides
                self.misses += 1
                self.original(script, globs, locs, filename)
                return
            eval(block, globs, locs)  # noqa: S307 - replaces the placeholder __hash__
        self.hits += 1

    def _recorded(self, script: str, filename: str) -> CodeType | None:
        """The code object recorded for this script, if the file has a sound one."""
        codes = self.codes()
        if not codes:
            return None
        entry = codes.get(key(script, filename))
        if entry is None:
            return None
        import marshal

        try:
            code = marshal.loads(entry)
        except (EOFError, ValueError, TypeError):
            return None
        if not isinstance(code, CodeType) or code.co_filename != filename:
            return None
        return code


Wrapper = Callable[[CompileAndEval], CompileAndEval]


def _hook(module: ModuleType, wrap: Wrapper) -> CompileAndEval | None:
    """Put ``wrap(original)`` in place of `module`'s (attr._make's)
    ``_compile_and_eval``, once; None if attrs has no such function."""
    current = getattr(module, _HOOKED, None)
    if isinstance(current, (Cache, Recorder)):
        return current
    if not callable(current) or not hasattr(current, "__code__"):
        return None  # an attrs without the function we wrap: leave it be
    wrapper = wrap(current)
    setattr(module, _HOOKED, wrapper)
    return wrapper


class _HookOnImport:
    """Wraps attr._make's function as soon as attrs imports it (not before: ``ektp
    --help`` imports no attrs), then leaves ``sys.meta_path``. attrs' own classes
    (its validators, ...), built just after, go through the wrapper too."""

    def __init__(self, wrap: Wrapper) -> None:
        self.wrap = wrap
        self._loader: Loader | None = None
        self.wrapper: CompileAndEval | None = None

    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> ModuleSpec | None:
        """attr._make's spec, as the other finders give it, loaded through `exec_module`."""
        if fullname != _ATTRS_MODULE:
            return None
        self.uninstall()
        spec: ModuleSpec | None = None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        self._loader = spec.loader
        spec.loader = cast("Loader", self)  # a loader by its two methods
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        """The real loader's module."""
        assert self._loader is not None
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        """Run attr._make as usual, put its real loader back, then wrap its function."""
        loader = self._loader
        assert loader is not None
        if module.__spec__ is not None:
            module.__spec__.loader = loader
        module.__loader__ = loader
        loader.exec_module(module)
        self.wrapper = _hook(module, self.wrap)

    def uninstall(self) -> None:
        """Leave ``sys.meta_path`` (done at attr._make's import)."""
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass


def _wrap_when_imported(wrap: Wrapper) -> CompileAndEval | _HookOnImport | None:
    """`_hook` now if attrs is imported, else when it is."""
    module = sys.modules.get(_ATTRS_MODULE)
    if module is not None:
        return _hook(module, wrap)
    for finder in sys.meta_path:
        if isinstance(finder, _HookOnImport):
            finder.uninstall()
    finder = _HookOnImport(wrap)
    sys.meta_path.insert(0, finder)
    return finder


def install(path: str | None = None) -> CompileAndEval | _HookOnImport | None:
    """Use the cache at `path` (default: `default_path`) for every attrs class built
    from now on. The ``ektp`` command calls this before importing anything that
    defines a class; a program embedding ektp may do the same (it is not done for
    it: ``open_office`` runs after its own imports have built the classes, and a
    library does not patch a third party's module behind its host's back)."""
    chosen = default_path() if path is None else path
    return _wrap_when_imported(lambda original: Cache(original, chosen))


def installed() -> Cache | None:
    """The cache in use by attrs in this process, if any."""
    module = sys.modules.get(_ATTRS_MODULE)
    current = getattr(module, _HOOKED, None) if module is not None else None
    return current if isinstance(current, Cache) else None


# --- building the file -------------------------------------------------------------------


class Recorder:
    """Compiles every script as attrs does, and keeps the code by key."""

    def __init__(self, original: CompileAndEval) -> None:
        self.original = original
        self.codes: dict[bytes, bytes] = {}
        self._flags = _future_flags(original)

    def __call__(self, script: str, globs: dict[str, Any] | None,
                 locs: Mapping[str, object] | None = None, filename: str = "") -> None:
        """Compile with exactly the flags attrs' ``compile()`` inherits, keep what the
        cache would use (if it gives the same functions), evaluate as attrs does."""
        import marshal

        if globs is None:  # attr._make's own globals: attrs' function evaluates it
            self.original(script, globs, locs, filename)
            return
        code = self._compile(script, filename)
        split = split_hash(script)
        if split is None:
            self.codes[key(script, filename)] = marshal.dumps(code)
        else:
            first, block = split
            kept = self._compile(first, filename)
            if _same_functions(
                    globs, locs, [code], [kept, self._compile(block, filename)]):
                self.codes[key(first, filename)] = marshal.dumps(kept)
        eval(code, globs, locs)  # noqa: S307 - attrs' own step, on attrs' own code

    def _compile(self, script: str, filename: str) -> CodeType:
        """``compile()`` as attrs calls it."""
        code: CodeType = compile(script, filename, "exec", flags=self._flags, dont_inherit=True)
        return code


def _same_functions(globs: dict[str, Any], locs: Mapping[str, object] | None,
                    whole: list[CodeType], parts: list[CodeType]) -> bool:
    """Whether evaluating `whole` and evaluating `parts` in turn define the same names
    with the same functions (code, defaults, annotations, closures), in the same order."""

    def run(codes: list[CodeType]) -> dict[str, object]:
        scope_globs = dict(globs)
        scope_locs = dict(locs) if locs is not None else None
        for code in codes:
            eval(code, scope_globs, scope_locs)  # noqa: S307 - attrs' own code, a copy of its scope
        if scope_locs is not None:
            return scope_locs
        return {k: v for k, v in scope_globs.items() if k not in globs or globs[k] is not v}

    a, b = run(whole), run(parts)
    if list(a) != list(b):
        return False
    for name, one in a.items():
        other = b[name]
        if not (isinstance(one, FunctionType) and isinstance(other, FunctionType)):
            if one is not other:
                return False
            continue
        if (one.__code__ != other.__code__ or one.__defaults__ != other.__defaults__
                or one.__kwdefaults__ != other.__kwdefaults__
                or one.__annotations__ != other.__annotations__
                or one.__qualname__ != other.__qualname__):
            return False
        cells = [c.cell_contents for c in one.__closure__ or ()]
        if [id(c) for c in cells] != [id(c.cell_contents) for c in other.__closure__ or ()]:
            return False
    return True


def _future_flags(function: CompileAndEval) -> int:
    """The ``from __future__`` flags `function`'s ``compile()`` call inherits."""
    import __future__

    mask = 0
    for name in __future__.all_feature_names:
        mask |= getattr(__future__, name).compiler_flag
    return function.__code__.co_flags & mask


def ektp_modules() -> Iterable[str]:
    """Every module of ektp's four packages, but the ``__main__`` ones (which run)."""
    import importlib
    import pkgutil

    for package in ("ektp.domain", "ektp.application", "ektp.adapters", "ektp.entrypoints"):
        yield package
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            if info.name.rsplit(".", 1)[-1] != "__main__":
                yield info.name


def record(modules: Iterable[str]) -> dict[bytes, bytes]:
    """Import `modules` with attrs' compiling recorded (attrs' own classes too, if
    attrs is not imported yet); the code of every class built meanwhile. Modules
    already imported are not imported again: build in a fresh process."""
    import importlib

    recorders: list[Recorder] = []

    def recording(original: CompileAndEval) -> CompileAndEval:
        recorder = Recorder(original.original if isinstance(original, Cache) else original)
        recorders.append(recorder)
        return recorder

    module = sys.modules.get(_ATTRS_MODULE)
    if module is not None and isinstance(getattr(module, _HOOKED, None), Cache):
        setattr(module, _HOOKED, getattr(module, _HOOKED).original)
    hooked = _wrap_when_imported(recording)
    try:
        for name in modules:
            importlib.import_module(name)
    finally:
        if isinstance(hooked, _HookOnImport):
            hooked.uninstall()
        module = sys.modules.get(_ATTRS_MODULE)
        current = getattr(module, _HOOKED, None)
        if module is not None and isinstance(current, Recorder):
            setattr(module, _HOOKED, current.original)
    return recorders[0].codes if recorders else {}


def write(codes: Mapping[bytes, bytes], path: str | None = None) -> str:
    """Write the cache file for `codes` at `path` (default: `default_path`), whole or
    not at all; readable by everyone, like the package's other files. Its path."""
    import importlib.metadata

    import attr._make as make

    path = default_path() if path is None else path
    original = getattr(make, _HOOKED)
    if isinstance(original, (Cache, Recorder)):
        original = original.original
    data = _dump(_identity(original), codes, importlib.metadata.version("attrs"))
    from ektp.adapters import files

    # Through the one writer (whole or not at all, never a link), then readable by
    # every account, as the package's modules are: it is code, and holds no data.
    folder = os.path.dirname(os.path.abspath(path))
    files.make_folder(folder)
    os.chmod(folder, 0o755)
    files.write_file(path, data, force=True)
    os.chmod(path, 0o644)
    return path


def build(path: str | None = None) -> str:
    """Record every ektp module's classes and write the cache (run in a fresh process:
    ``python -m ektp.adapters.attrs_cache``). Its path."""
    return write(record(ektp_modules()), path)


if __name__ == "__main__":  # pragma: no cover - scripts/setup and setup.py run it
    build(sys.argv[1] if len(sys.argv) > 1 else None)
