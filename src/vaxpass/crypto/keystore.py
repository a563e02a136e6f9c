"""Software key store: encrypted PKCS#8 files under the keys directory (the embedded default).

Keys are generated on first use. The passphrase comes from the ``VAXPASS_KEY_PASSPHRASE``
secret; without one a random passphrase is generated into an owner-only file next to the keys,
which is only fit for development (production keys live in an HSM). That file is written
atomically (a temporary file, synced, renamed); an empty passphrase — empty secret or empty
file — is refused (``CONFIGURATION_INVALID``): keys are never written unencrypted.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
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
            _write_secret(path, secrets.token_urlsafe(32).encode())
        return path.read_bytes().strip()


def _write_secret(path: Path, secret: bytes) -> None:
    """Write ``secret`` to ``path`` (mode 0600) atomically: never a partly written file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(secret)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class SoftwareKeySession:
    def __init__(self, directory: Path, passphrase: bytes) -> None:
        if not passphrase:
            raise SigningError(
                "the key passphrase is empty: set VAXPASS_KEY_PASSPHRASE or remove the empty "
                f"{PASSPHRASE_FILE} file",
                code=ErrorCode.CONFIGURATION_INVALID,
            )
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
