"""``python -m ektp.entrypoints``: the same as the ``ektp`` command."""

from ektp.entrypoints.cli.main import run

run()
