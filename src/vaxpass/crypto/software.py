"""Software signing keys: in memory, or encrypted PKCS#8 files (the embedded default)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from vaxpass.crypto.keys import (
    ECDSA_SHA256,
    PSS_SHA256,
    SHA256,
    es256_der_to_raw,
    kid_for_certificate,
)
from vaxpass.crypto.pki.profiles import CertificateType, Validity, issue_csca, issue_dsc
from vaxpass.crypto.signer import CoseAlgorithm, SignerIdentity, algorithm_for_key
from vaxpass.errors import SigningError

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class SoftwareSigner(SignerIdentity):
    """A ``Signer`` over a private key held in this process."""

    def __init__(self, private_key: SigningKey, certificate: x509.Certificate) -> None:
        if certificate.public_key() != private_key.public_key():
            raise SigningError("the private key does not belong to the signer certificate")
        try:
            algorithm = algorithm_for_key(private_key.public_key())
        except ValueError as exc:
            raise SigningError(
                "unsupported key: use EC P-256 or RSA of at least 2048 bits"
            ) from exc
        super().__init__(algorithm, kid_for_certificate(certificate))
        self._key = private_key
        self.certificate = certificate

    def sign(self, data: bytes) -> bytes:
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return es256_der_to_raw(self._key.sign(data, ECDSA_SHA256))
        return self._key.sign(data, PSS_SHA256, SHA256)


def generate_signing_key(algorithm: CoseAlgorithm = CoseAlgorithm.ES256) -> SigningKey:
    """A fresh key for ``algorithm`` (P-256, or RSA-3072 for PS256)."""
    if algorithm is CoseAlgorithm.ES256:
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def save_private_key(key: PrivateKeyTypes, path: Path, passphrase: bytes | None) -> None:
    """Write ``key`` as PKCS#8 PEM, encrypted when a passphrase is given; owner-only access."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(pem)


def load_private_key(path: Path, passphrase: bytes | None = None) -> SigningKey:
    """Read a PEM private key usable for DCC signing."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
    except (ValueError, TypeError) as exc:
        raise SigningError("cannot read the private key (wrong format or passphrase)") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise SigningError("unsupported private key type: use EC P-256 or RSA")
    return key


def load_certificate(path: Path) -> x509.Certificate:
    """Read a PEM or DER certificate."""
    data = path.read_bytes()
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise SigningError("cannot read the signer certificate") from exc


def ephemeral_signer(
    key: SigningKey,
    *,
    not_before: datetime,
    days: int,
    types: Iterable[CertificateType] = (),
    country: str = "VN",
) -> SoftwareSigner:
    """A signer for ``key`` under a throw-away CSCA held only in memory (tests, benchmarks,
    development): nothing is written and no verifier trusts it unless told to."""
    csca_key = ec.generate_private_key(ec.SECP256R1())
    csca = issue_csca(
        csca_key,
        country=country,
        common_name=f"{country} ephemeral CSCA",
        validity=Validity.starting(not_before, days + 1),
    )
    dsc = issue_dsc(
        csca_key,
        csca,
        key.public_key(),
        common_name=f"{country} ephemeral DSC",
        validity=Validity.starting(not_before, days),
        types=types,
    )
    return SoftwareSigner(key, dsc)
