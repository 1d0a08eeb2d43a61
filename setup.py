"""Compile the message catalogs (.po -> .mo) whenever setuptools builds ektp.

Everything else is in pyproject.toml; this file exists only so that an install
from a clone (``pip install .``, a wheel, the editable install) has its compiled
catalogs, which are never committed (issue 15, docs/development.md).
"""

import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    """build_py that runs ``scripts/catalog compile`` first."""

    def run(self) -> None:
        """Compile, then build as usual."""
        script = Path(__file__).resolve().parent / "scripts" / "catalog"
        subprocess.run([sys.executable, str(script), "compile"], check=True)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
