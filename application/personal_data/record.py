"""Recording an access before the data is shown (used by every desk that reveals).

A desk that is about to show personal data in full calls `record_access` first, with
the NIKs it will show: one `PersonalDataAccessed` is written to the caller's access
log of the day in its own transaction, and only once it is stored does the desk
return the data (a failed write raises, so nothing is shown). Subjects are written as
the office's keyed pseudonym of each NIK, the form the audit export uses
(`ektp.application.audit.personal.Pseudonymiser.number`), so the log itself holds no
NIK and a resident's request is answered by computing the pseudonym of their NIK.
"""

from __future__ import annotations

from collections.abc import Iterable

from ektp.application.audit.journal import JournalLeaves
from ektp.application.audit.personal import Pseudonymiser
from ektp.application.errors import JournalKeyMissing
from ektp.application.kernel.services import Services
from ektp.application.kernel.transaction import Transaction
from ektp.domain.actor import Actor
from ektp.domain.erased import Erased
from ektp.domain.errors import PurposeRequired
from ektp.domain.event import next_event
from ektp.domain.personal_data.events import PersonalDataAccessed
from ektp.domain.personal_data.state import AccessLog, log_id, project
from ektp.domain.text import parse_text


def pseudonymiser(services: Services) -> Pseudonymiser:
    """The journal's pseudonymiser: the office's audit key, as every write already needs
    (`JournalKeyMissing` without one, so an access is never shown unrecorded)."""
    journal = getattr(services.store.app.recorder, "journal", None)
    if not isinstance(journal, JournalLeaves):
        raise JournalKeyMissing()
    return journal.form().personal


def parse_purpose(purpose: str | None, what: str, *, required: bool) -> str | None:
    """The typed purpose (`PurposeRequired` when `required` and none was given)."""
    if purpose is None or not purpose.strip():
        if required:
            raise PurposeRequired(what=what)
        return None
    return parse_text(purpose, "purpose")


def record_access(services: Services, actor: Actor, what: str, niks: Iterable[str], *,
                  purpose: str | None, bulk: bool, everyone: bool = False) -> None:
    """Write who (`actor`), whom (`niks`, pseudonymised), why and when, before showing.

    `bulk` displays (many people at once) need a `purpose`; `everyone` marks a display
    of every resident (a revealed export), whose subjects are not listed one by one."""
    s = services
    the_purpose = parse_purpose(purpose, what, required=bulk)
    personal = pseudonymiser(s)
    # An erased NIK is its pseudonym already (its leaf form, `ektp.domain.erased`).
    subjects = tuple(dict.fromkeys(n.leaf if isinstance(n, Erased) else personal.number(n)
                                   for n in niks))
    stamp = s.stamp(actor)
    login = actor.id
    stream = log_id(s.config.office_code, login, stamp["at"].astimezone(s.config.timezone).date())

    class _Command:  # the stamp next_event reads (who, when, where)
        def __init__(self) -> None:
            self.actor, self.at, self.office = stamp["actor"], stamp["at"], stamp["office"]

    command = _Command()

    def attempt(tx: Transaction) -> None:
        log = tx.load_shared(stream, project)  # the same login in two processes: decided again
        event = next_event(PersonalDataAccessed, stream, log.version if log else 0, command,
                           staff=login, what=what, subjects=subjects, everyone=everyone,
                           purpose=the_purpose)
        tx.record([event], AccessLog(id=stream, version=event.originator_version))

    s.store.transact(attempt, ref=f"access log of {login}", retries=5)
