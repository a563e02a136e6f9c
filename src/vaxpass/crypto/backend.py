"""The key backend port: where signing keys are generated, kept and used.

Two adapters implement it: ``SoftwareKeyStore`` (encrypted PKCS#8 files, the embedded default)
and ``Pkcs11KeyStore`` (an HSM or token). A batch opens one ``KeySession`` and signs through it;
the private keys never leave the backend.
"""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from typing import Protocol

from cryptography import x509

from vaxpass.crypto.pki.profiles import PublicSigningKey
from vaxpass.crypto.signer import CoseAlgorithm, Signer


class KeySession(Protocol):
    """One open (for an HSM: logged-in) session on a key backend."""

    def generate(self, label: str, algorithm: CoseAlgorithm) -> PublicSigningKey:
        """Create a key pair named ``label`` inside the backend; return its public key."""
        ...

    def public_key(self, label: str) -> PublicSigningKey: ...

    def signer(self, label: str, certificate: x509.Certificate) -> Signer:
        """A COSE signer over the key ``label``, published under ``certificate``'s kid."""
        ...

    def sign_x509(self, label: str, data: bytes) -> bytes:
        """An X.509-form signature (DER ECDSA, or RSA PKCS#1 v1.5) with SHA-256 over ``data``."""
        ...


class KeyBackend(Protocol):
    @property
    def name(self) -> str:
        """``software`` or ``pkcs11``, as recorded in the key state."""
        ...

    def open(self) -> AbstractContextManager[KeySession]: ...


def new_key_label(prefix: str) -> str:
    """A fresh, unguessable label for a key about to be generated (``<prefix>-<12 hex>``)."""
    return f"{prefix}-{secrets.token_hex(6)}"
