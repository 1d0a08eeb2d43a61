"""`Services`: what every desk of the office shares: the store, the clock, the
configuration, the read models and the region directory (both opened on first
use: most commands never need them), and the door every use case goes through
(`authorise`: who is calling, checked by the `door` the office installs, then
what their role may do).

The read models use the same database as the store, so their calls go through
the store's `Gate` too (each call, catch-up included, is one stay inside), and
`close` releases both only once no call is inside either.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from ektp.application.config import OfficeConfig
from ektp.application.errors import OfficeClosed, VillageOutsideRegency
from ektp.application.kernel.gate import Gate, Gated
from ektp.application.kernel.permissions import authorise
from ektp.application.kernel.references import looks_like_code, region_by_name
from ektp.application.kernel.store import Store
from ektp.application.ports.clock import Clock
from ektp.domain.actor import PERMISSIONS
from ektp.domain.address import VillageCode
from ektp.domain.errors import ActorRequired, IdentityRequired, UnknownRegion, UnknownVillage
from ektp.domain.nik import Nik

if TYPE_CHECKING:
    from ektp.application.ports.pseudonyms import Pseudonyms
    from ektp.application.ports.read_models import ReadModels
    from ektp.application.ports.region_directory import RegionDirectory
    from ektp.domain.actor import Actor

_NOBODY: frozenset[object] = frozenset()
# Who is calling: the identity check the office installs (`application.staff.door`).
Door = Callable[["Actor", str], None]


def _closed_door(actor: Actor, action: str) -> None:
    """The door of services built without one: nobody is admitted."""
    raise IdentityRequired(login=actor.id, how="no identity provider was given")


class Services:
    """The adapters chosen by the composition root, and the helpers every desk uses."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        config: OfficeConfig,
        read_models: Callable[[], ReadModels] | None = None,
        regions: Callable[[], RegionDirectory] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self._make_read_models = read_models
        self._read_models: ReadModels | None = None
        self._make_regions = regions
        self._regions: RegionDirectory | None = None
        self._opening = threading.Lock()  # two threads' first report open one engine
        self.door: Door = _closed_door
        # The keyed pseudonymiser of NIK-derived stream ids (issue 14), and whether the
        # database may hold registers under their legacy ids: set by the office.
        self.make_pseudonyms: Callable[[], Pseudonyms] | None = None
        self.legacy_registers: Callable[[], bool] = lambda: False

    @property
    def pseudonyms(self) -> Pseudonyms:
        """The office's keyed pseudonyms (`JournalKeyMissing` without the audit key)."""
        if self.make_pseudonyms is None:
            raise RuntimeError("this office was built without a pseudonymiser")
        return self.make_pseudonyms()

    @property
    def read_models(self) -> ReadModels:
        """The read models, opened on first use (write commands never need them);
        each of their calls goes through the store's gate."""
        gated = self._read_models
        if gated is None:
            gated = self._open_read_models()
        return gated

    def _open_read_models(self) -> ReadModels:
        with self._opening:
            if self.store.gate.closed:
                raise OfficeClosed()
            if self._read_models is None:
                if self._make_read_models is None:
                    raise RuntimeError("this office was built without read models")
                self._read_models = cast("ReadModels", _Gated(self._make_read_models(),
                                                              self.store.gate))
            return self._read_models

    @property
    def regions(self) -> RegionDirectory:
        """The region directory (built on first use)."""
        if self._regions is None:
            if self._make_regions is None:
                raise RuntimeError("no region directory: build the office with open_office")
            self._regions = self._make_regions()
        return self._regions

    def authorise(self, actor: Actor | None, action: str) -> None:
        """The door of every use case: refuse `actor` unless they are who the identity
        provider established, the staff register grants them their role (`door`), and
        that role may do `action`."""
        if actor is None:
            raise ActorRequired()
        self.door(actor, action)
        if actor.role not in PERMISSIONS.get(action, _NOBODY):
            authorise(actor, action)  # raises the named refusal

    def now(self) -> dt.datetime:
        """The current time, from the clock port."""
        return self.clock.now()

    def today(self) -> dt.date:
        """Today in the office's time zone."""
        return self.now().astimezone(self.config.timezone).date()

    def stamp(self, actor: Actor) -> dict[str, Any]:
        """The actor, time and office every command carries."""
        return {"actor": actor, "at": self.now(), "office": self.config.office_code}

    def parse_nik(self, nik: str | Nik) -> Nik:
        """A NIK typed by a clerk, checked against today's date."""
        return nik if isinstance(nik, Nik) else Nik.parse(nik, self.today())

    def parse_village(self, village: str | VillageCode) -> VillageCode:
        """A village of the office's own regency that exists in the region directory,
        by code or by its name when no other village of the regency has it."""
        if isinstance(village, VillageCode):
            code = village
        elif looks_like_code(village):
            code = VillageCode.parse(village)
        else:
            from ektp.application.ports.region_directory import RegionLevel

            code = VillageCode.parse(region_by_name(self.regions, village, RegionLevel.VILLAGE,
                                                    self.config.regency).code)
        if code.regency != self.config.regency:
            raise VillageOutsideRegency(village=code.value, regency=self.config.regency)
        if self.regions.get(code.value) is None:
            raise UnknownVillage(village=code.value)
        return code

    def parse_kecamatan(self, kecamatan: str) -> str:
        """A kecamatan of the office's regency (``35.17.08``), by code (``35.17.08`` or
        ``351708``) or by its name when unique."""
        from ektp.application.ports.region_directory import RegionLevel

        raw = kecamatan.strip()
        if looks_like_code(raw):
            digits = raw.replace(".", "")
            code = f"{digits[:2]}.{digits[2:4]}.{digits[4:]}" if len(digits) == 6 else raw
            region = self.regions.get(code)
            if region is None or region.level is not RegionLevel.KECAMATAN:
                raise UnknownRegion(code=f"{raw[:20]} (a kecamatan: 35.17.08 or 351708)")
        else:
            region = region_by_name(self.regions, raw, RegionLevel.KECAMATAN, self.config.regency)
        if not region.code.startswith(self.config.regency + "."):
            raise UnknownRegion(code=f"{region.code} (a kecamatan of {self.config.regency})")
        return region.code

    def close(self, wait: float | None = 10.0) -> None:
        """Refuse new calls (`OfficeClosed`), let the calls already inside finish,
        then release the read models' and the store's connections. If calls are
        still inside after `wait` seconds, the last of them to finish releases
        them (see `ektp.application.kernel.gate`)."""
        with self._opening:  # no read models are opened after this
            self.store.gate.close(self._release, wait)

    def _release(self) -> None:
        read_models = self._read_models
        if read_models is not None:
            read_models.close()
        self.store.app.close()


class _Gated(Gated):
    """The read models with every call made through the gate. `close` is the one call
    that is not: it is made once, by the gate, when no call is inside."""

    __slots__ = ()

    def close(self) -> None:
        """Release the read models' connections (called by the gate)."""
        self._inner.close()
