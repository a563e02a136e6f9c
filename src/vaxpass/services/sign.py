"""Signing one DCC with a document signer: the issuer's checks before any signature."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509

from vaxpass.crypto.signer import Signer
from vaxpass.errors import SigningError, ValidationError
from vaxpass.formats.dcc.payload import validate_payload
from vaxpass.formats.dcc.pipeline import EncodedDcc, encode_dcc
from vaxpass.formats.dcc.rules import entry_types


def sign_certificate(
    payload: Mapping[str, Any],
    signer: Signer,
    certificate: x509.Certificate,
    *,
    issuer: str,
    at: datetime,
    valid_days: int,
) -> EncodedDcc:
    """Validate ``payload`` and sign it; refuse when the DSC does not cover the validity."""
    errors = validate_payload(payload)
    if errors:
        raise ValidationError("the payload is not a valid DCC", errors)
    if len(entry_types(payload)) != 1:
        raise ValidationError("a certificate must hold exactly one v, t or r entry")
    if valid_days <= 0:
        raise ValidationError("the validity must be at least one day")
    expires_at = at + timedelta(days=valid_days)
    if at < certificate.not_valid_before_utc:
        raise SigningError("the signer certificate is not valid yet")
    if expires_at > certificate.not_valid_after_utc:
        raise SigningError(
            "the certificate would outlive its signer certificate: shorten the validity "
            "or rotate to a newer signer"
        )
    return encode_dcc(payload, signer, issuer=issuer, issued_at=at, expires_at=expires_at)
