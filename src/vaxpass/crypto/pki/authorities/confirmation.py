"""Verifying a confirmation signature by an authority certificate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509

from vaxpass.crypto.keys import verify_signature
from vaxpass.crypto.pki.authorities.chain import certification_path
from vaxpass.crypto.pki.authorities.state import ISSUED, AuthorityRecord
from vaxpass.crypto.pki.profiles import certified_authority
from vaxpass.crypto.signer import algorithm_for_key
from vaxpass.domain.facility import SigningAuthority
from vaxpass.errors import ErrorCode, VerificationError


def verify_confirmation_signature(
    data: bytes,
    signature: bytes,
    certificate: x509.Certificate,
    anchors: Sequence[x509.Certificate],
    *,
    at: datetime,
    intermediates: Sequence[x509.Certificate] = (),
    authority: SigningAuthority | None = None,
) -> list[x509.Certificate]:
    """Check a confirmation ``signature`` (COSE form) over ``data`` by ``certificate``.

    ``authority``, when given, must be the role and scope the certificate itself names (issued
    certificates; for imported ones the registry holds the binding). Returns the certification
    path, leaf first and anchor last; raises ``VerificationError``.
    """
    path = certification_path(certificate, anchors, at=at, intermediates=intermediates)
    if authority is not None and certified_authority(certificate) != authority:
        raise scope_mismatch()
    key = certificate.public_key()
    if not verify_signature(algorithm_for_key(key), key, data, signature):
        raise VerificationError(
            "the confirmation signature does not verify", code=ErrorCode.SIGNATURE_INVALID
        )
    return path


def verify_registered_confirmation(
    data: bytes,
    signature: bytes,
    record: AuthorityRecord,
    *,
    at: datetime,
    authority: SigningAuthority,
) -> None:
    """The same for a registered authority, plus its revocation and its bound role and scope."""
    if record.revoked_at is not None:
        raise VerificationError("the authority is revoked", code=ErrorCode.REVOKED)
    if record.authority != authority:
        raise scope_mismatch()
    verify_confirmation_signature(
        data,
        signature,
        record.certificate,
        [record.anchor],
        at=at,
        intermediates=record.intermediates,
        authority=authority if record.origin == ISSUED else None,
    )


def scope_mismatch() -> VerificationError:
    return VerificationError(
        "the certificate is not for this role and scope", code=ErrorCode.AUTHORITY_SCOPE_MISMATCH
    )
