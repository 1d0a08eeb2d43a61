"""The row changes a projection asks for; the adapter turns them into SQL."""

from __future__ import annotations

from collections.abc import Mapping

import attrs


@attrs.frozen
class SetRow:
    """Set columns of the row with `key` in `table`; `create` inserts it (first event)."""

    table: str
    key: tuple[object, ...]
    values: Mapping[str, object]
    create: bool = False


@attrs.frozen
class AddTo:
    """Add `amount` to a counter column of the row with `key` (the row appears at 0)."""

    table: str
    key: tuple[object, ...]
    column: str
    amount: int = 1


Change = SetRow | AddTo
