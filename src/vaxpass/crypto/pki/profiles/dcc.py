"""EU DCC certificate profiles: the country signing CA (CSCA), document signer certificates
(DSC) with the key-usage OIDs that bind a DSC to certificate types, and the trust-list signer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes

from vaxpass.crypto.pki.profiles.building import (
    VAXPASS_ARC,
    PublicSigningKey,
    Validity,
    country_of,
    dated,
    end_entity,
    identified,
    key_usage,
    sign_locally,
    signed_locally,
    subject_name,
)


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

# The extended key usage of the trust-list signer (vaxpass arc, ``.3.1``): only a certificate
# carrying it — and no DCC usage above — may sign trust lists and revocation lists.
TRUST_LIST_SIGNER_OID = x509.ObjectIdentifier(f"{VAXPASS_ARC}.3.1")
DCC_USAGE_OIDS = frozenset(oid for oids in KEY_USAGE_OIDS.values() for oid in oids)


def csca_builder(
    public_key: PublicSigningKey,
    *,
    country: str,
    common_name: str,
    validity: Validity,
    organisation: str | None = None,
) -> x509.CertificateBuilder:
    """A self-signed CA: the CSCA (the offline trust anchor), or the authority CA."""
    subject = subject_name(country, common_name, organisation)
    return (
        dated(x509.CertificateBuilder(), validity)
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(key_usage(certificate_signing=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def dsc_builder(
    csca: x509.Certificate,
    public_key: PublicSigningKey,
    *,
    common_name: str,
    validity: Validity,
    types: Iterable[CertificateType] = (),
    organisation: str | None = None,
) -> x509.CertificateBuilder:
    """A document signer certificate issued by ``csca`` (EU DCC profile).

    ``types`` restricts the DSC to entry kinds through EKU OIDs; empty means it may sign all.
    """
    subject = subject_name(country_of(csca), common_name, organisation)
    usage = key_usage(digital_signature=True)
    builder = identified(end_entity(csca, subject, public_key, validity, usage), csca, public_key)
    usage_oids = [x509.ObjectIdentifier(KEY_USAGE_OIDS[kind][0]) for kind in sorted(set(types))]
    if usage_oids:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage_oids), critical=False)
    return builder


def trust_list_signer_builder(
    csca: x509.Certificate, public_key: PublicSigningKey, *, not_before: datetime
) -> x509.CertificateBuilder:
    """The signer of every published list: digitalSignature only, the trust-list signer EKU
    (``TRUST_LIST_SIGNER_OID``, which no DSC carries), valid as long as the CSCA."""
    country = country_of(csca)
    subject = subject_name(country, f"{country} Trust List Signer")
    validity = Validity(not_before, csca.not_valid_after_utc)
    builder = end_entity(csca, subject, public_key, validity, key_usage(digital_signature=True))
    usage = x509.ExtendedKeyUsage([TRUST_LIST_SIGNER_OID])
    return builder.add_extension(usage, critical=False)


def is_trust_list_signer(certificate: x509.Certificate) -> bool:
    """Whether ``certificate`` has the trust-list signer EKU, no DCC EKU and is no CA."""
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    present = {oid.dotted_string for oid in usages}
    if TRUST_LIST_SIGNER_OID.dotted_string not in present or present & DCC_USAGE_OIDS:
        return False
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return True
    except ValueError:
        return False
    return not constraints.ca


def certificate_types_allowed(certificate: x509.Certificate) -> frozenset[CertificateType]:
    """The entry kinds a DSC may sign: those named by its DCC EKU OIDs, or all when it names
    none (no EKU, an empty one, or only other usages).

    An EKU that cannot be read means "none", so a damaged certificate never widens what it may
    sign; a malformed *other* extension does not matter.
    """
    present = _extended_key_usages(certificate)
    if present is None:
        return frozenset()
    allowed = frozenset(kind for kind, oids in KEY_USAGE_OIDS.items() if present.intersection(oids))
    return allowed or frozenset(CertificateType)


def _extended_key_usages(certificate: x509.Certificate) -> frozenset[str] | None:
    """The EKU OIDs (empty when there is no EKU); ``None`` when the EKU cannot be parsed."""
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return frozenset()
    except ValueError:
        # cryptography parses all extensions at once and rejects the lot when any one breaks
        # DER (issued DSCs carry an empty EKU or a BasicConstraints with an encoded default):
        # read the EKU alone, leniently.
        return _extended_key_usages_leniently(certificate)
    return frozenset(oid.dotted_string for oid in usages)


def _extended_key_usages_leniently(certificate: x509.Certificate) -> frozenset[str] | None:
    try:
        tbs = asn1_x509.TbsCertificate.load(certificate.tbs_certificate_bytes)
        for extension in tbs["extensions"] or ():
            if extension["extn_id"].dotted == _EXTENDED_KEY_USAGE_OID:
                return frozenset(oid.dotted for oid in extension["extn_value"].parsed or ())
    except (ValueError, TypeError, KeyError):
        return None
    return frozenset()


_EXTENDED_KEY_USAGE_OID = "2.5.29.37"


def issue_csca(
    key: CertificateIssuerPrivateKeyTypes,
    *,
    country: str,
    common_name: str,
    validity: Validity,
    organisation: str | None = None,
) -> x509.Certificate:
    """A self-signed CSCA certificate signed with a key held here (tests, benchmarks)."""
    public_key = key.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey)
    builder = csca_builder(
        public_key,
        country=country,
        common_name=common_name,
        validity=validity,
        organisation=organisation,
    )
    return sign_locally(builder, key)


# A DSC issued by a CSCA whose key is held here (tests, benchmarks):
# ``issue_dsc(csca_key, csca, public_key, common_name=…, validity=…, types=…)``.
issue_dsc = signed_locally(dsc_builder)
