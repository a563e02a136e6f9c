"""Signed JSON lists (trust lists, JWKS, revocation lists): one envelope for all of them.

The signature covers the canonical JSON (sorted keys, no spaces, UTF-8) of the whole document
except ``listSignature``, which holds the algorithm, the signer's certificate (issued by the
CSCA) and the COSE-form signature. Plain consumers ignore the extra members.

The signer must be the trust-list signer: its certificate carries the trust-list signer EKU
(``TRUST_LIST_SIGNER_OID``) and no DCC EKU, is no CA, and is not listed as a DSC (trust-list
entry, JWK or revoked kid) in the list it signs. A DSC key can therefore never sign a list.

A pinned anchor only counts when it is itself fit to issue: valid at the verification time, a CA
(BasicConstraints ``ca=True``; any path length, as the signer is issued directly) and, when it
carries KeyUsage, with ``keyCertSign``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from vaxpass.crypto.keys import kid_for_certificate, verify_signature
from vaxpass.crypto.pki.audit import canonical_json
from vaxpass.crypto.pki.profiles import is_trust_list_signer
from vaxpass.crypto.signer import CoseAlgorithm, Signer
from vaxpass.errors import ErrorCode, TrustStoreError

LIST_SIGNATURE = "listSignature"


def sign_list(
    body: Mapping[str, Any], signer: Signer, certificate: x509.Certificate
) -> dict[str, Any]:
    unsigned = {key: value for key, value in body.items() if key != LIST_SIGNATURE}
    signature = signer.sign(canonical_json(unsigned))
    der = certificate.public_bytes(serialization.Encoding.DER)
    envelope = {
        "alg": signer.algorithm.name,
        "certificate": base64.b64encode(der).decode(),
        "value": base64.b64encode(signature).decode(),
    }
    return {**unsigned, LIST_SIGNATURE: envelope}


def verify_list(
    document: Any, anchors: Sequence[x509.Certificate] | None, *, at: datetime
) -> x509.Certificate:
    """Check a signed list; return its signer's certificate or raise ``TrustStoreError``.

    The signer must be a trust-list signer (EKU) not listed as a DSC in the document. With
    ``anchors`` it must also be issued by one of them and valid at ``at``, and that anchor must
    be fit to issue at ``at`` (see the module notes); without, only the list's integrity and its
    signer's profile are checked.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get(LIST_SIGNATURE), Mapping):
        raise _error(ErrorCode.TRUST_LIST_UNSIGNED, "the list is not signed")
    envelope = document[LIST_SIGNATURE]
    certificate, algorithm, signature = _envelope(envelope)
    if not is_trust_list_signer(certificate):
        raise _error(
            ErrorCode.TRUST_LIST_UNTRUSTED, "the list signer is not a trust-list signer (EKU)"
        )
    if _listed_as_dsc(document, certificate):
        raise _error(ErrorCode.TRUST_LIST_UNTRUSTED, "the list signer is listed as a DSC")
    if anchors is not None:
        require_chain(certificate, anchors, at=at)
    unsigned = {key: value for key, value in document.items() if key != LIST_SIGNATURE}
    if not verify_signature(
        algorithm, certificate.public_key(), canonical_bytes(unsigned), signature
    ):
        raise _error(ErrorCode.TRUST_LIST_SIGNATURE_INVALID, "the list signature does not verify")
    return certificate


def require_chain(
    certificate: x509.Certificate, anchors: Sequence[x509.Certificate], *, at: datetime
) -> x509.Certificate:
    """The anchor that issued ``certificate`` (both valid at ``at``, the anchor fit to issue
    certificates), else ``TRUST_LIST_UNTRUSTED``."""
    if not certificate.not_valid_before_utc <= at < certificate.not_valid_after_utc:
        raise _error(ErrorCode.TRUST_LIST_UNTRUSTED, "a certificate is outside its validity")
    issuers = [anchor for anchor in anchors if issuer_among(certificate, [anchor]) is not None]
    if not issuers:
        raise _error(
            ErrorCode.TRUST_LIST_UNTRUSTED, "a certificate is not issued by a pinned anchor"
        )
    problems = [_anchor_problem(anchor, at) for anchor in issuers]
    for anchor, problem in zip(issuers, problems, strict=True):
        if problem is None:
            return anchor
    raise _error(ErrorCode.TRUST_LIST_UNTRUSTED, f"the issuing pinned anchor {problems[0]}")


def _anchor_problem(anchor: x509.Certificate, at: datetime) -> str | None:
    """Why ``anchor`` may not issue certificates at ``at``, or ``None`` when it may."""
    if not anchor.not_valid_before_utc <= at < anchor.not_valid_after_utc:
        return "is outside its validity"
    try:
        constraints = anchor.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return "is not a CA (no BasicConstraints)"
    except ValueError:
        return "has unreadable extensions"
    if not constraints.ca:
        return "is not a CA"
    if constraints.path_length is not None and constraints.path_length < 0:
        return "has an invalid path length"
    try:
        usage = anchor.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:
        return "has unreadable extensions"
    if not usage.key_cert_sign:
        return "may not sign certificates (no keyCertSign)"
    return None


def issuer_among(
    certificate: x509.Certificate, candidates: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    """The first of ``candidates`` whose key signed ``certificate`` (names matching), if any."""
    for candidate in candidates:
        try:
            certificate.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return candidate
    return None


def canonical_bytes(value: Any) -> bytes:
    """``canonical_json`` of untrusted input: text that is no valid UTF-8 (a lone surrogate)
    is ``TRUST_STORE_INVALID``, never an unhandled exception."""
    try:
        return canonical_json(value)
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        raise _error(ErrorCode.TRUST_STORE_INVALID, "the list holds invalid text") from exc


def _listed_as_dsc(document: Mapping[str, Any], certificate: x509.Certificate) -> bool:
    """Whether the document names ``certificate`` (by kid or DER) as a DSC or revoked DSC."""
    kid = base64.b64encode(kid_for_certificate(certificate)).decode()
    der = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()
    for member in ("certificates", "revokedKids", "keys"):
        items = document.get(member)
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, Mapping):
                continue
            chain = item.get("x5c")
            if item.get("kid") == kid or item.get("rawData") == der:
                return True
            if isinstance(chain, list) and der in chain:
                return True
    return False


def _envelope(envelope: Mapping[str, Any]) -> tuple[x509.Certificate, CoseAlgorithm, bytes]:
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(envelope["certificate"]))
        algorithm = CoseAlgorithm[str(envelope["alg"])]
        signature = base64.b64decode(envelope["value"], validate=True)
    except (KeyError, ValueError, TypeError, binascii.Error) as exc:
        raise _error(ErrorCode.TRUST_LIST_SIGNATURE_INVALID, "malformed list signature") from exc
    return certificate, algorithm, signature


def _error(code: ErrorCode, message: str) -> TrustStoreError:
    return TrustStoreError(message, code=code)
