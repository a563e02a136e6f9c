"""PKCS#11 adapter: signing keys generated and used inside an HSM or token (python-pkcs11).

Keys are created on the token as sensitive, non-extractable private objects; only signatures
and public keys come out. A batch signs through one logged-in session. Every token fault is
raised as ``HsmError`` (code ``HSM_UNAVAILABLE``): there is never a fallback to a software key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pkcs11 import MGF, Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.util.ec import encode_named_curve_parameters

from vaxpass.crypto.keys import kid_for_certificate
from vaxpass.crypto.pki.profiles import PublicSigningKey
from vaxpass.crypto.signer import CoseAlgorithm, SignerIdentity
from vaxpass.errors import ErrorCode, SigningError

P256_OID = "1.2.840.10045.3.1.7"
DEFAULT_RSA_BITS = 3072
_PSS_SHA256 = (Mechanism.SHA256, MGF.SHA256, 32)

# Faults after which the same batch can simply be retried (device back, session reopened, PIN
# unlocked by an officer); the others need an operator to fix the configuration.
_RETRYABLE_FAULTS: tuple[type[Exception], ...] = (
    p11.DeviceError,
    p11.DeviceMemory,
    p11.DeviceRemoved,
    p11.TokenNotPresent,
    p11.SessionClosed,
    p11.SessionHandleInvalid,
    p11.SessionCount,
    p11.UserNotLoggedIn,
    p11.FunctionFailed,
    p11.GeneralError,
    p11.PinLocked,
)

_PRIVATE_TEMPLATE = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.SIGN: True,
    Attribute.DECRYPT: False,
    Attribute.UNWRAP: False,
    Attribute.DERIVE: False,
}
_PUBLIC_TEMPLATE = {Attribute.TOKEN: True, Attribute.VERIFY: True, Attribute.ENCRYPT: False}


class HsmError(SigningError):
    """The HSM could not be reached or refused an operation; ``retryable`` says if a retry may
    succeed without changing the configuration."""

    code = ErrorCode.HSM_UNAVAILABLE

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@contextmanager
def hsm_faults(action: str) -> Iterator[None]:
    """Turn any PKCS#11 fault raised while doing ``action`` into an ``HsmError``."""
    try:
        yield
    except p11.NoSuchKey as exc:
        raise SigningError(
            f"{action}: no such key on the token", code=ErrorCode.KEY_STATE_INVALID
        ) from exc
    except p11.PKCS11Error as exc:
        retryable = isinstance(exc, _RETRYABLE_FAULTS)
        raise HsmError(f"{action}: {type(exc).__name__}", retryable=retryable) from exc


@lru_cache(maxsize=4)
def _library(module: str) -> Any:
    # A PKCS#11 module is initialised once per process.
    return pkcs11.lib(module)


class Pkcs11KeyStore:
    """A ``KeyBackend`` over one token of a PKCS#11 module."""

    name = "pkcs11"

    def __init__(
        self, module: Path, token_label: str, pin: str, *, rsa_bits: int = DEFAULT_RSA_BITS
    ) -> None:
        self._module = module
        self._token_label = token_label
        self._pin = pin
        self._rsa_bits = rsa_bits

    @contextmanager
    def open(self) -> Iterator[Pkcs11KeySession]:
        with hsm_faults("open the token session"):
            if not self._module.exists():
                raise HsmError("the PKCS#11 module does not exist", retryable=False)
            token = _library(str(self._module)).get_token(token_label=self._token_label)
            session = token.open(rw=True, user_pin=self._pin)
        try:
            yield Pkcs11KeySession(session, self._rsa_bits)
        finally:
            # A lost session is already gone: there is nothing left to release.
            with suppress(p11.PKCS11Error):
                session.close()


class Pkcs11KeySession:
    def __init__(self, session: Any, rsa_bits: int) -> None:
        self._session = session
        self._rsa_bits = rsa_bits
        self._keys: dict[tuple[str, ObjectClass], Any] = {}

    def generate(self, label: str, algorithm: CoseAlgorithm) -> PublicSigningKey:
        with hsm_faults("generate a key"):
            if self._exists(label):
                raise SigningError(f"key {label} already exists", code=ErrorCode.KEY_STATE_INVALID)
            _GENERATORS[algorithm](self._session, label, self._rsa_bits)
        return self.public_key(label)

    def public_key(self, label: str) -> PublicSigningKey:
        with hsm_faults("read a public key"):
            key = self._key(label, ObjectClass.PUBLIC_KEY)
            return _public_key(key)

    def signer(self, label: str, certificate: x509.Certificate) -> Pkcs11Signer:
        if certificate.public_key() != self.public_key(label):
            raise SigningError("the token key does not belong to the signer certificate")
        with hsm_faults("find the signing key"):
            private = self._key(label, ObjectClass.PRIVATE_KEY)
        algorithm = CoseAlgorithm.ES256 if _is_ec(private) else CoseAlgorithm.PS256
        return Pkcs11Signer(private, algorithm, kid_for_certificate(certificate))

    def sign_x509(self, label: str, data: bytes) -> bytes:
        with hsm_faults("sign a certificate"):
            private = self._key(label, ObjectClass.PRIVATE_KEY)
            if _is_ec(private):
                raw = private.sign(hashlib.sha256(data).digest(), mechanism=Mechanism.ECDSA)
                return _der_ecdsa(raw)
            return bytes(private.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS))

    def key_attributes(self, label: str) -> dict[str, bool]:
        """The private key's protection attributes (what ``keys list`` and tests show)."""
        with hsm_faults("read key attributes"):
            private = self._key(label, ObjectClass.PRIVATE_KEY)
            names = ("SENSITIVE", "EXTRACTABLE", "ALWAYS_SENSITIVE", "NEVER_EXTRACTABLE")
            return {name.lower(): bool(private[Attribute[name]]) for name in names}

    def _exists(self, label: str) -> bool:
        return any(True for _ in self._session.get_objects({Attribute.LABEL: label}))

    def _key(self, label: str, kind: ObjectClass) -> Any:
        if (label, kind) not in self._keys:
            self._keys[(label, kind)] = self._session.get_key(object_class=kind, label=label)
        return self._keys[(label, kind)]


class Pkcs11Signer(SignerIdentity):
    """A ``Signer`` whose private key stays on the token."""

    def __init__(self, private_key: Any, algorithm: CoseAlgorithm, kid: bytes) -> None:
        super().__init__(algorithm, kid)
        self._key = private_key

    def sign(self, data: bytes) -> bytes:
        with hsm_faults("sign"):
            if self._algorithm is CoseAlgorithm.ES256:
                # SoftHSM and many HSMs only offer raw ECDSA: hash here, sign the digest there.
                digest = hashlib.sha256(data).digest()
                return bytes(self._key.sign(digest, mechanism=Mechanism.ECDSA))
            return bytes(
                self._key.sign(
                    data, mechanism=Mechanism.SHA256_RSA_PKCS_PSS, mechanism_param=_PSS_SHA256
                )
            )


def _generate_ec(session: Any, label: str, _bits: int) -> None:
    parameters = session.create_domain_parameters(
        KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters(P256_OID)}, local=True
    )
    parameters.generate_keypair(**_stored_signing_pair(label))


def _generate_rsa(session: Any, label: str, bits: int) -> None:
    session.generate_keypair(KeyType.RSA, bits, **_stored_signing_pair(label))


def _stored_signing_pair(label: str) -> dict[str, Any]:
    """A sign-only key pair kept on the token under ``label`` (private half sensitive)."""
    return {
        "store": True,
        "label": label,
        "id": label.encode(),
        "capabilities": MechanismFlag.SIGN | MechanismFlag.VERIFY,
        "private_template": _PRIVATE_TEMPLATE,
        "public_template": _PUBLIC_TEMPLATE,
    }


_GENERATORS = {CoseAlgorithm.ES256: _generate_ec, CoseAlgorithm.PS256: _generate_rsa}


def _is_ec(key: Any) -> bool:
    return bool(key.key_type == KeyType.EC)


def _public_key(key: Any) -> PublicSigningKey:
    if _is_ec(key):
        # EC_POINT is a DER OCTET STRING around the uncompressed point.
        point = bytes(key[Attribute.EC_POINT])
        if point[:1] == b"\x04" and len(point) == 67:
            point = point[2:]
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    modulus = int.from_bytes(key[Attribute.MODULUS], "big")
    exponent = int.from_bytes(key[Attribute.PUBLIC_EXPONENT], "big")
    return rsa.RSAPublicNumbers(exponent, modulus).public_key()


def _der_ecdsa(raw: bytes) -> bytes:
    half = len(raw) // 2
    return encode_dss_signature(
        int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
    )
