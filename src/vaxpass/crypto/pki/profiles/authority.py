"""Certificate profiles of the authorities that confirm batches: the development authority CA
and the authority certificates, which name their role with a certificate policy
(``ROLE_POLICY_OIDS``) and their scope with a subject attribute (``SCOPE_ATTRIBUTE_OID``)."""

from __future__ import annotations

from cryptography import x509

from vaxpass.crypto.pki.profiles.building import (
    VAXPASS_ARC,
    PublicSigningKey,
    Validity,
    end_entity,
    identified,
    key_usage,
    subject_name,
)
from vaxpass.crypto.pki.profiles.dcc import csca_builder
from vaxpass.domain.facility import AuthorityKind, SigningAuthority

ROLE_POLICY_OIDS: dict[AuthorityKind, x509.ObjectIdentifier] = {
    AuthorityKind.FACILITY_HEAD: x509.ObjectIdentifier(f"{VAXPASS_ARC}.1.1"),
    AuthorityKind.DOH: x509.ObjectIdentifier(f"{VAXPASS_ARC}.1.2"),
    AuthorityKind.CDC: x509.ObjectIdentifier(f"{VAXPASS_ARC}.1.3"),
    AuthorityKind.DPM: x509.ObjectIdentifier(f"{VAXPASS_ARC}.1.4"),
}
SCOPE_ATTRIBUTE_OID = x509.ObjectIdentifier(f"{VAXPASS_ARC}.2.1")


def authority_ca_builder(
    public_key: PublicSigningKey, *, country: str, validity: Validity
) -> x509.CertificateBuilder:
    """The development authority CA: the CSCA profile under its own name."""
    return csca_builder(
        public_key,
        country=country,
        common_name=f"{country} Authority CA (development)",
        organisation="vaxpass development",
        validity=validity,
    )


def authority_builder(
    ca: x509.Certificate,
    public_key: PublicSigningKey,
    authority: SigningAuthority,
    *,
    country: str,
    names: tuple[str, str],
    validity: Validity,
) -> x509.CertificateBuilder:
    """An authority certificate: C, O, CN and the scope in the subject, digitalSignature +
    nonRepudiation, the role as a certificate policy. ``names`` is (organisation, holder)."""
    organisation, common_name = names
    scope = x509.NameAttribute(SCOPE_ATTRIBUTE_OID, authority.scope)
    subject = subject_name(country, common_name, organisation, scope)
    usage = key_usage(digital_signature=True, non_repudiation=True)
    builder = identified(end_entity(ca, subject, public_key, validity, usage), ca, public_key)
    policy = x509.PolicyInformation(ROLE_POLICY_OIDS[authority.kind], None)
    return builder.add_extension(x509.CertificatePolicies([policy]), critical=False)


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
