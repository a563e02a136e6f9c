"""Software key store: encrypted PKCS#8 files under the keys directory (the embedded default).

Keys are generated on first use. The passphrase comes from the ``VAXPASS_KEY_PASSPHRASE``
secret; without one a random passphrase is generated into an owner-only file next to the keys,
which is only fit for development (production keys live in an HSM).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from vaxpass.crypto.pki.profiles import PublicSigningKey
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.crypto.software import (
    SigningKey,
    SoftwareSigner,
    generate_signing_key,
    load_private_key,
    save_private_key,
)
from vaxpass.errors import ErrorCode, SigningError

PASSPHRASE_FILE = ".passphrase"
_LABEL = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class SoftwareKeyStore:
    """A ``KeyBackend`` over encrypted key files in ``directory``."""

    name = "software"

    def __init__(self, directory: Path, passphrase: bytes | None = None) -> None:
        self._directory = directory
        self._passphrase = passphrase

    @contextmanager
    def open(self) -> Iterator[SoftwareKeySession]:
        yield SoftwareKeySession(self._directory, self._passphrase or self._development_secret())

    def _development_secret(self) -> bytes:
        path = self._directory / PASSPHRASE_FILE
        if not path.exists():
            self._directory.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32))
        return path.read_bytes().strip()


class SoftwareKeySession:
    def __init__(self, directory: Path, passphrase: bytes) -> None:
        self._directory = directory
        self._passphrase = passphrase
        self._cache: dict[str, SigningKey] = {}

    def generate(self, label: str, algorithm: CoseAlgorithm) -> PublicSigningKey:
        path = self._path(label)
        if path.exists():
            raise SigningError(f"key {label} already exists", code=ErrorCode.KEY_STATE_INVALID)
        key = generate_signing_key(algorithm)
        save_private_key(key, path, self._passphrase)
        self._cache[label] = key
        return key.public_key()

    def public_key(self, label: str) -> PublicSigningKey:
        return self._key(label).public_key()

    def signer(self, label: str, certificate: x509.Certificate) -> SoftwareSigner:
        return SoftwareSigner(self._key(label), certificate)

    def sign_x509(self, label: str, data: bytes) -> bytes:
        key = self._key(label)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hashes.SHA256()))
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def _key(self, label: str) -> SigningKey:
        if label not in self._cache:
            path = self._path(label)
            if not path.exists():
                raise SigningError(f"no key {label}", code=ErrorCode.KEY_STATE_INVALID)
            self._cache[label] = load_private_key(path, self._passphrase)
        return self._cache[label]

    def _path(self, label: str) -> Path:
        if not _LABEL.match(label):
            raise SigningError("invalid key label", code=ErrorCode.KEY_STATE_INVALID)
        return self._directory / f"{label}.key.pem"
