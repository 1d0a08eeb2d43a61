"""The office's cipher key, which encrypts every stored event's payload at rest
(`ektp.adapters.event_store.cipher`): 32 random bytes in a file of its own, made by
``ektp keys init`` (mode 0600, never over an existing file) and named by
``EKTP_CIPHER_KEY_FILE`` or the configuration's ``[keys] cipher_key_file``, never by
a command-line argument. A key file that is a symbolic link, or that anyone but its
owner may read or write, is refused, as ssh refuses such a private key.

The file is one line, ``ektp-cipher-key/1 BASE64``. Its id (16 hex digits, an HMAC
of the key) names it in ``ektp keys list``, ``ektp db check`` and every encrypted
payload's header; the key itself is never shown. Keep a copy apart from the
backups: without the key, the records cannot be read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from ektp.application.kernel.i18n import N_, _
from ektp.application.errors import CipherKeyInvalid, FileRefused

FILE_VARIABLE = "EKTP_CIPHER_KEY_FILE"
# eventsourcing resolves this topic (and imports the cryptography package) only when a
# key is configured.
CIPHER_TOPIC = "ektp.adapters.event_store.cipher:EktpCipher"
HEADER = "ektp-cipher-key/1"
KEY_BYTES = 32  # AES-256


KEY_ID_LABEL = b"ektp cipher key id"


def key_id(key: bytes) -> str:
    """16 hex digits naming the cipher key `key` without revealing it (an HMAC under it)."""
    import hmac

    # hmac.digest: the same HMAC-SHA256 in one C call (every resident's first key is named).
    return hmac.digest(key, KEY_ID_LABEL, "sha256").hex()[:16]


@attrs.frozen
class CipherKey:
    """A cipher key, its id and the file it came from (the key never in a repr)."""

    key: bytes = attrs.field(repr=False)
    path: str

    @property
    def id(self) -> str:
        """The key's id (`key_id`)."""
        return key_id(self.key)

    def settings(self) -> dict[str, str]:
        """eventsourcing's environment settings that select the cipher with this key."""
        import base64

        return {"CIPHER_TOPIC": CIPHER_TOPIC,
                "CIPHER_KEY": base64.b64encode(self.key).decode("ascii")}


def new_key_file(path: str) -> CipherKey:
    """Write a new random key to the new file `path` (0600 even when the office's files
    go to a group); `FileRefused` if anything is there already."""
    import base64

    from ektp.adapters.files import write_file

    key = os.urandom(KEY_BYTES)
    text = f"{HEADER} {base64.b64encode(key).decode('ascii')}\n"
    write_file(path, text.encode("ascii"), secret=True)
    return CipherKey(key, path)


def read_key_file(path: str) -> CipherKey:
    """The key in the file `path`; `CipherKeyInvalid` if it is not a private key file."""
    import base64
    import binascii

    from ektp.adapters.files import read_secret

    try:
        line = read_secret(path, N_("cipher key file"))
    except FileRefused as refused:
        raise CipherKeyInvalid(path=path, reason=refused.facts["problem"]) from None
    header, _sep, encoded = line.partition(" ")
    if header != HEADER:
        raise CipherKeyInvalid(path=path, reason=_("it does not start with {header}").format(
            header=HEADER))
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise CipherKeyInvalid(path=path, reason=_("its key is not base64")) from None
    if len(key) != KEY_BYTES:
        raise CipherKeyInvalid(path=path, reason=_(
            "its key is {size} bytes, not {expected}").format(
                size=len(key), expected=KEY_BYTES))
    return CipherKey(key, path)


def cipher_key(environ: Mapping[str, str] | None = None) -> CipherKey | None:
    """The configured key (``EKTP_CIPHER_KEY_FILE``), None when none is configured."""
    env = os.environ if environ is None else environ
    path = env.get(FILE_VARIABLE, "").strip()
    return read_key_file(path) if path else None
