"""Who an authority is: its role and scope, checked, and its identifier."""

from __future__ import annotations

from collections.abc import Callable

from cryptography import x509
from cryptography.x509.oid import NameOID

from vaxpass.crypto.keys import kid_for_certificate
from vaxpass.domain.facility import (
    NATIONAL_SIGNER,
    AuthorityKind,
    SigningAuthority,
    facility_code_ok,
)
from vaxpass.domain.provinces import is_province_code
from vaxpass.errors import ValidationError

NATIONAL_SCOPE = NATIONAL_SIGNER.scope
MAX_NAME_LENGTH = 64  # ub-organization-name / ub-common-name (RFC 5280)

_SCOPE_CHECKS: dict[AuthorityKind, Callable[[str], bool]] = {
    AuthorityKind.FACILITY_HEAD: facility_code_ok,
    AuthorityKind.DOH: is_province_code,
    AuthorityKind.CDC: is_province_code,
    AuthorityKind.DPM: lambda scope: scope == NATIONAL_SCOPE,
}


def authority_for(role: str, scope: str) -> SigningAuthority:
    """The authority ``role`` over ``scope``, checked (``national`` is the DPM's scope ``VN``)."""
    try:
        kind = AuthorityKind(role)
    except ValueError:
        raise ValidationError("role must be facility_head, doh, cdc or dpm") from None
    if kind is AuthorityKind.DPM and scope.lower() == "national":
        scope = NATIONAL_SCOPE
    if not _SCOPE_CHECKS[kind](scope):
        raise ValidationError(
            f"scope must be a facility code (facility_head), a province GSO code (doh, cdc) "
            f"or {NATIONAL_SCOPE} (dpm); got {scope!r} for {kind}"
        )
    return SigningAuthority(kind, scope)


def authority_id(certificate: x509.Certificate) -> str:
    """An authority's identifier: its certificate's kid (SHA-256 prefix of the DER) in hex."""
    return kid_for_certificate(certificate).hex()


def checked_name(name: str) -> str:
    """``name`` without surrounding blanks, 1 to ``MAX_NAME_LENGTH`` characters."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(f"a name must have 1 to {MAX_NAME_LENGTH} characters")
    return cleaned


def holder_name(certificate: x509.Certificate) -> str:
    """The subject's O, else its CN, else the authority id."""
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        values = certificate.subject.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return authority_id(certificate)
