"""Certificates of the authorities that confirm batches of records.

Who confirms (Decision 5772/QĐ-BYT): the head of a vaccination facility (``facility_head``, scope:
the facility code), a provincial Department of Health or CDC (``doh`` / ``cdc``, scope: the
province's GSO code) or the Department of Preventive Medicine (``dpm``, scope ``VN``: national).

An authority certificate comes from one of two places:

- **issued**: a development authority CA (its own key on the configured backend, apart from the
  CSCA) issues it, and the authority's key is generated on the same backend; it signs
  confirmations through ``AuthorityRegistry.signer``. The certificate names its role with a
  certificate policy (``ROLE_POLICY_OIDS``) and its scope with a subject attribute
  (``SCOPE_ATTRIBUTE_OID``).
- **imported**: a chain from an external PKI (the government PKI, a licensed CA), checked against
  a pinned anchor; role and scope are bound to it here, and its key stays with its holder.

``verify_confirmation_signature`` is what batch confirmation calls: the certificate must chain to
an anchor, every certificate on the path be valid at ``at``, the leaf allow digitalSignature and
nonRepudiation, name the expected role and scope, and the signature verify. It raises
``VerificationError`` (with a stable code) and never returns a false verdict.

State lives in ``authorities.json`` under the keys directory; events go to its audit log.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from vaxpass.crypto.backend import KeyBackend, KeySession
from vaxpass.crypto.keys import kid_for_certificate, verify_signature
from vaxpass.crypto.pki.audit import AuditEvent, AuditLog
from vaxpass.crypto.pki.issuance import issue_csca_with, issue_leaf_with
from vaxpass.crypto.pki.profiles import PublicSigningKey, Validity
from vaxpass.crypto.signer import CoseAlgorithm, Signer, algorithm_for_key
from vaxpass.domain.facility import (
    NATIONAL_SIGNER,
    AuthorityKind,
    SigningAuthority,
    facility_code_ok,
)
from vaxpass.domain.provinces import is_province_code
from vaxpass.errors import (
    ErrorCode,
    SigningError,
    TrustStoreError,
    ValidationError,
    VaxpassError,
    VerificationError,
)

# A UUID-based arc (ITU-T X.667, ``2.25.<UUID>``): unique without a registration.
VAXPASS_ARC = "2.25.61099775348781302794746072467738992303"
ROLE_POLICY_OIDS: dict[AuthorityKind, x509.ObjectIdentifier] = {
    AuthorityKind.FACILITY_HEAD: x509.ObjectIdentifier(f"{VAXPASS_ARC}.1.1"),
    AuthorityKind.DOH: x509.ObjectIdentifier(f"{VAXPASS_ARC}.1.2"),
    AuthorityKind.CDC: x509.ObjectIdentifier(f"{VAXPASS_ARC}.1.3"),
    AuthorityKind.DPM: x509.ObjectIdentifier(f"{VAXPASS_ARC}.1.4"),
}
SCOPE_ATTRIBUTE_OID = x509.ObjectIdentifier(f"{VAXPASS_ARC}.2.1")
NATIONAL_SCOPE = NATIONAL_SIGNER.scope
ISSUED = "issued"
IMPORTED = "imported"
STATE_FILE = "authorities.json"
STATE_VERSION = 1
MAX_INTERMEDIATES = 4
MAX_NAME_LENGTH = 64  # ub-organization-name / ub-common-name (RFC 5280)
_Ext = TypeVar("_Ext", bound=x509.ExtensionType)

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


def certified_authority(certificate: x509.Certificate) -> SigningAuthority | None:
    """The role and scope an issued authority certificate names, or None when it names none."""
    try:
        policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except (x509.ExtensionNotFound, ValueError):
        return None
    present = {policy.policy_identifier for policy in policies}
    roles = [kind for kind, oid in ROLE_POLICY_OIDS.items() if oid in present]
    scopes = certificate.subject.get_attributes_for_oid(SCOPE_ATTRIBUTE_OID)
    if len(roles) != 1 or len(scopes) != 1:
        return None
    return SigningAuthority(roles[0], str(scopes[0].value))


def authority_id(certificate: x509.Certificate) -> str:
    """An authority's identifier: its certificate's kid (SHA-256 prefix of the DER) in hex."""
    return kid_for_certificate(certificate).hex()


# ---------------------------------------------------------------- verification


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
        raise _mismatch()
    key = certificate.public_key()
    if not verify_signature(algorithm_for_key(key), key, data, signature):
        raise VerificationError(
            "the confirmation signature does not verify", code=ErrorCode.SIGNATURE_INVALID
        )
    return path


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
    anchor = _issuer_among(certificate, anchors)
    while anchor is None:
        if len(path) > MAX_INTERMEDIATES:
            raise _untrusted("the certificate chain is too long")
        candidates = [cert for cert in intermediates if cert not in path]
        issuer = _issuer_among(path[-1], candidates)
        if issuer is None:
            raise _untrusted("the certificate does not chain to a pinned anchor")
        path.append(issuer)
        anchor = _issuer_among(issuer, anchors)
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


def _issuer_among(
    certificate: x509.Certificate, candidates: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    for candidate in candidates:
        try:
            certificate.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return candidate
    return None


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


def _mismatch() -> VerificationError:
    return VerificationError(
        "the certificate is not for this role and scope", code=ErrorCode.AUTHORITY_SCOPE_MISMATCH
    )


# ---------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class AuthorityRecord:
    id: str
    role: str
    scope: str
    name: str
    origin: str  # issued | imported
    recorded_at: str
    certificate_pem: str
    anchor_pem: str  # the development authority CA, or the pinned external anchor
    chain_pem: tuple[str, ...] = ()  # intermediates between the certificate and the anchor
    label: str | None = None  # the key on the backend (issued certificates only)
    revoked_at: str | None = None
    revocation_reason: str | None = None

    @property
    def authority(self) -> SigningAuthority:
        return SigningAuthority(AuthorityKind(self.role), self.scope)

    @property
    def certificate(self) -> x509.Certificate:
        return _certificate(self.certificate_pem)

    @property
    def anchor(self) -> x509.Certificate:
        return _certificate(self.anchor_pem)

    @property
    def intermediates(self) -> list[x509.Certificate]:
        return [_certificate(pem) for pem in self.chain_pem]

    def status(self, at: datetime) -> str:
        """``revoked``, ``not_yet_valid``, ``expired`` or ``valid`` at ``at``."""
        certificate = self.certificate
        if self.revoked_at is not None:
            return "revoked"
        if at < certificate.not_valid_before_utc:
            return "not_yet_valid"
        return "valid" if at < certificate.not_valid_after_utc else "expired"


@dataclass(frozen=True, slots=True)
class AuthorityCa:
    label: str
    certificate_pem: str

    @property
    def certificate(self) -> x509.Certificate:
        return _certificate(self.certificate_pem)


@dataclass(frozen=True, slots=True)
class AuthorityState:
    backend: str | None = None  # where the CA and the issued keys live (None: no key yet)
    ca: AuthorityCa | None = None
    authorities: tuple[AuthorityRecord, ...] = ()

    def find(self, identifier: str) -> AuthorityRecord:
        for record in self.authorities:
            if record.id == identifier.lower():
                return record
        raise VaxpassError("no authority with this id", code=ErrorCode.AUTHORITY_UNKNOWN)

    def replacing(self, record: AuthorityRecord) -> AuthorityState:
        kept = tuple(record if item.id == record.id else item for item in self.authorities)
        added = () if any(item.id == record.id for item in kept) else (record,)
        return replace(self, authorities=kept + added)


def save_authorities(state: AuthorityState, path: Path) -> None:
    body = {**asdict(state), "version": STATE_VERSION}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False))
    os.replace(temporary, path)


def load_authorities(path: Path) -> AuthorityState:
    if not path.exists():
        return AuthorityState()
    try:
        body = json.loads(path.read_text())
        if body.pop("version") != STATE_VERSION:
            raise ValueError("unsupported state version")
        ca = body["ca"]
        return AuthorityState(
            backend=body["backend"],
            ca=AuthorityCa(**ca) if ca else None,
            authorities=tuple(_record(item) for item in body["authorities"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise SigningError(
            "the authority state file is unreadable", code=ErrorCode.KEY_STATE_INVALID
        ) from exc


def _record(data: dict[str, Any]) -> AuthorityRecord:
    return AuthorityRecord(**{**data, "chain_pem": tuple(data.get("chain_pem", ()))})


def _certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


# ---------------------------------------------------------------- registry


@dataclass(frozen=True, slots=True)
class AuthorityPolicy:
    country: str = "VN"
    certificate_days: int = 730
    ca_days: int = 3650


class AuthorityRegistry:
    """The confirming authorities' certificates, the development CA and their keys."""

    def __init__(
        self, directory: Path, backend: KeyBackend, policy: AuthorityPolicy | None = None
    ) -> None:
        self.directory = directory
        self.backend = backend
        self.policy = policy or AuthorityPolicy()
        self.state_path = directory / STATE_FILE
        self.audit = AuditLog(directory / "audit.log")

    def load(self) -> AuthorityState:
        return load_authorities(self.state_path)

    def get(self, identifier: str) -> AuthorityRecord:
        return self.load().find(identifier)

    def anchors(self) -> list[x509.Certificate]:
        """Every anchor an authority chains to (the development CA and pinned roots)."""
        distinct = dict.fromkeys(record.anchor_pem for record in self.load().authorities)
        return [_certificate(pem) for pem in distinct]

    def issue(
        self,
        authority: SigningAuthority,
        *,
        name: str,
        at: datetime,
        common_name: str | None = None,
        algorithm: CoseAlgorithm = CoseAlgorithm.ES256,
    ) -> AuthorityRecord:
        """Generate the authority's key on the backend and issue its certificate."""
        organisation, holder = _checked_name(name), _checked_name(common_name or name)
        state = self._keyed_state()
        with self.backend.open() as session:
            state = self._ensure_ca(state, session, at)
            assert state.ca is not None
            label = _label("auth")
            public_key = session.generate(label, algorithm)
            certificate = self._issue_certificate(
                session, state.ca, public_key, authority, names=(organisation, holder), at=at
            )
        record = AuthorityRecord(
            id=authority_id(certificate),
            role=str(authority.kind),
            scope=authority.scope,
            name=organisation,
            origin=ISSUED,
            recorded_at=at.isoformat(),
            certificate_pem=_pem(certificate),
            anchor_pem=state.ca.certificate_pem,
            label=label,
        )
        save_authorities(state.replacing(record), self.state_path)
        self._log(AuditEvent.ISSUED, record, at)
        return record

    def import_chain(
        self,
        pem: bytes,
        anchor: x509.Certificate,
        authority: SigningAuthority,
        *,
        at: datetime,
        name: str | None = None,
    ) -> AuthorityRecord:
        """Register an externally issued certificate (leaf first, then its intermediates)."""
        certificates = _pem_chain(pem)
        leaf, intermediates = certificates[0], [c for c in certificates[1:] if c != anchor]
        try:
            path = certification_path(leaf, [anchor], at=at, intermediates=intermediates)
        except VerificationError as exc:
            raise TrustStoreError(exc.message, code=exc.code) from exc
        state = self.load()
        if any(record.id == authority_id(leaf) for record in state.authorities):
            raise TrustStoreError(
                "this certificate is already registered", code=ErrorCode.KEY_STATE_INVALID
            )
        record = AuthorityRecord(
            id=authority_id(leaf),
            role=str(authority.kind),
            scope=authority.scope,
            name=_checked_name(name or _subject_name(leaf)),
            origin=IMPORTED,
            recorded_at=at.isoformat(),
            certificate_pem=_pem(leaf),
            anchor_pem=_pem(anchor),
            chain_pem=tuple(_pem(cert) for cert in path[1:-1]),
        )
        save_authorities(state.replacing(record), self.state_path)
        self._log(AuditEvent.IMPORTED, record, at)
        return record

    def revoke(self, identifier: str, *, at: datetime, reason: str) -> AuthorityRecord:
        """Withdraw an authority's certificate: it neither signs nor verifies any more."""
        state = self.load()
        record = state.find(identifier)
        if record.revoked_at is not None:
            raise SigningError(
                "this authority is already revoked", code=ErrorCode.KEY_STATE_INVALID
            )
        revoked = replace(record, revoked_at=at.isoformat(), revocation_reason=reason)
        save_authorities(state.replacing(revoked), self.state_path)
        self._log(AuditEvent.REVOKED, revoked, at, reason=reason)
        return revoked

    @contextmanager
    def signer(self, identifier: str, *, at: datetime) -> Iterator[Signer]:
        """Open the backend and yield the authority's signer (issued authorities only)."""
        state = self._keyed_state()
        record = state.find(identifier)
        _require_usable(record, at)
        if record.label is None:
            raise SigningError(
                "an imported authority signs with its own key, not here",
                code=ErrorCode.KEY_STATE_INVALID,
            )
        with self.backend.open() as session:
            yield session.signer(record.label, record.certificate)

    def verify_confirmation(
        self,
        data: bytes,
        signature: bytes,
        identifier: str,
        *,
        at: datetime,
        authority: SigningAuthority,
    ) -> AuthorityRecord:
        """Check a confirmation by the registered authority ``identifier`` acting as
        ``authority``; raises ``VerificationError``."""
        try:
            record = self.get(identifier)
        except VaxpassError as exc:
            raise VerificationError(exc.message, code=exc.code) from exc
        if record.revoked_at is not None:
            raise VerificationError("the authority is revoked", code=ErrorCode.REVOKED)
        if record.authority != authority:
            raise _mismatch()
        verify_confirmation_signature(
            data,
            signature,
            record.certificate,
            [record.anchor],
            at=at,
            intermediates=record.intermediates,
            authority=authority if record.origin == ISSUED else None,
        )
        return record

    def _keyed_state(self) -> AuthorityState:
        state = self.load()
        if state.backend not in {None, self.backend.name}:
            raise SigningError(
                f"the authority keys were created on the {state.backend} backend, "
                f"not {self.backend.name}",
                code=ErrorCode.CONFIGURATION_INVALID,
            )
        return state

    def _ensure_ca(
        self, state: AuthorityState, session: KeySession, at: datetime
    ) -> AuthorityState:
        if state.ca is not None:
            return state
        label = _label("authca")
        public_key = session.generate(label, CoseAlgorithm.ES256)
        certificate = issue_csca_with(
            public_key,
            lambda tbs: session.sign_x509(label, tbs),
            country=self.policy.country,
            common_name=f"{self.policy.country} Authority CA (development)",
            organisation="vaxpass development",
            validity=Validity.starting(at, self.policy.ca_days),
        )
        state = replace(state, backend=self.backend.name, ca=AuthorityCa(label, _pem(certificate)))
        save_authorities(state, self.state_path)
        self.audit.append(AuditEvent.CREATED, label, at=at, details={"role": "authority-ca"})
        return state

    def _issue_certificate(
        self,
        session: KeySession,
        ca: AuthorityCa,
        public_key: PublicSigningKey,
        authority: SigningAuthority,
        *,
        names: tuple[str, str],
        at: datetime,
    ) -> x509.Certificate:
        issuer = ca.certificate
        not_after = at + timedelta(days=self.policy.certificate_days)
        if not_after > issuer.not_valid_after_utc:
            raise SigningError(
                "the authority CA expires before this certificate would",
                code=ErrorCode.KEY_STATE_INVALID,
            )
        builder = authority_certificate_builder(
            issuer, public_key, authority, country=self.policy.country, names=names
        )
        builder = builder.not_valid_before(at).not_valid_after(not_after)
        return issue_leaf_with(issuer, lambda tbs: session.sign_x509(ca.label, tbs), builder)

    def _log(self, event: AuditEvent, record: AuthorityRecord, at: datetime, **extra: str) -> None:
        details = {"role": record.role, "scope": record.scope, "origin": record.origin, **extra}
        self.audit.append(event, record.id, at=at, details=details)


def authority_certificate_builder(
    issuer: x509.Certificate,
    public_key: PublicSigningKey,
    authority: SigningAuthority,
    *,
    country: str,
    names: tuple[str, str],
) -> x509.CertificateBuilder:
    """An authority certificate's profile (validity still to set): C, O, CN and the scope in
    the subject, digitalSignature + nonRepudiation, the role as a certificate policy."""
    organisation, common_name = names
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(SCOPE_ATTRIBUTE_OID, authority.scope),
        ]
    )
    issuer_ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    policy = x509.PolicyInformation(ROLE_POLICY_OIDS[authority.kind], None)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_confirmation_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski),
            critical=False,
        )
        .add_extension(x509.CertificatePolicies([policy]), critical=False)
    )


def _confirmation_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _require_usable(record: AuthorityRecord, at: datetime) -> None:
    status = record.status(at)
    if status == "revoked":
        raise SigningError("the authority is revoked", code=ErrorCode.REVOKED)
    if status != "valid":
        raise SigningError(
            "the authority's certificate is not valid at that time",
            code=ErrorCode.SIGNER_CERTIFICATE_NOT_VALID,
        )


def _pem_chain(pem: bytes) -> list[x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TrustStoreError("not a PEM certificate chain") from exc
    return certificates


def _subject_name(certificate: x509.Certificate) -> str:
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        values = certificate.subject.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return authority_id(certificate)


def _checked_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(f"a name must have 1 to {MAX_NAME_LENGTH} characters")
    return cleaned


def _label(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"
