"""Read models of a read-only copy (an auditor's, on a read-only medium).

They cannot catch up: catching up writes rows and positions. So a list or report
shows the read models as they were when the copy was made, and says so when the
records went further (a warning naming how many events the lists lack; ``card
show``, ``card history`` and ``audit export`` read the records themselves and
are always complete). A copy made by ``ektp db backup`` has its read models
caught up first, so its lists are complete.

What a copy cannot serve at all is refused: read-model tables that are missing,
or that an ektp with other projection logic built (they would have to be rebuilt).
"""

from __future__ import annotations

from collections.abc import Callable

from ektp.application.kernel.i18n import _
from ektp.adapters.read_models.sql_read_models import SqlReadModels, _sql_errors
from ektp.application.operations import ReadOnlyCopyOutdated
from ektp.application.projections.catalogue import PROJECTIONS, projection_named


class ReadOnlyReadModels(SqlReadModels):
    """`SqlReadModels` that never write: no table created, no event applied."""

    warn: Callable[[str], None] = staticmethod(lambda text: None)
    _warned = False

    @_sql_errors
    def ensure_schema(self) -> None:
        """Refuse a copy without read-model tables (they cannot be made here)."""
        if not self._schema_ready:
            missing = self.missing_tables()
            if missing:
                raise ReadOnlyCopyOutdated(where=self._where, reason=(
                    _(
                        "it has no read-model tables ({tables}); make the copy with `ektp db "
                        "backup`").format(
                            tables=', '.join(missing))))
            self._schema_ready = True

    @_sql_errors
    def catch_up(self, name: str | None = None) -> int:
        """Apply nothing; warn once when the records went past the read models."""
        self.ensure_schema()
        chosen = (projection_named(name),) if name else PROJECTIONS
        known = self._positions()
        for projection in chosen:
            position, version = known.get(projection.name, (None, None))
            if version != projection.version:
                raise ReadOnlyCopyOutdated(where=self._where, reason=(
                    _(
                        "its read model {name} was built by another version of ektp and would have "
                        "to be rebuilt; make the copy with `ektp db backup`").format(
                            name=projection.name)))
        behind = min(known[p.name][0] for p in chosen)
        head = self._store.recorder.max_notification_id() or 0
        if head > behind and not self._warned:
            self._warned = True
            self.warn(f"this copy is read only, so its lists cannot catch up: they show the "
                      f"records up to position {behind} of {head} ({head - behind} events "
                      "missing); card show, card history and audit export read every record")
        return 0

    def rebuild(self, name: str | None = None) -> int:
        """Refused: a rebuild writes every row."""
        raise ReadOnlyCopyOutdated(where=self._where, reason=_("a rebuild writes, and the copy is read only"))
