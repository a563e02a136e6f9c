"""Verification use case: build a trust store from files, then verify QR codes offline."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from vaxpass.errors import TrustStoreError
from vaxpass.formats.dcc.trust import InMemoryTrustStore, TrustedSigner
from vaxpass.formats.dcc.verify import RevocationChecker, VerificationResult, verify_qr

MAX_TRUST_FILE_BYTES = 64 * 1024 * 1024
_PEM_MARKER = b"-----BEGIN CERTIFICATE-----"


def load_trust_store(paths: Iterable[Path]) -> InMemoryTrustStore:
    """Trust every signer certificate found in ``paths`` (certificate files or trust lists)."""
    store = InMemoryTrustStore()
    for path in paths:
        for signer in read_trust_file(path):
            store.add(signer)
    return store


def read_trust_file(path: Path) -> list[TrustedSigner]:
    """Signer certificates from PEM, DER or base64-DER files, or an EU gateway JSON list."""
    try:
        if path.stat().st_size > MAX_TRUST_FILE_BYTES:
            raise TrustStoreError(f"trust file {path.name} is too large")
        data = path.read_bytes()
    except OSError as exc:
        raise TrustStoreError(f"cannot read trust file {path.name}") from exc
    return parse_trust_data(data, source=path.name)


def parse_trust_data(data: bytes, *, source: str = "input") -> list[TrustedSigner]:
    stripped = data.strip()
    if stripped[:1] in (b"[", b"{"):
        return signers_from_trust_list(_json(stripped, source), source=source)
    if _PEM_MARKER in stripped:
        return [_trusted(cert, source) for cert in _pem_certificates(stripped, source)]
    # DER is binary: its last bytes may look like white space, so it is read unstripped.
    return [_trusted(_der_or_base64_certificate(data, stripped, source), source)]


def _trusted(
    certificate: x509.Certificate,
    source: str,
    *,
    kid: bytes | None = None,
    country: str | None = None,
) -> TrustedSigner:
    """Trust ``certificate``; a key that cannot be used (bad point, unknown type) is refused."""
    try:
        signer = TrustedSigner.from_certificate(certificate, country=country)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise TrustStoreError(f"{source}: a certificate's public key is unusable") from exc
    return TrustedSigner(certificate, kid, country) if kid else signer


def signers_from_trust_list(document: Any, *, source: str = "input") -> list[TrustedSigner]:
    """Entries of an EU gateway trust list (``[{"kid", "country", "certificateType",
    "rawData", …}]``, or an object holding such a list under ``certificates``)."""
    entries = document.get("certificates") if isinstance(document, Mapping) else document
    if not isinstance(entries, list):
        raise TrustStoreError(f"{source}: not a trust list")
    signers = (
        _signer_from_entry(entry, source)
        for entry in entries
        if isinstance(entry, Mapping) and entry.get("certificateType", "DSC") == "DSC"
    )
    return [signer for signer in signers if signer is not None]


def _signer_from_entry(entry: Mapping[str, Any], source: str) -> TrustedSigner | None:
    """The entry's signer; ``None`` when its key is unusable (it could verify nothing, and one
    such entry must not discard a whole country's list)."""
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(entry["rawData"]))
        kid = base64.b64decode(entry["kid"]) if "kid" in entry else None
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise TrustStoreError(f"{source}: malformed trust list entry") from exc
    country = entry.get("country")
    try:
        return _trusted(
            certificate, source, kid=kid, country=country if isinstance(country, str) else None
        )
    except TrustStoreError:
        return None


def _json(data: bytes, source: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TrustStoreError(f"{source}: not valid JSON") from exc


def _pem_certificates(data: bytes, source: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise TrustStoreError(f"{source}: malformed PEM certificate") from exc


def _der_or_base64_certificate(data: bytes, text: bytes, source: str) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(data)
    except ValueError:
        pass
    try:
        return x509.load_der_x509_certificate(base64.b64decode(text, validate=False))
    except (ValueError, binascii.Error) as exc:
        raise TrustStoreError(f"{source}: not a certificate (PEM, DER or base64)") from exc


def verify_input(
    data: bytes | str,
    store: InMemoryTrustStore,
    *,
    at: datetime,
    revocations: RevocationChecker | None = None,
) -> VerificationResult:
    """Verify one QR (text or picture) against ``store`` at ``at``."""
    return verify_qr(data, store, at=at, revocations=revocations)
