"""Certificate profiles of the EU DCC PKI: the country signing CA (CSCA) and document signer
certificates (DSC) with the key-usage OIDs that bind a DSC to certificate types."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

PublicSigningKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


class CertificateType(StrEnum):
    """The DCC entry kinds a signer certificate may be restricted to."""

    TEST = "t"
    VACCINATION = "v"
    RECOVERY = "r"


# Extended key usage OIDs of the EU DCC (and the legacy arc some early signers used).
KEY_USAGE_OIDS: dict[CertificateType, tuple[str, ...]] = {
    CertificateType.TEST: ("1.3.6.1.4.1.1847.2021.1.1", "1.3.6.1.4.1.0.1847.2021.1.1"),
    CertificateType.VACCINATION: ("1.3.6.1.4.1.1847.2021.1.2", "1.3.6.1.4.1.0.1847.2021.1.2"),
    CertificateType.RECOVERY: ("1.3.6.1.4.1.1847.2021.1.3", "1.3.6.1.4.1.0.1847.2021.1.3"),
}


def certificate_types_allowed(certificate: x509.Certificate) -> frozenset[CertificateType]:
    """The entry kinds a DSC may sign: those named by its DCC EKU OIDs, or all when it has none."""
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return frozenset(CertificateType)
    present = {oid.dotted_string for oid in usages}
    allowed = frozenset(kind for kind, oids in KEY_USAGE_OIDS.items() if present.intersection(oids))
    return allowed or frozenset(CertificateType)


@dataclass(frozen=True, slots=True)
class Validity:
    not_before: datetime
    not_after: datetime

    @classmethod
    def starting(cls, at: datetime, days: int) -> Validity:
        return cls(at, at + timedelta(days=days))


def _name(country: str, common_name: str, organisation: str | None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def issue_csca(
    key: CertificateIssuerPrivateKeyTypes,
    *,
    country: str,
    common_name: str,
    validity: Validity,
    organisation: str | None = None,
) -> x509.Certificate:
    """A self-signed country signing CA certificate (the offline trust anchor)."""
    subject = _name(country, common_name, organisation)
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity.not_before)
        .not_valid_after(validity.not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    return builder.sign(key, _digest_for(key))


def issue_dsc(
    csca_key: CertificateIssuerPrivateKeyTypes,
    csca: x509.Certificate,
    public_key: PublicSigningKey,
    *,
    common_name: str,
    validity: Validity,
    types: Iterable[CertificateType] = (),
    organisation: str | None = None,
) -> x509.Certificate:
    """A document signer certificate issued by ``csca`` (EU DCC profile).

    ``types`` restricts the DSC to entry kinds through EKU OIDs; empty means it may sign all.
    """
    country = csca.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(str(country), common_name, organisation))
        .issuer_name(csca.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity.not_before)
        .not_valid_after(validity.not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(_authority_key_identifier(csca), critical=False)
    )
    usage_oids = [x509.ObjectIdentifier(KEY_USAGE_OIDS[kind][0]) for kind in sorted(set(types))]
    if usage_oids:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage_oids), critical=False)
    return builder.sign(csca_key, _digest_for(csca_key))


def _authority_key_identifier(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _digest_for(key: CertificateIssuerPrivateKeyTypes) -> hashes.SHA256:
    return hashes.SHA256()
