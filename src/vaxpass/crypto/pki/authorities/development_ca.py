"""The development authority CA: its own key on the configured backend (apart from the CSCA),
created on first use, which issues authority certificates whose keys live on the same backend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from cryptography import x509

from vaxpass.crypto.backend import KeySession, new_key_label
from vaxpass.crypto.pki.authorities.state import AuthorityCa, pem_text
from vaxpass.crypto.pki.issuance import issue_in_backend, signing_key_of
from vaxpass.crypto.pki.profiles import (
    PublicSigningKey,
    Validity,
    authority_builder,
    authority_ca_builder,
)
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.domain.facility import SigningAuthority
from vaxpass.errors import ErrorCode, SigningError


@dataclass(frozen=True, slots=True)
class AuthorityPolicy:
    country: str = "VN"
    certificate_days: int = 730
    ca_days: int = 3650


def create_authority_ca(
    session: KeySession, policy: AuthorityPolicy, *, at: datetime
) -> AuthorityCa:
    """Generate the CA's ES256 key on the backend and self-sign its certificate."""
    label = new_key_label("authca")
    public_key = session.generate(label, CoseAlgorithm.ES256)
    builder = authority_ca_builder(
        public_key, country=policy.country, validity=Validity.starting(at, policy.ca_days)
    )
    sign = partial(session.sign_x509, label)
    certificate = issue_in_backend(builder, issuer_key=public_key, sign=sign)
    return AuthorityCa(label, pem_text(certificate))


def issue_authority_certificate(
    session: KeySession,
    ca: AuthorityCa,
    public_key: PublicSigningKey,
    authority: SigningAuthority,
    *,
    policy: AuthorityPolicy,
    names: tuple[str, str],
    at: datetime,
) -> x509.Certificate:
    """An authority certificate for ``public_key``, never valid past the CA."""
    issuer = ca.certificate
    validity = Validity.starting(at, policy.certificate_days)
    if validity.not_after > issuer.not_valid_after_utc:
        raise SigningError(
            "the authority CA expires before this certificate would",
            code=ErrorCode.KEY_STATE_INVALID,
        )
    builder = authority_builder(
        issuer, public_key, authority, country=policy.country, names=names, validity=validity
    )
    sign = partial(session.sign_x509, ca.label)
    return issue_in_backend(builder, issuer_key=signing_key_of(issuer), sign=sign)
