"""COSE signature primitives over ``cryptography`` public keys (verification side)."""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from vaxpass.crypto.signer import CoseAlgorithm, key_matches_algorithm

ES256_SIGNATURE_LENGTH = 64
KID_LENGTH = 8


def kid_for_certificate(certificate: x509.Certificate) -> bytes:
    """The EU DCC key identifier: first 8 bytes of SHA-256 over the certificate's DER."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).digest()[:KID_LENGTH]


def pss_padding() -> padding.PSS:
    """RSASSA-PSS as COSE fixes it (RFC 8230): MGF1-SHA-256, salt as long as the digest."""
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def verify_signature(
    algorithm: CoseAlgorithm, key: PublicKeyTypes, data: bytes, signature: bytes
) -> bool:
    """True when ``signature`` (COSE form) over ``data`` verifies with ``key`` under ``algorithm``.

    The key must be of the algorithm's type; an ECDSA signature must be raw ``r || s``
    (a DER signature is invalid in COSE).
    """
    if not key_matches_algorithm(algorithm, key):
        return False
    try:
        if algorithm is CoseAlgorithm.ES256:
            return _verify_es256(key, data, signature)
        assert isinstance(key, rsa.RSAPublicKey)
        key.verify(signature, data, pss_padding(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def _verify_es256(key: PublicKeyTypes, data: bytes, signature: bytes) -> bool:
    assert isinstance(key, ec.EllipticCurvePublicKey)
    if len(signature) != ES256_SIGNATURE_LENGTH:
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    return True
