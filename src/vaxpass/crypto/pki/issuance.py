"""Issuing certificates with a CA key that stays in its backend (an HSM or a key file).

``cryptography`` only signs certificates with keys it holds itself, so a certificate is first
built and signed with a throwaway key of the same type (which fixes the signature algorithm
identifier), then its to-be-signed part is signed by the real key and reassembled.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes

from vaxpass.crypto.pki.profiles import PublicSigningKey
from vaxpass.errors import ErrorCode, SigningError

# Signs the DER to-be-signed bytes and returns an X.509-form signature (DER ECDSA, RSA v1.5).
X509Sign = Callable[[bytes], bytes]


def issue_in_backend(
    builder: x509.CertificateBuilder, *, issuer_key: PublicSigningKey, sign: X509Sign
) -> x509.Certificate:
    """Sign a profile's ``builder`` (``crypto.pki.profiles``) with the backend-held key whose
    public half is ``issuer_key``; refuse the result unless it verifies with that key."""
    draft = builder.sign(_placeholder(issuer_key), hashes.SHA256())
    return _checked(_resign(draft, sign), issuer_key)


def signing_key_of(certificate: x509.Certificate) -> PublicSigningKey:
    """The public key of an issuing certificate (EC or RSA)."""
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise SigningError("unsupported issuer key", code=ErrorCode.KEY_STATE_INVALID)
    return key


@lru_cache(maxsize=1)
def _rsa_placeholder() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _placeholder(issuer_key: PublicSigningKey) -> CertificateIssuerPrivateKeyTypes:
    if isinstance(issuer_key, ec.EllipticCurvePublicKey):
        return ec.generate_private_key(ec.SECP256R1())
    return _rsa_placeholder()


def _resign(draft: x509.Certificate, sign: X509Sign) -> x509.Certificate:
    tbs = draft.tbs_certificate_bytes
    body = _content(draft.public_bytes(serialization.Encoding.DER))
    if not body.startswith(tbs):
        raise SigningError("unexpected certificate encoding")
    rest = body[len(tbs) :]
    algorithm = rest[: _tlv_length(rest)]
    signature = b"\x00" + sign(tbs)
    return x509.load_der_x509_certificate(_tlv(0x30, tbs + algorithm + _tlv(0x03, signature)))


def _checked(certificate: x509.Certificate, issuer_key: PublicSigningKey) -> x509.Certificate:
    signature, tbs = certificate.signature, certificate.tbs_certificate_bytes
    try:
        if isinstance(issuer_key, ec.EllipticCurvePublicKey):
            issuer_key.verify(signature, tbs, ec.ECDSA(hashes.SHA256()))
        else:
            issuer_key.verify(signature, tbs, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:  # the backend signed with another key
        raise SigningError(
            "the issuing key did not produce a valid certificate signature",
            code=ErrorCode.KEY_STATE_INVALID,
        ) from exc
    return certificate


def _header(data: bytes) -> tuple[int, int]:
    """(header length, content length) of the DER TLV at the start of ``data``."""
    first = data[1]
    if first < 0x80:
        return 2, first
    count = first & 0x7F
    return 2 + count, int.from_bytes(data[2 : 2 + count], "big")


def _tlv_length(data: bytes) -> int:
    header, length = _header(data)
    return header + length


def _content(data: bytes) -> bytes:
    header, length = _header(data)
    return data[header : header + length]


def _tlv(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content
