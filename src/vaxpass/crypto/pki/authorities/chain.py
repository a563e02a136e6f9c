"""Certification paths of authority certificates: from the leaf through at most
``MAX_INTERMEDIATES`` intermediates to a pinned anchor, every certificate checked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from cryptography import x509

from vaxpass.crypto.pki.listsign import issuer_among
from vaxpass.crypto.signer import algorithm_for_key
from vaxpass.errors import ErrorCode, TrustStoreError, VerificationError

MAX_INTERMEDIATES = 4
_Ext = TypeVar("_Ext", bound=x509.ExtensionType)


def certification_path(
    certificate: x509.Certificate,
    anchors: Sequence[x509.Certificate],
    *,
    at: datetime,
    intermediates: Sequence[x509.Certificate] = (),
) -> list[x509.Certificate]:
    """Leaf, intermediates and anchor, each checked (profile, CA constraints, validity)."""
    require_signing_profile(certificate)
    path = [certificate]
    anchor = issuer_among(certificate, anchors)
    while anchor is None:
        if len(path) > MAX_INTERMEDIATES:
            raise _untrusted("the certificate chain is too long")
        candidates = [cert for cert in intermediates if cert not in path]
        issuer = issuer_among(path[-1], candidates)
        if issuer is None:
            raise _untrusted("the certificate does not chain to a pinned anchor")
        path.append(issuer)
        anchor = issuer_among(issuer, anchors)
    path.append(anchor)
    for below, issuer in enumerate(path[1:]):
        _require_ca(issuer, below)
    for member in path:
        _require_valid(member, at)
    return path


def require_signing_profile(certificate: x509.Certificate) -> None:
    """An end-entity certificate for digitalSignature and nonRepudiation with a usable key."""
    extensions = certificate.extensions
    if any(
        isinstance(ext.value, x509.UnrecognizedExtension) and ext.critical for ext in extensions
    ):
        raise _untrusted("the certificate has an unknown critical extension")
    constraints = _extension(certificate, x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        raise _untrusted("a CA certificate cannot confirm batches")
    usage = _extension(certificate, x509.KeyUsage)
    if usage is None or not (usage.digital_signature and usage.content_commitment):
        raise VerificationError(
            "the certificate must allow digitalSignature and nonRepudiation",
            code=ErrorCode.KEY_USAGE_MISMATCH,
        )
    try:
        algorithm_for_key(certificate.public_key())
    except ValueError as exc:
        raise _untrusted("unsupported key: use EC P-256 or RSA of at least 2048 bits") from exc


def _require_ca(certificate: x509.Certificate, below: int) -> None:
    constraints = _extension(certificate, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        raise _untrusted("an issuer on the chain is not a CA")
    if constraints.path_length is not None and below > constraints.path_length:
        raise _untrusted("an issuer's path length constraint is exceeded")
    usage = _extension(certificate, x509.KeyUsage)
    if usage is not None and not usage.key_cert_sign:
        raise _untrusted("an issuer on the chain may not sign certificates")


def _require_valid(certificate: x509.Certificate, at: datetime) -> None:
    if not certificate.not_valid_before_utc <= at < certificate.not_valid_after_utc:
        raise VerificationError(
            "a certificate on the chain is not valid at that time",
            code=ErrorCode.SIGNER_CERTIFICATE_NOT_VALID,
        )


def _extension(certificate: x509.Certificate, kind: type[_Ext]) -> _Ext | None:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _untrusted(message: str) -> VerificationError:
    return VerificationError(message, code=ErrorCode.AUTHORITY_UNTRUSTED)


def imported_path(pem: bytes, anchor: x509.Certificate, *, at: datetime) -> list[x509.Certificate]:
    """The checked path of an import file (leaf first, then intermediates; the anchor may be
    included) to the pinned ``anchor``; raises ``TrustStoreError``."""
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TrustStoreError("not a PEM certificate chain") from exc
    leaf, intermediates = certificates[0], [c for c in certificates[1:] if c != anchor]
    try:
        return certification_path(leaf, [anchor], at=at, intermediates=intermediates)
    except VerificationError as exc:
        raise TrustStoreError(exc.message, code=exc.code) from exc
