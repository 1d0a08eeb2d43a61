"""The signer ports: signing a manifest, and checking a signature."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class Signer(Protocol):
    """Signs bytes with the office's private key."""

    @abstractmethod
    def sign(self, message: bytes) -> bytes:
        """The raw signature of `message`."""

    @abstractmethod
    def public_bytes(self) -> bytes:
        """The raw public key (32 bytes for Ed25519): signed notes name keys by its hash."""


class SignatureChecker(Protocol):
    """Checks signatures against one public key."""

    @abstractmethod
    def is_valid(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` is this key's signature of `message`."""

    @abstractmethod
    def public_bytes(self) -> bytes:
        """The raw public key (32 bytes for Ed25519)."""
