"""COSE signature primitives over ``cryptography`` public keys (verification side)."""

from __future__ import annotations

import hashlib
from typing import cast

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from vaxpass.crypto.signer import CoseAlgorithm, key_matches_algorithm

ES256_SIGNATURE_LENGTH = 64
KID_LENGTH = 8
_COORDINATE_LENGTH = ES256_SIGNATURE_LENGTH // 2
_DER_SEQUENCE = 0x30
_DER_INTEGER = 0x02


def kid_for_certificate(certificate: x509.Certificate) -> bytes:
    """The EU DCC key identifier: first 8 bytes of SHA-256 over the certificate's DER."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).digest()[:KID_LENGTH]


def pss_padding() -> padding.PSS:
    """RSASSA-PSS as COSE fixes it (RFC 8230): MGF1-SHA-256, salt as long as the digest."""
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


# Stateless parameter objects, built once instead of on every signature.
SHA256 = hashes.SHA256()
ECDSA_SHA256 = ec.ECDSA(SHA256)
PSS_SHA256 = pss_padding()


def verify_signature(
    algorithm: CoseAlgorithm, key: PublicKeyTypes, data: bytes, signature: bytes
) -> bool:
    """True when ``signature`` (COSE form) over ``data`` verifies with ``key`` under ``algorithm``.

    The key must be of the algorithm's type; an ECDSA signature must be raw ``r || s``
    (a DER signature is invalid in COSE).
    """
    return key_matches_algorithm(algorithm, key) and verify_matching_key(
        algorithm, key, data, signature
    )


def verify_matching_key(
    algorithm: CoseAlgorithm, key: PublicKeyTypes, data: bytes, signature: bytes
) -> bool:
    """``verify_signature`` for a key already known to match ``algorithm``'s key type (as a
    ``TrustedSigner``'s ``algorithms`` records): the per-call key-type checks are skipped."""
    try:
        if algorithm is CoseAlgorithm.ES256:
            if len(signature) != ES256_SIGNATURE_LENGTH:
                return False
            cast(ec.EllipticCurvePublicKey, key).verify(
                es256_raw_to_der(signature), data, ECDSA_SHA256
            )
        else:
            cast(rsa.RSAPublicKey, key).verify(signature, data, PSS_SHA256, SHA256)
    except (InvalidSignature, ValueError):
        return False
    return True


def es256_raw_to_der(signature: bytes) -> bytes:
    """The DER ``ECDSA-Sig-Value`` of a 64-byte COSE ``r || s`` signature."""
    body = _der_integer(signature[:_COORDINATE_LENGTH]) + _der_integer(
        signature[_COORDINATE_LENGTH:]
    )
    return bytes((_DER_SEQUENCE, len(body))) + body


def _der_integer(unsigned_big_endian: bytes) -> bytes:
    """A non-negative DER INTEGER: minimal, with a zero byte where the top bit is set."""
    value = unsigned_big_endian.lstrip(b"\0")
    if not value or value[0] & 0x80:
        value = b"\0" + value
    return bytes((_DER_INTEGER, len(value))) + value


def es256_der_to_raw(der: bytes) -> bytes:
    """The COSE ``r || s`` form of a DER ECDSA P-256 signature (as OpenSSL returns it)."""
    if _short_form_pair(der):
        r_end = 4 + der[3]
        return _coordinate(der[4:r_end]) + _coordinate(der[r_end + 2 :])
    r, s = decode_dss_signature(der)  # any other layout: the general parser decides
    return r.to_bytes(_COORDINATE_LENGTH, "big") + s.to_bytes(_COORDINATE_LENGTH, "big")


def _short_form_pair(der: bytes) -> bool:
    """SEQUENCE { INTEGER r, INTEGER s } with short lengths that add up, each at most 33 bytes."""
    if len(der) < 8 or der[0] != _DER_SEQUENCE or der[1] != len(der) - 2 or der[2] != _DER_INTEGER:
        return False
    r_end = 4 + der[3]
    return (
        der[3] <= _COORDINATE_LENGTH + 1
        and r_end + 2 < len(der)
        and der[r_end] == _DER_INTEGER
        and der[r_end + 1] == len(der) - r_end - 2
        and der[r_end + 1] <= _COORDINATE_LENGTH + 1
    )


def _coordinate(integer: bytes) -> bytes:
    return integer[-_COORDINATE_LENGTH:].rjust(_COORDINATE_LENGTH, b"\0")
