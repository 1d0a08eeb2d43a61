"""The fixed keys the tests use: the office's audit key (bytes 0 to 31, the key of the
examples in docs/audit-format.md) and deterministic Ed25519 signing keys."""

from __future__ import annotations

from pathlib import Path

TEST_AUDIT_KEY = bytes(range(32))
TEST_AUDIT_KEY_HEX = TEST_AUDIT_KEY.hex()


def write_key_pair(folder: Path, name: str, seed: int) -> tuple[Path, Path]:
    """Write a deterministic Ed25519 key pair as PEM files (`name`.pem, `name`.pub)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
    private, public = folder / f"{name}.pem", folder / f"{name}.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public
