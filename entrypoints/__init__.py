"""How people and programs come in: the composition root, the CLI, ``python -m``.

`open_office` is the one factory an embedding program needs. It is imported
lazily so that ``ektp --help`` does not pay for the event store's imports.
"""

import sys as _sys

if _sys.argv and _sys.argv[0].rsplit("/", 1)[-1] == "ektp":
    # The ektp command: Ctrl-C and SIGTERM are handled from here on, before any
    # other import (this file's and the CLI's; see ektp.entrypoints.cli.signals).
    from ektp.entrypoints.cli import signals as _signals

    _signals.install()
    # Before any class is built: attrs' methods from the install's cache, the cyclic
    # collector paused until the command's own work starts (see ektp.entrypoints.cli.startup).
    from ektp.entrypoints.cli import startup as _startup

    _startup.begin()

from typing import TYPE_CHECKING, Any  # noqa: E402

if TYPE_CHECKING:
    from ektp.entrypoints.composition import open_office

__all__ = ["open_office"]


def __getattr__(name: str) -> Any:
    if name == "open_office":
        from ektp.entrypoints.composition import open_office

        return open_office
    raise AttributeError(name)
