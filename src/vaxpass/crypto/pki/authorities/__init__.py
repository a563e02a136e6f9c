"""Certificates of the authorities that confirm batches of records.

Who confirms (Decision 5772/QĐ-BYT): the head of a vaccination facility (``facility_head``, scope:
the facility code), a provincial Department of Health or CDC (``doh`` / ``cdc``, scope: the
province's GSO code) or the Department of Preventive Medicine (``dpm``, scope ``VN``: national).

An authority certificate comes from one of two places:

- **issued**: a development authority CA (its own key on the configured backend, apart from the
  CSCA) issues it, and the authority's key is generated on the same backend; it signs
  confirmations through ``AuthorityRegistry.signer``. The certificate names its role with a
  certificate policy and its scope with a subject attribute.
- **imported**: a chain from an external PKI (the government PKI, a licensed CA), checked against
  a pinned anchor; role and scope are bound to it here, and its key stays with its holder.

``verify_confirmation_signature`` is what batch confirmation calls: the certificate must chain to
an anchor, every certificate on the path be valid at ``at``, the leaf allow digitalSignature and
nonRepudiation, name the expected role and scope, and the signature verify. It raises
``VerificationError`` (with a stable code) and never returns a false verdict.

Modules: ``identity`` (role, scope, id, names), ``chain`` (certification paths, import files),
``confirmation`` (signature verification), ``development_ca`` (the CA and what it issues),
``state`` (``authorities.json`` under the keys directory) and ``registry`` (all of it, with the
audit log). The certificate profiles themselves are in ``crypto.pki.profiles``.
"""

from __future__ import annotations

from vaxpass.crypto.pki.authorities.chain import (
    MAX_INTERMEDIATES,
    certification_path,
    imported_path,
    require_signing_profile,
)
from vaxpass.crypto.pki.authorities.confirmation import (
    verify_confirmation_signature,
    verify_registered_confirmation,
)
from vaxpass.crypto.pki.authorities.development_ca import AuthorityPolicy
from vaxpass.crypto.pki.authorities.identity import (
    MAX_NAME_LENGTH,
    NATIONAL_SCOPE,
    authority_for,
    authority_id,
)
from vaxpass.crypto.pki.authorities.registry import AuthorityRegistry
from vaxpass.crypto.pki.authorities.state import (
    IMPORTED,
    ISSUED,
    STATE_FILE,
    AuthorityCa,
    AuthorityRecord,
    AuthorityState,
    load_authorities,
    save_authorities,
)

__all__ = [
    "IMPORTED",
    "ISSUED",
    "MAX_INTERMEDIATES",
    "MAX_NAME_LENGTH",
    "NATIONAL_SCOPE",
    "STATE_FILE",
    "AuthorityCa",
    "AuthorityPolicy",
    "AuthorityRecord",
    "AuthorityRegistry",
    "AuthorityState",
    "authority_for",
    "authority_id",
    "certification_path",
    "imported_path",
    "load_authorities",
    "require_signing_profile",
    "save_authorities",
    "verify_confirmation_signature",
    "verify_registered_confirmation",
]
