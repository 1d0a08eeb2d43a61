"""Which stream holds a NIK's open-request register (issue 14).

New registers are keyed by the office's pseudonymiser (a keyed HMAC of the NIK:
`ektp.application.ports.pseudonyms`), so a guessed NIK does not confirm itself from
the database. A register made before ids were keyed lives at its legacy uuid5 id
(`open_requests.legacy_register_id`), and is found there: the keyed id is read
first, and only when no register is there, and only on a database made before
schema version 4 (`Services.legacy_registers`), the legacy one. No legacy register is
ever created, so whether one exists for a NIK never changes once the database is
upgraded, and two clerks requesting for the same NIK always meet on the same stream
(the store's optimistic concurrency still lets exactly one of them in). The
old streams are not moved (that would rewrite signed, journalled history: issues
12-13); on an upgraded database the fallback costs one read of an absent stream for
a NIK never requested before, and a new database never pays it (its first request
writes without reading: `Transaction.load_new`).
"""

from __future__ import annotations

from uuid import UUID

from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Reads, Transaction
from ektp.domain import open_requests
from ektp.domain.nik import Nik
from ektp.domain.open_requests import OpenRequest


def keyed_register_id(services: Services, nik: Nik) -> UUID:
    """The keyed stream id of `nik`'s register (`JournalKeyMissing` without the key)."""
    return services.pseudonyms.stream_id(open_requests.REGISTER_KIND, nik.value)


def register_to_claim(services: Services, tx: Transaction, nik: Nik, *, blind: bool = True
                      ) -> tuple[UUID, OpenRequest | None]:
    """The stream id and state of the register a new request for `nik` claims. `blind`:
    the keyed register is taken to be new unless cached (`Transaction.load_new`); a
    batch that may claim the same NIK twice in one transaction reads it instead."""
    keyed = keyed_register_id(services, nik)
    # Most NIKs have never been requested: see `Transaction.load_new`.
    register = (tx.load_new if blind else tx.load)(keyed, open_requests.project)
    if register is None and services.legacy_registers():
        legacy = open_requests.legacy_register_id(nik)
        old = tx.load(legacy, open_requests.project)
        if old is not None:
            return legacy, old
    return keyed, register


def find_register(services: Services, reads: Reads, nik: Nik) -> OpenRequest | None:
    """`nik`'s register, wherever it lives; None if the NIK was never requested."""
    found = reads.load(keyed_register_id(services, nik), open_requests.project)
    if found is None and services.legacy_registers():
        found = reads.load(open_requests.legacy_register_id(nik), open_requests.project)
    return found
