"""Signing ports and the COSE algorithm table.

A ``Signer`` signs bytes with a private key that never leaves its backend (a file, memory or an
HSM) and returns the signature in COSE form (raw ``r || s`` for ECDSA, RSASSA-PSS otherwise).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes


class CoseAlgorithm(IntEnum):
    """COSE algorithm identifiers that an EU DCC may carry (the allow-list)."""

    ES256 = -7
    PS256 = -37


def _is_p256(key: PublicKeyTypes) -> bool:
    return isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)


def _is_rsa_2048_or_more(key: PublicKeyTypes) -> bool:
    return isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048


_KEY_CHECKS = {
    CoseAlgorithm.ES256: _is_p256,
    CoseAlgorithm.PS256: _is_rsa_2048_or_more,
}


def key_matches_algorithm(algorithm: CoseAlgorithm, key: PublicKeyTypes) -> bool:
    """True when ``key`` is the key type ``algorithm`` is bound to (P-256 / RSA ≥ 2048)."""
    return _KEY_CHECKS[algorithm](key)


def algorithm_for_key(key: PublicKeyTypes) -> CoseAlgorithm:
    """The COSE algorithm a signer with this public key uses."""
    for algorithm, check in _KEY_CHECKS.items():
        if check(key):
            return algorithm
    raise ValueError("unsupported key type: use EC P-256 or RSA of at least 2048 bits")


class Signer(Protocol):
    """Signs with a private key held by a backend; the key itself is never exposed."""

    @property
    def algorithm(self) -> CoseAlgorithm: ...

    @property
    def kid(self) -> bytes:
        """Key identifier: the first 8 bytes of SHA-256 over the signer certificate's DER."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``; the result is in COSE form."""
        ...


class SignerIdentity:
    """The algorithm and kid a signer adapter publishes; the adapter adds ``sign``."""

    def __init__(self, algorithm: CoseAlgorithm, kid: bytes) -> None:
        self._algorithm = algorithm
        self._kid = kid

    @property
    def algorithm(self) -> CoseAlgorithm:
        return self._algorithm

    @property
    def kid(self) -> bytes:
        return self._kid
