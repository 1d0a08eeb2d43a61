"""The message catalogue: one English sentence per named refusal.

Keys are error class names; values are `str.format` templates over the error's
facts. A translation is another dict with the same keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ektp.domain.masking import mask_numbers

EN: Mapping[str, str] = {
    "InvalidNik": "NIK {masked} is not valid: {reason}.",
    "InvalidKkNumber": "family card (KK) number {masked} is not valid: {reason}.",
    "InvalidVillageCode": "village code {value!r} is not valid: {reason}.",
    "InvalidRtRw": "{field} {value!r} is not valid: it must be a number from 1 to 999.",
    "InvalidName": "the {field} is not valid: {reason}.",
    "InvalidPhone": "the phone number is not valid: {reason}.",
    "InvalidSerial": "blank serial {value!r} is not valid: {reason}.",
    "InvalidText": "{field} is not valid: {reason}.",
    "InvalidChoice": "{field} {value!r} is not one of: {choices}.",
    "MissingEvidence": "a {reason} request needs {needed} as evidence.",
    "PurposeRequired": (
        "{what} shows many people's personal data in full: say why with --purpose TEXT "
        "(it is recorded in the access log)."),
    "InvalidDateRange": "the period is empty: --from {start} is after --to {end}.",
    "ActorRequired": (
        "this call names no acting staff member: pass the Actor (login and role) "
        "of the identity the operating system, the database or the host program established."
    ),
    "InvalidActor": "acting user is not valid: {reason}.",
    "InvalidLogin": "the {field} is not valid: {reason}.",
    "InvalidNip": "the NIP is not valid: {reason}.",
    "DeclaredIdentity": (
        "{given} no longer decide who acts: ektp acts as the operating-system user or database login "
        "that runs it, in the roles the staff register grants that login "
        "(see 'ektp whoami'; a head of office enrols staff with 'ektp staff enrol'; "
        "choose among several roles with --as ROLE)."
    ),
    "RoleChoiceNeeded": (
        "{login} holds the roles {held}: choose the one this command is done in "
        "with --as ROLE."
    ),
    "IdentityRequired": (
        "no identity is established for {login} ({how}); ektp acts only for an identity "
        "the operating system, the database or the host program established."
    ),
    "NotYourIdentity": (
        "this call acts as {claimed}, but the identity established is {login} ({how}); "
        "nobody acts as someone they are not."
    ),
    "NotEnrolled": (
        "{login} is not in the staff register; a head of office enrols staff "
        "('ektp staff enrol {login} --name NAME --role ROLE')."
    ),
    "LoginSuspended": (
        "{login} is suspended ({reason}) and may do nothing until a head of office "
        "reinstates them."
    ),
    "NoRoleHeld": (
        "{login} holds no role in the staff register and may do nothing; a head of office "
        "grants one ('ektp staff grant {login} --role ROLE')."
    ),
    "RoleNotGranted": (
        "{login} does not hold the role {role} (the staff register grants: {held})."
    ),
    "RegisterEmpty": (
        "the staff register is empty: found it with its first head of office "
        "('ektp db init --head LOGIN')."
    ),
    "RegisterAlreadyFounded": (
        "the staff register already has its head of office ({heads}); a head enrols staff "
        "with 'ektp staff enrol'."
    ),
    "StaffNotFound": "no member of the staff register has the login {login}.",
    "StaffAlreadyEnrolled": "{login} is already in the staff register.",
    "RoleAlreadyHeld": "{login} already holds the role {role}.",
    "RoleNotHeld": "{login} does not hold the role {role} (holds: {held}).",
    "LastHead": (
        "{login} is the office's last active head: enrol or grant another head of office first."
    ),
    "AlreadySuspended": "{login} is already suspended ({reason}).",
    "NotSuspended": "{login} is not suspended.",
    "CardNotFound": "no card found for {ref}.",
    "ErasureWhileCardOpen": (
        "the personal data of NIK {masked} cannot be erased: card {card} is still open "
        "({status}); erase it once the card is handed over, cancelled or destroyed."),
    "AlreadyErased": "the personal data of NIK {masked} is already erased.",
    "ConcurrentChange": (
        "card {ref} was changed by someone else at the same moment; "
        "nothing was written, please try again."
    ),
    "RoleNotPermitted": "{login} acting as {role} may not {action} (that needs: {needed}).",
    "DuplicateOpenRequest": (
        "NIK {masked} already has an open request (card {card_id}); "
        "finish or cancel it first."
    ),
    "ActionNotAllowed": "cannot {action}: card {card_id} is {status}.",
    "BlankBeforePrintReadiness": (
        "cannot allocate a blank to card {card_id}: its print readiness (PRR) "
        "has not been confirmed yet."
    ),
    "PrintWithoutBlank": "cannot {action}: card {card_id} has no blank allocated.",
    "SerialMismatch": (
        "blank {given} is not the blank allocated to card {card_id} ({allocated})."
    ),
    "AttemptCapReached": (
        "card {card_id} has had {attempts} failed delivery attempts (the limit is "
        "{cap}); it must be returned to the office."
    ),
    "ProxyNotOnSameKk": (
        "the proxy's family card (KK) {proxy_kk} is not the owner's ({owner_kk}); "
        "only a member of the same KK may collect."
    ),
    "ProxyIsOwner": "the proxy's NIK is the owner's own NIK; record an owner hand-over.",
    "ProxyDetailsMissing": "a proxy hand-over needs the proxy's {missing}.",
    "OldCardRequired": (
        "card {card_id} was requested as {reason}: the old card must be "
        "surrendered (give its serial with --old-card)."
    ),
    "OldCardMismatch": (
        "old card {given} is not the damaged card named at request ({expected})."
    ),
    "HandOverPlaceNotAllowed": "card {card_id} is {status}: it can be handed over only {allowed}.",
    "CourierChecksInOwnCard": (
        "{actor} carried card {card_id}; another officer must check it back in."
    ),
    "NotTheCardsCourier": (
        "card {card_id} is out with courier {courier}; only that courier (or office staff) "
        "can record its delivery."
    ),
    "CancelAfterPrinting": "card {card_id} is already {status}; only cards not yet printed can be cancelled.",
    "HoldingPeriodNotOver": (
        "card {card_id} was returned on {returned_on}; it can be declared uncollected "
        "from {earliest} ({days}-day holding period)."
    ),
    "NikRegionUnknown": (
        "NIK {masked} was issued under region {region}, which is not in today's region "
        "list (regions split and the NIK keeps its first code); the request was recorded."
    ),
    "KkOutsideRegency": (
        "family card (KK) {masked} was issued by regency {region}, not this office's "
        "({regency}); the request was recorded (check the family card the resident showed)."
    ),
    "InvalidSerialRange": "serial range {value!r} is not valid: {reason}.",
    "OverlappingRanges": "serial ranges {first} and {second} overlap; list each serial once.",
    "InvalidSource": (
        "source {value!r} is not valid: write ministry, province or office:NAME."
    ),
    "InvalidWitness": "a witness is not valid: {reason}.",
    "TooFewWitnesses": (
        "a destruction needs at least {needed} different witnesses "
        "(--witness NAME:ROLE); {given} given."
    ),
    "InvalidStockCount": (
        "the counted figure {value!r} is not valid: it must be a whole number from 0 to "
        "10,000,000."
    ),
    "UnknownSerial": "blank {serial} is not on this office's books (never received or borrowed).",
    "LedgerBusy": (
        "the blank ledger was changed by someone else at the same moment, {attempts} times; "
        "nothing was written, please try again."
    ),
    "SerialAlreadyReceived": (
        "blank {serial} was already received by this office; a serial is never received twice."
    ),
    "BlankAlreadyHeld": "blank {serial} is already on this office's books ({state}); it cannot be borrowed.",
    "BlankNotAvailable": "cannot {action}: blank {serial} is {state}, not {needed}.",
    "NoBlankInStock": "no blank is in stock; receive a consignment first (ektp blanks receive).",
    "BlankNotHeldByCard": (
        "blank {serial} is not allocated to card {card_id} in the blank ledger ({state})."
    ),
    "CardAlreadyHoldsBlank": "card {card_id} already holds blank {serial} in the blank ledger.",
    "NotOnLoan": "blank {serial} is not {relation} {counterpart}.",
    "NothingToDestroy": "no spoiled blank is waiting to be destroyed.",
    "BlanksUnaccounted": (
        "the blank ledger does not reconcile: {problems} problem{problems_s}, listed in the report."
    ),
    "StoreUnavailable": "the record store is unavailable: {reason}.",
    "OfficeClosed": "this office has been closed; open it again to continue.",
    "SetupRefused": "{reason}.",
    "RegionDataUnavailable": "the region directory is unavailable: {reason}.",
    # --- administration (application/operations.py) ---------------------------
    "ConfigInvalid": "the office configuration {path} cannot be used: {reason}.",
    "NoDatabaseConfigured": (
        "no office database is configured: create one with `ektp db init` "
        "(or name it with --db, EKTP_DATABASE_URL or --config)."
    ),
    "DatabaseMissing": "there is no office database at {where}: create it with `ektp db init`.",
    "DatabaseNotInitialised": (
        "{where} holds no ektp records (it has no ektp tables): create them with `ektp db init`."
    ),
    "SchemaOutdated": (
        "{where} has schema version {found}; this ektp needs version {current}: take a "
        "backup (`ektp db backup FILE`), then run `ektp db upgrade`."
    ),
    "SchemaNewer": (
        "{where} has schema version {found}, newer than this ektp knows ({current}): "
        "use the newer ektp that upgraded it."
    ),
    "UnsafeDurability": (
        "writes to {where} are refused: {problems}, so a crash could lose records already "
        "acknowledged; fix the server, or set allow_unsafe_durability = true in the office "
        "configuration for a throwaway database."
    ),
    "ScratchDatabaseRefused": (
        "{url} keeps nothing once the command ends; name the office database "
        "(see `ektp db check`)."
    ),
    "BackupFileExists": "{path} already exists; choose another file, or give --force to replace it.",
    "BackupFailed": "the {what} failed: {reason}.",
    "BackupMismatch": "the {what} does not match its source: {reason}.",
    "RestoreTargetNotEmpty": (
        "{where} already holds {events} event{events_s}; restore into an empty database, or give "
        "--force to replace them."
    ),
    "ReadOnlyCopyOutdated": "lists cannot be read from the read-only copy {where}: {reason}.",
    "InvalidCardReference": (
        "{ref!r} is neither a card id (like 1b4e28ba-2fa1-11d2-883f-0016d3cca427, or its "
        "first 8 or more characters) nor a 16-digit NIK."
    ),
    "AmbiguousIdPrefix": (
        "the id prefix {prefix} matches {count} {what}s; give more of the id."
    ),
    "UnknownRegionName": (
        "no {kind} of this regency is called {name!r}; give its code (like 35.17.08.2014 "
        "for a village, 35.17.08 for a kecamatan), or look it up with 'ektp regions find NAME'."
    ),
    "AmbiguousRegionName": (
        "{count} {kind}{count_s} of this regency {count_are} called {name!r} ({codes}); give the code."
    ),
    "AuditCheckFailed": "{where}: {reason}.",
    "ReconcileProblems": "reconciliation found {count} problem{count_s}: {checks}.",
    "AuditKeyMissing": (
        "a pseudonymised export needs the office's audit key: set EKTP_AUDIT_KEY "
        "(64 hex digits) or EKTP_AUDIT_KEY_FILE (a file holding them)."
    ),
    "AuditKeyInvalid": "the office's audit key is not valid: {reason}.",
    "SigningKeyInvalid": "the key file {path} cannot be used: {reason}.",
    "NothingToExport": "there are no events to export after position {after}.",
    "AuditOutputExists": "{path} already holds an export; choose another --out folder.",
    "AuditFilesUnavailable": "cannot use {path}: {reason}.",
    "FileRefused": "{path}: {reason}.",
    "DocumentPrinterUnavailable": (
        "cannot print the PDF: {reason}; use --format html and print it from a browser."
    ),
    "ErasureUnavailable": "personal data cannot be erased here: {reason}.",
    "CipherKeyMissing": (
        "the records are encrypted with the cipher key {key_id}, and no cipher key is "
        "configured: set EKTP_CIPHER_KEY_FILE (or [keys] cipher_key_file) to its file."
    ),
    "CipherKeyWrong": (
        "the records are encrypted with the cipher key {found}, not with the configured "
        "key {configured}: name the right key file (ektp keys list shows the one in use)."
    ),
    "CipherKeyInvalid": "the cipher key file {path} cannot be used: {reason}.",
    # --- the journal (issue 13) -------------------------------------------------------
    "JournalKeyMissing": (
        "this needs the office's audit key, which keys the journal (every write) and the "
        "NIK lookups (a card or resident found by NIK): set EKTP_AUDIT_KEY (64 hex digits) "
        "or EKTP_AUDIT_KEY_FILE (a file holding them). Lists, and a card given by its id, "
        "need no key."
    ),
    "JournalKeyMismatch": (
        "the audit key configured here is not the one this database's journal is written "
        "with (key id {expected}, this one {given}); use the office's own key."
    ),
    "JournalMissing": (
        "this database holds events from before the journal existed; run 'ektp db upgrade' "
        "once (reading still works)."
    ),
    "JournalDamaged": "the journal of this database is damaged: {reason}; run 'ektp db verify'.",
    "JournalAlreadyBuilt": "this database already has its journal ({detail}); nothing to upgrade.",
    "NoCheckpoint": "{what}",
    "InvalidCheckpoint": "{where}: {reason}.",
    "ProofRefused": "{where}: {reason}.",
    "InvalidAuditTime": (
        "{value!r} is not a time: use ISO 8601, e.g. 2017-11-14T10:00:00+07:00 "
        "(UTC when no offset is given)."
    ),
    "VillageOutsideRegency": (
        "village {village} is outside this office's regency ({regency}); "
        "the resident must apply at their own regency's office."
    ),
    "UnknownVillage": (
        "village {village} does not exist in the Kemendagri region list; "
        "look it up with 'ektp regions find NAME'."
    ),
    "UnknownRegion": "no region has the code {code}.",
    "ManifestNotFound": "no manifest found for {ref}.",
    "InvalidManifestReference": (
        "{ref!r} is not a manifest id (like 1b4e28ba-2fa1-11d2-883f-0016d3cca427, or its "
        "first 8 or more characters)."
    ),
    "ManifestActionNotAllowed": "cannot {action}: manifest {manifest_id} is {status}.",
    "CardOnAnotherManifest": (
        "card {card_id} is already on manifest {other}; remove it there first "
        "(a card is on at most one open manifest)."
    ),
    "CardOnManifest": (
        "cannot {action} on its own: card {card_id} is on manifest {manifest_id}; {hint}."
    ),
    "CardNotOnManifest": "card {card_id} is not on manifest {manifest_id}.",
    "VillageNotOnManifest": (
        "card {card_id} lives in {village}, which is not on manifest {manifest_id} "
        "(its villages: {villages})."
    ),
    "EmptyManifest": "manifest {manifest_id} has no cards; assign cards before dispatching it.",
    "ManifestNotSettled": (
        "manifest {manifest_id} cannot close: {outstanding} of its {dispatched} dispatched "
        "cards are neither handed over nor returned (check the manifest in first)."
    ),
    "CourierChecksInOwnReturn": (
        "{actor} is the courier of manifest {manifest_id}; another officer must check in "
        "the returning cards."
    ),
    "NotTheCouriersManifest": (
        "manifest {manifest_id} belongs to courier {courier}; a courier records results "
        "only on their own manifest."
    ),
    "OutcomeAlreadyFinal": (
        "card {card_id} is already {outcome} on manifest {manifest_id}; nothing more can be "
        "recorded for it there."
    ),
    "MangledNumber": (
        "the {field}{shown} looks changed by a spreadsheet ({how}); store the column as "
        "text with all 16 digits"
    ),
    "UncheckedDigits": (
        "the {field} {shown} is 16 bare digits ending in 0, as a spreadsheet leaves every "
        "16-digit number it rounded to 15 digits; write it as four groups of four digits "
        "with spaces between, or use the XLSX sheet, or give --digits-checked once the "
        "digits were checked against the person's card"
    ),
    "InvalidHappenedAt": "the time it happened ({given}) is not valid: {reason}.",
    "InvalidRowsFile": (
        "{bad} of {total} row{total_s} of the {what} {bad_are} invalid; nothing was recorded "
        "(fix what is listed, or use --partial to record the valid rows)."
    ),
    "BatchIncomplete": (
        "{failed} of {total} card{total_s} of the {what} failed (listed below); the others "
        "were recorded."
    ),
    "InvalidResultsFile": (
        "{bad} of {total} row{total_s} of the results file {bad_are} invalid; nothing was recorded "
        "(fix what is listed, or use --partial to record the valid rows)."
    ),
}

_CATALOGUE: Mapping[str, str] = EN


def plural_facts(facts: Mapping[str, object]) -> dict[str, object]:
    """`facts` and, for each whole-number fact ``n``, ``n_s`` ("" for 1, else "s") and
    ``n_are`` ("is" for 1, else "are"), so a template says "1 row is" and "2 rows are"."""
    extra: dict[str, object] = {}
    for key, value in facts.items():
        if isinstance(value, int) and not isinstance(value, bool):
            extra[f"{key}_s"] = "" if value == 1 else "s"
            extra[f"{key}_are"] = "is" if value == 1 else "are"
    return {**facts, **extra}


class Reason(str):
    """A marked reason with ``{fields}``: the English sentence itself (so it is a plain
    fact wherever one is read: ``str``, JSON, comparisons), that also keeps its template
    and fields, so `render` translates the template and fills it in the language shown."""

    template: str
    fields: Mapping[str, object]

    def __new__(cls, template: str, fields: Mapping[str, object]) -> Reason:
        """The reason `template` says with `fields` (in English)."""
        reason = super().__new__(cls, template.format(**fields))
        reason.template = template
        reason.fields = dict(fields)
        return reason

    def __getnewargs__(self) -> tuple[str, Mapping[str, object]]:  # type: ignore[override]
        """How a copy or a pickle builds it again."""
        return self.template, self.fields

    def said(self, translate: Callable[[str], str]) -> str:
        """The reason in the language `translate` gives (its fields that are reasons too)."""
        fields = {k: v.said(translate) if isinstance(v, Reason)
                  else translate(v) if isinstance(v, str) and v else v
                  for k, v in self.fields.items()}
        try:
            return translate(self.template).format(**fields)
        except (KeyError, IndexError, ValueError):  # a translation that lost a field
            return self.template.format(**fields)


def N_(message: str, **fields: object) -> str:
    """Mark `message` (a reason given as a fact) for the catalogs; it is translated
    where the error is shown, with its template (the domain knows no language).
    With `fields`, `message` is a template (``N_("it is longer than {limit}
    characters", limit=100)``): a `Reason`, filled in when it is shown."""
    return Reason(message, fields) if fields else message


def _same(message: str) -> str:
    return message


def render(code: str, facts: Mapping[str, object],
           translate: Callable[[str], str] = _same) -> str:
    """Render the sentence for error `code` from its facts (the code itself if unknown).

    `translate` (an entrypoint's gettext) turns the English template, and every fact
    that is a marked sentence (a reason), into the language shown; the error's own
    ``str`` stays English.
    """
    template = _CATALOGUE.get(code)
    if template is None:
        return code
    if translate is not _same:
        template = translate(template)
        facts = {k: v.said(translate) if isinstance(v, Reason)
                 else translate(v) if isinstance(v, str) and v else v for k, v in facts.items()}
    try:
        # Facts may echo what a user typed, and users type NIKs where they should not.
        return mask_numbers(template.format(**plural_facts(facts)))
    except (KeyError, IndexError, ValueError):
        return f"{code}: {template}"
