"""``python -m ektp.entrypoints``: the same as the ``ektp`` command."""

from ektp.entrypoints.cli import signals

signals.install()

from ektp.adapters import attrs_cache  # noqa: E402

attrs_cache.install()

from ektp.entrypoints.cli.main import run  # noqa: E402

run()
