"""Compile the message catalogs (.po -> .mo) whenever setuptools builds ektp, and
record attrs' generated methods (ektp.adapters.attrs_cache) when it builds a wheel.

Everything else is in pyproject.toml; this file exists only so that an install
from a clone (``pip install .``, a wheel, the editable install) has its compiled
catalogs, which are never committed (issue 15, docs/development.md), and, where the
build can import ektp's dependencies, the cache of attrs' generated code that makes
every command start sooner (issues 14, 15). That cache is optional: a build that
cannot make it (pip's isolated build environment has no attrs) leaves it out, and
the installed ektp then compiles as attrs does; ``scripts/setup`` makes it for the
editable install.
"""

import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    """build_py that runs ``scripts/catalog compile`` first, and records the attrs
    cache into the built tree after."""

    def run(self) -> None:
        """Compile, build as usual, then record the cache (not for the editable
        install, whose files are links to the sources: scripts/setup records it)."""
        script = Path(__file__).resolve().parent / "scripts" / "catalog"
        subprocess.run([sys.executable, str(script), "compile"], check=True)
        super().run()
        if not getattr(self, "editable_mode", False):
            self._record_attrs_cache()

    def _record_attrs_cache(self) -> None:
        """``attrs_cache.build()`` in a fresh interpreter importing the built tree."""
        code = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "from ektp.adapters.attrs_cache import build; build()")
        done = subprocess.run([sys.executable, "-c", code, str(Path(self.build_lib).resolve())],
                              capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            print(f"setup.py: no attrs cache in this build ({last}); ektp works without it",
                  file=sys.stderr)


setup(cmdclass={"build_py": BuildWithCatalogs})
