"""What every part of the `Office` service shares: the store, the clock, the config."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, cast
from uuid import UUID

from eventsourcing.application import Application

from ektp.application.config import OfficeConfig
from ektp.application.errors import InvalidCardReference
from ektp.application.ports.clock import Clock
from ektp.application.store_access import MISSING, Projector, S, cached, evict, load, load_stored
from ektp.domain.card.state import Card
from ektp.domain.card.state import project as project_card
from ektp.domain.errors import CardNotFound
from ektp.domain.masking import mask_digits
from ektp.domain.nik import Nik, strip_separators

if TYPE_CHECKING:
    from ektp.application.ports.read_models import ReadModels
    from ektp.application.ports.region_directory import RegionDirectory


class OfficeBase:
    """Holds the adapters chosen by the composition root."""

    def __init__(
        self,
        store: Application[UUID],
        clock: Clock,
        config: OfficeConfig,
        read_models: Callable[[], ReadModels] | None = None,
        *,
        regions: Callable[[], RegionDirectory] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._config = config
        self._cache_hits = 0
        self._read_models_factory = read_models
        self._read_models: ReadModels | None = None
        # Built on first use: most commands never need region data.
        self._make_regions = regions
        self._region_directory: RegionDirectory | None = None

    @property
    def read_models(self) -> ReadModels:
        """The read models, opened on first use (write commands never need them)."""
        if self._read_models is None:
            if self._read_models_factory is None:
                raise RuntimeError("this office was built without read models")
            self._read_models = self._read_models_factory()
        return self._read_models

    def close(self) -> None:
        """Release the store's and the read models' connections."""
        if self._read_models is not None:
            self._read_models.close()
            self._read_models = None
        self._store.close()

    @property
    def config(self) -> OfficeConfig:
        """The office's configuration."""
        return self._config

    @property
    def regions(self) -> RegionDirectory:
        """The region directory (built on first use)."""
        if self._region_directory is None:
            if self._make_regions is None:
                raise RuntimeError("no region directory: build the office with open_office")
            self._region_directory = self._make_regions()
        return self._region_directory

    def _now(self) -> dt.datetime:
        return self._clock.now()

    def _today(self) -> dt.date:
        return self._now().astimezone(self._config.timezone).date()

    def _parse_nik(self, nik: str | Nik) -> Nik:
        return nik if isinstance(nik, Nik) else Nik.parse(nik, self._today())

    def _load(self, stream_id: UUID, projector: Projector[S], fresh: bool = False) -> S | None:
        """Load a state; write use cases read the cache, queries read fresh."""
        if fresh:
            return load(self._store, stream_id, projector, fresh=True)
        state = cached(self._store, stream_id)
        if state is MISSING:
            return load_stored(self._store, stream_id, projector)
        self._cache_hits += 1
        return cast(S, state)

    def _forget_cache(self) -> None:
        cache = self._store.repository.cache
        if cache is not None:
            evict(self._store, list(cache.cache))

    def _card_id(self, ref: str | UUID, fresh: bool = False) -> UUID:
        """Resolve CARD: a card id, or the NIK of its open request."""
        if isinstance(ref, UUID):
            return ref
        text = ref.strip()
        try:
            return UUID(text)
        except ValueError:
            pass
        digits = strip_separators(text)
        if not (len(digits) == 16 and digits.isascii() and digits.isdigit()):
            raise InvalidCardReference(ref=text[:40] if not digits.isdigit() else mask_digits(digits))
        from ektp.domain import open_requests  # not needed when CARD is an id

        nik = self._parse_nik(digits)
        register = self._load(open_requests.register_id(nik), open_requests.project, fresh)
        if register is None or register.card_id is None:
            raise CardNotFound(ref=f"NIK {nik.masked} (no open request)")
        return register.card_id

    def _load_card(self, ref: str | UUID, fresh: bool = False) -> Card:
        card_id = self._card_id(ref, fresh)
        card = self._load(card_id, project_card, fresh)
        if card is None:
            raise CardNotFound(ref=f"card {card_id}")
        return card
