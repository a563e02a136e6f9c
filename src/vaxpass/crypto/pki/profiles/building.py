"""The parts every certificate profile is built from: validity, key usage, names, the
end-entity skeleton and key identifiers, and signing a builder with a key held here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Concatenate, ParamSpec

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

PublicSigningKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

# vaxpass's private OID arc, UUID-based (ITU-T X.667, ``2.25.<UUID>``): unique without a
# registration. ``.1.*`` authority roles, ``.2.*`` subject attributes, ``.3.*`` extended key usages.
VAXPASS_ARC = "2.25.61099775348781302794746072467738992303"
_Profile = ParamSpec("_Profile")


@dataclass(frozen=True, slots=True)
class Validity:
    not_before: datetime
    not_after: datetime

    @classmethod
    def starting(cls, at: datetime, days: int) -> Validity:
        return cls(at, at + timedelta(days=days))


def key_usage(
    *,
    digital_signature: bool = False,
    non_repudiation: bool = False,
    certificate_signing: bool = False,
) -> x509.KeyUsage:
    """A keyUsage with only the given flags; ``certificate_signing`` is keyCertSign + cRLSign."""
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certificate_signing,
        crl_sign=certificate_signing,
        encipher_only=False,
        decipher_only=False,
    )


def subject_name(
    country: str,
    common_name: str,
    organisation: str | None = None,
    *extra: x509.NameAttribute[str],
) -> x509.Name:
    """``C``, ``O`` (when given), ``CN``, then any ``extra`` attributes."""
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name([*attributes, *extra])


def country_of(certificate: x509.Certificate) -> str:
    return str(certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value)


def dated(builder: x509.CertificateBuilder, validity: Validity) -> x509.CertificateBuilder:
    return builder.not_valid_before(validity.not_before).not_valid_after(validity.not_after)


def end_entity(
    issuer: x509.Certificate,
    subject: x509.Name,
    public_key: PublicSigningKey,
    validity: Validity,
    usage: x509.KeyUsage,
) -> x509.CertificateBuilder:
    """A non-CA certificate issued by ``issuer`` with the critical key ``usage``."""
    return (
        dated(x509.CertificateBuilder(), validity)
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
    )


def identified(
    builder: x509.CertificateBuilder, issuer: x509.Certificate, public_key: PublicSigningKey
) -> x509.CertificateBuilder:
    """Add the subject key identifier and the authority key identifier (= the issuer's SKI)."""
    issuer_ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False
    ).add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski), critical=False
    )


def sign_locally(
    builder: x509.CertificateBuilder, issuer_key: CertificateIssuerPrivateKeyTypes
) -> x509.Certificate:
    """Sign ``builder`` with a private key held in this process (SHA-256)."""
    return builder.sign(issuer_key, hashes.SHA256())


def signed_locally(
    build: Callable[_Profile, x509.CertificateBuilder],
) -> Callable[Concatenate[CertificateIssuerPrivateKeyTypes, _Profile], x509.Certificate]:
    """Turn a profile's builder into a function that issues the certificate with a private key
    held in this process, given first."""

    def issue(
        issuer_key: CertificateIssuerPrivateKeyTypes,
        /,
        *args: _Profile.args,
        **kwargs: _Profile.kwargs,
    ) -> x509.Certificate:
        return sign_locally(build(*args, **kwargs), issuer_key)

    return issue
