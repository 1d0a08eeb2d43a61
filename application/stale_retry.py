"""Write use cases decide on cached states; when one is refused after reading
anything from the cache, the cache may simply be stale (another process wrote),
so the use case runs once more on states read fresh from the store."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from ektp.domain.errors import DomainError, LedgerBusy

if TYPE_CHECKING:
    from ektp.application.office_base import OfficeBase

P = ParamSpec("P")
R = TypeVar("R")
O = TypeVar("O", bound="OfficeBase")


def write_use_case(method: Callable[Concatenate[O, P], R]) -> Callable[Concatenate[O, P], R]:
    """Retry `method` once with an empty cache if it was refused after a cache hit."""

    def run(self: O, /, *args: P.args, **kwargs: P.kwargs) -> R:
        hits = self._cache_hits
        try:
            return method(self, *args, **kwargs)
        except LedgerBusy:
            raise  # already decided again on fresh state, several times
        except DomainError:
            if self._cache_hits == hits:
                raise
            self._forget_cache()
            return method(self, *args, **kwargs)

    update_wrapper(run, method)
    return run
