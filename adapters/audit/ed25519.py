"""Ed25519 signing of manifests, checkpoints and cosignatures with the `cryptography`
package (the only module that imports it), keys as PEM files."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ektp.application.kernel.i18n import _
from ektp.application.errors import AuditFilesUnavailable, SigningKeyInvalid
from ektp.application.ports.signer import SignatureChecker, Signer

MAX_PEM = 1 << 14


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_PEM + 1)
    except OSError as error:
        raise SigningKeyInvalid(path=path, reason=error.strerror or "it cannot be read") from None
    if len(data) > MAX_PEM:
        raise SigningKeyInvalid(path=path, reason=_("it is far too large for a key"))
    return data


class Ed25519Signer(Signer):
    """Signs with an Ed25519 private key (signatures are deterministic, RFC 8032)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @classmethod
    def from_pem(cls, path: str) -> Ed25519Signer:
        """Load an unencrypted PKCS#8 PEM private key; `SigningKeyInvalid` otherwise."""
        try:
            key = serialization.load_pem_private_key(_read(path), password=None)
        except (ValueError, TypeError) as error:
            raise SigningKeyInvalid(path=path, reason=_why(error, "an unencrypted private key")) from None
        except Exception:  # noqa: BLE001 - cryptography raises assorted types on odd input
            raise SigningKeyInvalid(path=path, reason=_("it is not a PEM private key")) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyInvalid(path=path, reason=_("it is not an Ed25519 key"))
        return cls(key)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte raw signature of `message`."""
        return self._key.sign(message)

    def public_bytes(self) -> bytes:
        """The 32-byte raw public key."""
        return self._key.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)


class Ed25519Checker(SignatureChecker):
    """Checks signatures against an Ed25519 public key."""

    def __init__(self, key: Ed25519PublicKey) -> None:
        self._key = key

    @classmethod
    def from_pem(cls, path: str) -> Ed25519Checker:
        """Load a SubjectPublicKeyInfo PEM public key; `SigningKeyInvalid` otherwise."""
        try:
            key = serialization.load_pem_public_key(_read(path))
        except (ValueError, TypeError) as error:
            raise SigningKeyInvalid(path=path, reason=_why(error, "a public key")) from None
        except Exception:  # noqa: BLE001 - cryptography raises assorted types on odd input
            raise SigningKeyInvalid(path=path, reason=_("it is not a PEM public key")) from None
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyInvalid(path=path, reason=_("it is not an Ed25519 key"))
        return cls(key)

    @classmethod
    def from_raw(cls, public_key: bytes) -> Ed25519Checker:
        """A checker for a raw 32-byte public key (as a vkey carries it)."""
        try:
            return cls(Ed25519PublicKey.from_public_bytes(public_key))
        except ValueError:
            raise SigningKeyInvalid(path=_("(raw key)"),
                reason=_("it is not a 32-byte Ed25519 key")) from None

    def is_valid(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` signs `message` under this key."""
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def public_bytes(self) -> bytes:
        """The 32-byte raw public key."""
        return self._key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _why(error: Exception, wanted: str) -> str:
    text = str(error).lower()
    if "password" in text or "encrypted" in text:
        return "it is encrypted; give an unencrypted key"
    return f"it is not a PEM file holding {wanted}"


def generate_key_pair(private_path: str, public_path: str) -> None:
    """Write a new Ed25519 key pair as PEM files, both private (0600; copy the public
    one out for auditors) and never over an existing file (`ektp.adapters.files`)."""
    from ektp.adapters import files
    from ektp.application.errors import FileRefused

    try:
        for path in (private_path, public_path):
            files.check_target(path, force=None)  # both refused before either is written
        if os.path.abspath(private_path) == os.path.abspath(public_path):
            raise FileRefused(path=public_path, reason=_("it is the private key's file"))
        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        files.write_file(private_path, private)
        try:
            files.write_file(public_path, public)
        except FileRefused:
            os.unlink(private_path)  # a pair or nothing
            raise
    except FileRefused as refused:  # the audit commands' file errors keep their exit code, 5
        raise AuditFilesUnavailable(**refused.facts) from None
