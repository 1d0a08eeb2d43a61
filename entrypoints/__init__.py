"""How people and programs come in: the composition root, the CLI, ``python -m``.

`open_office` is the one factory an embedding program needs. It is imported
lazily so that ``ektp --help`` does not pay for the event store's imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ektp.entrypoints.composition import open_office

__all__ = ["open_office"]


def __getattr__(name: str) -> Any:
    if name == "open_office":
        from ektp.entrypoints.composition import open_office

        return open_office
    raise AttributeError(name)
