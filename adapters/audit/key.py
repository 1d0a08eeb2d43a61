"""The office's audit key, which keys the NIK pseudonyms of an export.

It is configuration, never stored with the events: ``EKTP_AUDIT_KEY`` holds it
as hex (at least 64 hex digits, i.e. 32 bytes), or ``EKTP_AUDIT_KEY_FILE``
names a file holding that hex. Keep it secret and keep it for good: the same
key gives the same pseudonyms across all of the office's exports.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ektp.application.kernel.i18n import _
from ektp.application.audit.personal import MIN_KEY_BYTES
from ektp.application.errors import AuditKeyInvalid

KEY_VARIABLE = "EKTP_AUDIT_KEY"
FILE_VARIABLE = "EKTP_AUDIT_KEY_FILE"


def audit_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    """The configured key, None if neither variable is set; `AuditKeyInvalid` if malformed."""
    env = os.environ if environ is None else environ
    text = env.get(KEY_VARIABLE, "").strip()
    source = KEY_VARIABLE
    if not text and env.get(FILE_VARIABLE, "").strip():
        path = env[FILE_VARIABLE].strip()
        source = f"the file {path}"
        try:
            with open(path, encoding="ascii", errors="replace") as file:
                text = file.read(4096).strip()
        except OSError as error:
            raise AuditKeyInvalid(reason=_("{source} cannot be read ({error})").format(
                source=source, error=error.strerror)) from None
    if not text:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise AuditKeyInvalid(reason=_("{source} does not hold hex digits").format(
            source=source)) from None
    if len(key) < MIN_KEY_BYTES:
        raise AuditKeyInvalid(reason=_(
            "{source} holds {size} bytes; at least {min_key_bytes} are needed").format(
                source=source, size=len(key), min_key_bytes=MIN_KEY_BYTES))
    return key
