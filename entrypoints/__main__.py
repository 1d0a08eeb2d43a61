"""``python -m ektp.entrypoints``: the same as the ``ektp`` command."""

from ektp.entrypoints.cli import signals

signals.install()

from ektp.entrypoints.cli import startup  # noqa: E402

startup.begin()

from ektp.entrypoints.cli.main import run  # noqa: E402

run()
