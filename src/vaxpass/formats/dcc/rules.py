"""The semantic checks of a decoded DCC: time claims, schema and entry count, key usage."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vaxpass.crypto.pki.profiles import CertificateType
from vaxpass.errors import ErrorCode, Stage
from vaxpass.formats.cwt import CwtClaims
from vaxpass.formats.dcc.payload import check_entry_count, is_valid_payload, validate_payload
from vaxpass.formats.dcc.report import CheckRecorder
from vaxpass.formats.dcc.trust import TrustedSigner

ENTRY_KEYS = ("v", "t", "r")
_TYPE_OF_KEY = {key: CertificateType(key) for key in ENTRY_KEYS}


def check_expiration(
    claims: CwtClaims, signer: TrustedSigner | None, at: datetime, run: CheckRecorder
) -> None:
    """``iat``/``exp`` against the clock, and against the signer certificate's validity."""
    problem = _time_problem(claims, signer, at)
    if problem is None:
        run.passed(Stage.EXPIRATION)
    else:
        run.failed(Stage.EXPIRATION, *problem)


def _time_problem(
    claims: CwtClaims, signer: TrustedSigner | None, at: datetime
) -> tuple[ErrorCode, str] | None:
    now = at.timestamp()
    if claims.expires_at is None:
        return ErrorCode.EXPIRED, "the certificate carries no expiry time"
    if claims.issued_at is not None and claims.issued_at > now:
        return ErrorCode.NOT_YET_VALID, "issued after the validation time"
    if claims.expires_at < now:
        return ErrorCode.EXPIRED, "expired at the validation time"
    if signer is not None and not _within_signer_validity(claims, signer):
        return (
            ErrorCode.SIGNER_CERTIFICATE_NOT_VALID,
            "the certificate's validity is outside its signer certificate's validity",
        )
    return None


def _within_signer_validity(claims: CwtClaims, signer: TrustedSigner) -> bool:
    # Whole seconds against the signer's whole-second bounds: no datetime per verification.
    if claims.issued_at is not None and claims.issued_at < signer.valid_from:
        return False
    return claims.expires_at is None or claims.expires_at <= signer.valid_until


def entry_types(dcc: Mapping[str, Any]) -> list[CertificateType]:
    """One certificate type per entry the payload carries (v, t, r)."""
    types: list[CertificateType] = []
    for key, kind in _TYPE_OF_KEY.items():
        entries = dcc.get(key)
        if isinstance(entries, list):
            types.extend([kind] * len(entries))
    return types


def check_schema(dcc: Mapping[str, Any], run: CheckRecorder) -> None:
    """Exactly one entry (v, t or r), then the schema of the payload's own ``ver``."""
    if is_valid_payload(dcc):  # the common case, without building an error list
        run.passed(Stage.SCHEMA)
        return
    if check_entry_count(dcc):
        run.failed(
            Stage.SCHEMA,
            ErrorCode.ENTRY_COUNT_INVALID,
            "a certificate must hold exactly one vaccination, test or recovery entry",
        )
        return
    errors = validate_payload(dcc)
    if errors:
        fields = ", ".join(sorted({error.field or "/" for error in errors})[:5])
        run.failed(Stage.SCHEMA, ErrorCode.SCHEMA_INVALID, f"payload breaks the schema at {fields}")
        return
    run.passed(Stage.SCHEMA)


def check_key_usage(
    dcc: Mapping[str, Any], signer: TrustedSigner | None, run: CheckRecorder
) -> None:
    """The signer certificate's EKU OIDs must allow every entry type the payload carries."""
    if signer is None:
        return
    # The keys whose entries entry_types() would list, compared as plain strings.
    carried = [key for key in ENTRY_KEYS if isinstance(entries := dcc.get(key), list) and entries]
    if not carried:
        return
    if all(key in signer.allowed_keys for key in carried):
        run.passed(Stage.KEY_USAGE)
    else:
        run.failed(
            Stage.KEY_USAGE,
            ErrorCode.KEY_USAGE_MISMATCH,
            "the signer certificate may not sign this type of certificate",
        )
