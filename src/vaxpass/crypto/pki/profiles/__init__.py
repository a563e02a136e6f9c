"""Certificate profiles: every certificate vaxpass issues is built here, once.

Each ``*_builder`` returns an unsigned ``x509.CertificateBuilder`` — CSCA, DSC and trust-list
signer (``dcc``), development authority CA and authority certificates (``authority``) — which is
signed either with a key held in this process (``sign_locally``; ``issue_csca`` / ``issue_dsc``
for tests and benchmarks) or with a key that stays in its backend
(``crypto.pki.issuance.issue_in_backend``).
"""

from vaxpass.crypto.pki.profiles.authority import (
    ROLE_POLICY_OIDS,
    SCOPE_ATTRIBUTE_OID,
    authority_builder,
    authority_ca_builder,
    certified_authority,
)
from vaxpass.crypto.pki.profiles.building import (
    VAXPASS_ARC,
    PublicSigningKey,
    Validity,
    key_usage,
    sign_locally,
)
from vaxpass.crypto.pki.profiles.dcc import (
    KEY_USAGE_OIDS,
    TRUST_LIST_SIGNER_OID,
    CertificateType,
    certificate_types_allowed,
    csca_builder,
    dsc_builder,
    is_trust_list_signer,
    issue_csca,
    issue_dsc,
    trust_list_signer_builder,
)

__all__ = [
    "KEY_USAGE_OIDS",
    "ROLE_POLICY_OIDS",
    "SCOPE_ATTRIBUTE_OID",
    "TRUST_LIST_SIGNER_OID",
    "VAXPASS_ARC",
    "CertificateType",
    "PublicSigningKey",
    "Validity",
    "authority_builder",
    "authority_ca_builder",
    "certificate_types_allowed",
    "certified_authority",
    "csca_builder",
    "dsc_builder",
    "is_trust_list_signer",
    "issue_csca",
    "issue_dsc",
    "key_usage",
    "sign_locally",
    "trust_list_signer_builder",
]
