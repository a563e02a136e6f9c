"""Authority certificates: issued by the development CA or imported, confirmations verified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pki_support import T0, days, software_manager
from vaxpass.crypto.keystore import SoftwareKeyStore
from vaxpass.crypto.pki.authorities import (
    IMPORTED,
    AuthorityRecord,
    AuthorityRegistry,
    authority_for,
    verify_confirmation_signature,
)
from vaxpass.crypto.pki.profiles import (
    ROLE_POLICY_OIDS,
    SCOPE_ATTRIBUTE_OID,
    certified_authority,
    key_usage,
)
from vaxpass.crypto.software import SoftwareSigner
from vaxpass.domain.facility import AuthorityKind, SigningAuthority
from vaxpass.errors import (
    ErrorCode,
    SigningError,
    TrustStoreError,
    ValidationError,
    VerificationError,
)

AT = T0 + days(1)
HANOI_DOH = SigningAuthority(AuthorityKind.DOH, "01")
FAR = T0 + days(3650)
BATCH = b"confirmation of batch 2026-01-02/0001: 3,000 records"


@pytest.fixture
def registry(tmp_path: Path) -> AuthorityRegistry:
    return AuthorityRegistry(tmp_path, SoftwareKeyStore(tmp_path, b"test passphrase"))


@pytest.fixture
def issued(registry: AuthorityRegistry) -> AuthorityRecord:
    return registry.issue(HANOI_DOH, name="Sở Y tế Hà Nội", at=T0)


def sign(registry: AuthorityRegistry, record: AuthorityRecord, data: bytes = BATCH) -> bytes:
    with registry.signer(record.id, at=AT) as signer:
        return signer.sign(data)


def failure(action: type[Exception], call: object, *args: object, **kwargs: object) -> ErrorCode:
    assert callable(call)
    with pytest.raises(action) as raised:
        call(*args, **kwargs)
    error = raised.value
    assert isinstance(error, VerificationError | TrustStoreError | SigningError)
    return error.code


# ---------------------------------------------------------------- an external PKI


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ban Cơ yếu Chính phủ (test)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, ca: bool, non_repudiation: bool = True) -> x509.KeyUsage:
    return key_usage(
        digital_signature=not ca,
        non_repudiation=not ca and non_repudiation,
        certificate_signing=ca,
    )


@dataclass(frozen=True)
class Issuer:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: Issuer | None,
    *,
    ca: bool,
    non_repudiation: bool = True,
    not_after: datetime = FAR,
) -> x509.Certificate:
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.certificate.subject if issuer else _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(T0 - days(1))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_usage(ca=ca, non_repudiation=non_repudiation), critical=True)
    )
    return builder.sign(signing_key, hashes.SHA256())


def ca(subject: str, issuer: Issuer | None = None) -> Issuer:
    key = ec.generate_private_key(ec.SECP256R1())
    return Issuer(key, certificate(subject, key, issuer, ca=True))


@dataclass(frozen=True)
class Holder:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def holder(issuer: Issuer, *, non_repudiation: bool = True, not_after: datetime = FAR) -> Holder:
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = certificate(
        "Nguyễn Văn A", key, issuer, ca=False, non_repudiation=non_repudiation, not_after=not_after
    )
    return Holder(key, leaf)


@dataclass(frozen=True)
class GovernmentPki:
    root: Issuer
    intermediate: Issuer
    other_root: Issuer

    def pem(self, *certificates: x509.Certificate) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


@pytest.fixture(scope="module")
def pki() -> GovernmentPki:
    root = ca("Root CA")
    return GovernmentPki(root, ca("Sub CA", root), ca("Other Root"))


# ---------------------------------------------------------------- issued certificates


def test_issued_certificate_names_role_and_scope_with_confirmation_key_usage(
    tmp_path: Path, issued: AuthorityRecord
) -> None:
    cert = issued.certificate
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Sở Y tế Hà Nội"
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Sở Y tế Hà Nội"
    assert subject.get_attributes_for_oid(SCOPE_ATTRIBUTE_OID)[0].value == "01"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier for p in policies] == [ROLE_POLICY_OIDS[AuthorityKind.DOH]]
    assert certified_authority(cert) == HANOI_DOH
    cert.verify_directly_issued_by(issued.anchor)
    # The development authority CA is not the CSCA, and its key is another one.
    csca = software_manager(tmp_path / "keys").load().csca.certificate
    assert issued.anchor.public_key() != csca.public_key()


def test_scopes_are_checked_per_role() -> None:
    assert authority_for("facility_head", "BV-BACHMAI") == SigningAuthority(
        AuthorityKind.FACILITY_HEAD, "BV-BACHMAI"
    )
    assert authority_for("cdc", "79") == SigningAuthority(AuthorityKind.CDC, "79")
    assert authority_for("dpm", "national") == SigningAuthority(AuthorityKind.DPM, "VN")
    for role, scope in (("doh", "99"), ("doh", "national"), ("dpm", "01"), ("mayor", "01")):
        with pytest.raises(ValidationError):
            authority_for(role, scope)


def test_issued_authority_signs_a_confirmation_that_verifies(
    registry: AuthorityRegistry, issued: AuthorityRecord
) -> None:
    signature = sign(registry, issued)
    assert registry.verify_confirmation(BATCH, signature, issued.id, at=AT, authority=HANOI_DOH)
    path = verify_confirmation_signature(
        BATCH, signature, issued.certificate, registry.anchors(), at=AT, authority=HANOI_DOH
    )
    assert path == [issued.certificate, issued.anchor]
    code = failure(
        VerificationError,
        registry.verify_confirmation,
        BATCH + b" and one more",
        signature,
        issued.id,
        at=AT,
        authority=HANOI_DOH,
    )
    assert code is ErrorCode.SIGNATURE_INVALID


@pytest.mark.parametrize(
    "claimed",
    [SigningAuthority(AuthorityKind.CDC, "01"), SigningAuthority(AuthorityKind.DOH, "79")],
    ids=["wrong-role", "wrong-scope"],
)
def test_a_confirmation_for_another_role_or_scope_is_rejected(
    registry: AuthorityRegistry, issued: AuthorityRecord, claimed: SigningAuthority
) -> None:
    signature = sign(registry, issued)
    code = failure(
        VerificationError,
        registry.verify_confirmation,
        BATCH,
        signature,
        issued.id,
        at=AT,
        authority=claimed,
    )
    assert code is ErrorCode.AUTHORITY_SCOPE_MISMATCH
    # The certificate itself says which role and scope it is for.
    code = failure(
        VerificationError,
        verify_confirmation_signature,
        BATCH,
        signature,
        issued.certificate,
        [issued.anchor],
        at=AT,
        authority=claimed,
    )
    assert code is ErrorCode.AUTHORITY_SCOPE_MISMATCH


def assert_refused(
    registry: AuthorityRegistry,
    record: AuthorityRecord,
    signature: bytes,
    *,
    at: datetime,
    code: ErrorCode,
) -> None:
    """Neither its confirmations verify nor does it sign, both with ``code``."""
    verify = registry.verify_confirmation
    args = (BATCH, signature, record.id)
    assert failure(VerificationError, verify, *args, at=at, authority=HANOI_DOH) is code
    with pytest.raises(SigningError) as raised, registry.signer(record.id, at=at):
        pass
    assert raised.value.code is code


def test_an_expired_authority_neither_signs_nor_verifies(
    registry: AuthorityRegistry, issued: AuthorityRecord
) -> None:
    signature = sign(registry, issued)
    later = issued.certificate.not_valid_after_utc + days(1)
    assert issued.status(later) == "expired"
    assert_refused(
        registry, issued, signature, at=later, code=ErrorCode.SIGNER_CERTIFICATE_NOT_VALID
    )


def test_a_revoked_authority_is_rejected(
    registry: AuthorityRegistry, issued: AuthorityRecord
) -> None:
    signature = sign(registry, issued)
    registry.revoke(issued.id, at=AT, reason="key-compromise")
    assert_refused(registry, issued, signature, at=AT, code=ErrorCode.REVOKED)
    code = failure(SigningError, registry.revoke, issued.id, at=AT, reason="again")
    assert code is ErrorCode.KEY_STATE_INVALID
    assert registry.get(issued.id).status(AT) == "revoked"


def test_an_unknown_authority_is_rejected(registry: AuthorityRegistry) -> None:
    code = failure(
        VerificationError,
        registry.verify_confirmation,
        BATCH,
        b"",
        "00" * 8,
        at=AT,
        authority=HANOI_DOH,
    )
    assert code is ErrorCode.AUTHORITY_UNKNOWN


def test_authority_keys_are_encrypted_at_rest_and_events_audited(
    registry: AuthorityRegistry, issued: AuthorityRecord, pki: GovernmentPki
) -> None:
    second = registry.issue(
        SigningAuthority(AuthorityKind.FACILITY_HEAD, "BV-BACHMAI"),
        name="Bệnh viện Bạch Mai",
        common_name="Giám đốc",
        at=AT,
    )
    assert second.anchor == issued.anchor  # one development CA
    person = holder(pki.intermediate)
    pem = pki.pem(person.certificate, pki.intermediate.certificate)
    imported = registry.import_chain(pem, pki.root.certificate, HANOI_DOH, at=AT)
    registry.revoke(second.id, at=AT, reason="left office")
    keys = list(registry.directory.glob("*.key.pem"))
    assert len(keys) == 3  # the CA and the two issued authorities
    assert all(b"ENCRYPTED PRIVATE KEY" in key.read_bytes() for key in keys)
    entries = registry.audit.entries()
    assert [(entry.event, entry.details.get("role")) for entry in entries] == [
        ("created", "authority-ca"),
        ("issued", "doh"),
        ("issued", "facility_head"),
        ("imported", "doh"),
        ("revoked", "facility_head"),
    ]
    assert entries[3].subject == imported.id
    assert registry.audit.verify() == 5


# ---------------------------------------------------------------- imported certificates


def test_an_imported_chain_is_checked_and_its_holders_signature_verifies(
    registry: AuthorityRegistry, pki: GovernmentPki
) -> None:
    person = holder(pki.intermediate)
    pem = pki.pem(person.certificate, pki.intermediate.certificate, pki.root.certificate)
    record = registry.import_chain(pem, pki.root.certificate, HANOI_DOH, at=AT)
    assert record.origin == IMPORTED
    assert record.name == "Ban Cơ yếu Chính phủ (test)"
    assert record.intermediates == [pki.intermediate.certificate]
    signature = SoftwareSigner(person.key, person.certificate).sign(BATCH)
    assert registry.verify_confirmation(BATCH, signature, record.id, at=AT, authority=HANOI_DOH)
    code = failure(
        VerificationError,
        registry.verify_confirmation,
        BATCH,
        signature,
        record.id,
        at=AT,
        authority=SigningAuthority(AuthorityKind.CDC, "01"),
    )
    assert code is ErrorCode.AUTHORITY_SCOPE_MISMATCH
    # The holder's key is not here: the registry cannot sign for it.
    with pytest.raises(SigningError) as raised, registry.signer(record.id, at=AT):
        pass
    assert raised.value.code is ErrorCode.KEY_STATE_INVALID
    assert pki.root.certificate in registry.anchors()


def _bad_chains(pki: GovernmentPki) -> dict[str, tuple[bytes, ErrorCode]]:
    stranger = holder(pki.other_root)
    no_nr = holder(pki.intermediate, non_repudiation=False)
    expired = holder(pki.intermediate, not_after=T0)
    good = holder(pki.intermediate)
    not_a_ca = holder(Issuer(good.key, good.certificate))
    return {
        "other-root": (pki.pem(stranger.certificate), ErrorCode.AUTHORITY_UNTRUSTED),
        "missing-intermediate": (pki.pem(good.certificate), ErrorCode.AUTHORITY_UNTRUSTED),
        "issuer-not-a-ca": (
            pki.pem(not_a_ca.certificate, good.certificate, pki.intermediate.certificate),
            ErrorCode.AUTHORITY_UNTRUSTED,
        ),
        "no-non-repudiation": (
            pki.pem(no_nr.certificate, pki.intermediate.certificate),
            ErrorCode.KEY_USAGE_MISMATCH,
        ),
        "ca-as-leaf": (pki.pem(pki.intermediate.certificate), ErrorCode.AUTHORITY_UNTRUSTED),
        "expired": (
            pki.pem(expired.certificate, pki.intermediate.certificate),
            ErrorCode.SIGNER_CERTIFICATE_NOT_VALID,
        ),
        "not-pem": (b"not a certificate", ErrorCode.TRUST_STORE_INVALID),
    }


@pytest.mark.parametrize(
    "case",
    [
        "other-root",
        "missing-intermediate",
        "issuer-not-a-ca",
        "no-non-repudiation",
        "ca-as-leaf",
        "expired",
        "not-pem",
    ],
)
def test_a_bad_chain_is_not_imported(
    registry: AuthorityRegistry, pki: GovernmentPki, case: str
) -> None:
    pem, expected = _bad_chains(pki)[case]
    code = failure(
        TrustStoreError, registry.import_chain, pem, pki.root.certificate, HANOI_DOH, at=AT
    )
    assert code is expected
    assert registry.load().authorities == ()
