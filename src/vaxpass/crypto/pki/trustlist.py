"""Trust lists: what foreign verifiers download, and what our verifier accepts from others.

Export (signed with the trust-list key, verifiable against the CSCA):
``eu-dsc-list`` — DSC entries in the EU gateway's JSON form under ``certificates``;
``jwks`` — the ES256 DSCs as a JWKS for SMART Health Cards verifiers (with ``x5c``);
``csca`` — the CSCA certificate (PEM), the anchor foreign verifiers pin.

Import checks a list against pinned anchors (CSCA certificates) and keeps it only when it is
signed, untampered, newer than the last accepted one and every DSC in it chains to an anchor;
otherwise the last good list stays in place.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from vaxpass.crypto.keys import kid_for_certificate, verify_signature
from vaxpass.crypto.pki.audit import canonical_json
from vaxpass.crypto.pki.lifecycle import KeyManager
from vaxpass.crypto.pki.listsign import (
    LIST_SIGNATURE,
    canonical_bytes,
    require_chain,
    verify_list,
)
from vaxpass.crypto.pki.state import KeyRecord, KeyState, Phase
from vaxpass.crypto.pki.statefile import write_atomically
from vaxpass.crypto.signer import CoseAlgorithm, Signer
from vaxpass.errors import ErrorCode, TrustStoreError

# JWK members that carry private key material (RFC 7517/7518).
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_TRUSTED_PHASES = frozenset({Phase.PUBLISHED, Phase.ACTIVE, Phase.RETIRED})
_COUNTRY = re.compile(r"[A-Z]{2}")
# Sequence numbers stay exact in every JSON implementation (below 2**53), and one accepted list
# may not skip ahead by more than MAX_SEQUENCE_JUMP (a country exporting every minute for two
# years stays under it), so a list cannot lock out the ones that follow it.
MAX_SEQUENCE = 2**53 - 1
MAX_SEQUENCE_JUMP = 1_000_000


class TrustListFormat(StrEnum):
    EU_DSC_LIST = "eu-dsc-list"
    JWKS = "jwks"
    CSCA = "csca"


# ---------------------------------------------------------------- export


def published_dscs(state: KeyState, at: datetime) -> list[KeyRecord]:
    """DSCs a verifier must trust at ``at``: not revoked, certificate not expired."""
    return [record for record in state.dscs if record.phase(at) in _TRUSTED_PHASES]


def eu_entry(certificate: x509.Certificate, country: str) -> dict[str, str]:
    """One EU gateway trust-list entry (``signature`` is added by ``sign_entries``)."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return {
        "kid": base64.b64encode(kid_for_certificate(certificate)).decode(),
        "country": country,
        "certificateType": "DSC",
        "rawData": base64.b64encode(der).decode(),
        "thumbprint": hashlib.sha256(der).hexdigest(),
        "timestamp": certificate.not_valid_before_utc.isoformat(),
    }


def jwk(certificate: x509.Certificate) -> dict[str, Any]:
    """The public JWK of an ES256 DSC, ``kid`` being its RFC 7638 thumbprint (as SHC wants)."""
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise TrustStoreError("a JWK certificate holds no EC P-256 key")
    numbers = key.public_numbers()
    members = {"crv": "P-256", "kty": "EC", "x": _b64url(numbers.x), "y": _b64url(numbers.y)}
    thumbprint = hashlib.sha256(canonical_json(members)).digest()
    der = certificate.public_bytes(serialization.Encoding.DER)
    return {
        **members,
        "kid": base64.urlsafe_b64encode(thumbprint).rstrip(b"=").decode(),
        "use": "sig",
        "alg": "ES256",
        "x5c": [base64.b64encode(der).decode()],
    }


def export_trust_list(manager: KeyManager, form: TrustListFormat, *, at: datetime) -> bytes:
    """The signed list in ``form`` (each export takes the next sequence number)."""
    if form is TrustListFormat.CSCA:
        return manager.load().csca.certificate.public_bytes(serialization.Encoding.PEM)
    build = _BUILDERS[form]
    document = manager.publish(
        form.value, at=at, build=lambda state, signer: build(state, signer, at)
    )
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def _eu_body(state: KeyState, signer: Signer, at: datetime) -> dict[str, Any]:
    entries = [
        signed_entry(eu_entry(record.certificate, state.country), signer)
        for record in published_dscs(state, at)
    ]
    return {
        "format": TrustListFormat.EU_DSC_LIST.value,
        "country": state.country,
        "certificates": entries,
    }


def _jwks_body(state: KeyState, signer: Signer, at: datetime) -> dict[str, Any]:
    keys = [
        jwk(record.certificate)
        for record in published_dscs(state, at)
        if record.algorithm == CoseAlgorithm.ES256.name
    ]
    del signer  # the list signature covers the keys
    return {"format": TrustListFormat.JWKS.value, "country": state.country, "keys": keys}


_BUILDERS: dict[TrustListFormat, Callable[[KeyState, Signer, datetime], dict[str, Any]]] = {
    TrustListFormat.EU_DSC_LIST: _eu_body,
    TrustListFormat.JWKS: _jwks_body,
}


def signed_entry(entry: Mapping[str, str], signer: Signer) -> dict[str, str]:
    """An entry with its own ``signature`` (over its other members' canonical JSON), as the
    gateway gives each entry, so that an entry copied elsewhere stays attributable."""
    unsigned = {key: value for key, value in entry.items() if key != "signature"}
    signature = base64.b64encode(signer.sign(canonical_json(unsigned))).decode()
    return {**unsigned, "signature": signature}


def _entry_signature_valid(entry: Mapping[str, Any], signer: x509.Certificate, alg: str) -> bool:
    unsigned = {key: value for key, value in entry.items() if key != "signature"}
    try:
        signature = base64.b64decode(entry["signature"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error):
        return False
    data = canonical_bytes(unsigned)
    return verify_signature(CoseAlgorithm[alg], signer.public_key(), data, signature)


def _b64url(value: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(32, "big")).rstrip(b"=").decode()


# ---------------------------------------------------------------- import


@dataclass(frozen=True, slots=True)
class ImportedList:
    country: str
    form: str
    sequence: int | None
    certificates: tuple[x509.Certificate, ...]
    path: Path


class TrustListStore:
    """Accepted foreign lists under ``directory``: ``<country>.<form>.json`` in the EU form
    (readable by ``vaxpass verify --trust``) plus ``state.json`` with the last sequence."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state_path = directory / "state.json"

    def import_file(
        self, path: Path, anchors: Sequence[x509.Certificate], *, at: datetime
    ) -> ImportedList:
        if path.is_dir():
            return self.import_folder(path, anchors, at=at)
        return self.import_list(_read(path), anchors, at=at)

    def import_list(
        self, data: bytes, anchors: Sequence[x509.Certificate], *, at: datetime
    ) -> ImportedList:
        document = _json(data)
        list_signer = verify_list(document, anchors, at=at)
        country = _country(document)
        _require_anchor_country(require_chain(list_signer, anchors, at=at), country)
        form, certificates = _signed_contents(document, list_signer)
        for certificate in certificates:
            _require_anchor_country(require_chain(certificate, anchors, at=at), country)
        sequence = _sequence(document)
        self._check_rollback(country, form, sequence, hashlib.sha256(data).hexdigest())
        target = self._save(country, form, certificates)
        self._remember(country, form, sequence, hashlib.sha256(data).hexdigest())
        return ImportedList(country, form, sequence, tuple(certificates), target)

    def import_folder(
        self, folder: Path, anchors: Sequence[x509.Certificate], *, at: datetime
    ) -> ImportedList:
        """A folder of PEM/DER DSCs: every one must chain to an anchor of one country."""
        certificates = [
            cert
            for file in sorted(folder.iterdir())
            if file.is_file()
            for cert in _certificates(file)
        ]
        if not certificates:
            raise TrustStoreError("the folder holds no certificates")
        countries = {_anchor_country(require_chain(cert, anchors, at=at)) for cert in certificates}
        if len(countries) != 1:
            raise TrustStoreError("a folder must hold the certificates of one country")
        country = countries.pop()
        target = self._save(country, "folder", certificates)
        return ImportedList(country, "folder", None, tuple(certificates), target)

    def files(self) -> list[Path]:
        """The accepted lists, for the verifier's trust store."""
        return sorted(self.directory.glob("*.*.json")) if self.directory.exists() else []

    def _check_rollback(self, country: str, form: str, sequence: int, digest: str) -> None:
        last = self._state().get(f"{country}.{form}")
        if last is None:
            return
        if sequence < last["sequence"] or (
            sequence == last["sequence"] and digest != last["digest"]
        ):
            raise TrustStoreError(
                f"list sequence {sequence} does not follow the accepted {last['sequence']}",
                code=ErrorCode.TRUST_LIST_ROLLBACK,
            )
        if sequence - last["sequence"] > MAX_SEQUENCE_JUMP:
            raise TrustStoreError(
                f"list sequence {sequence} jumps too far ahead of the accepted {last['sequence']}",
                code=ErrorCode.TRUST_LIST_ROLLBACK,
            )

    def _save(self, country: str, form: str, certificates: Iterable[x509.Certificate]) -> Path:
        if not _COUNTRY.fullmatch(country):  # it names a file: never a path
            raise TrustStoreError("the anchor names no country (two capital letters)")
        entries = [eu_entry(certificate, country) for certificate in certificates]
        target = self.directory / f"{country}.{form}.json"
        write_atomically(
            target, json.dumps({"country": country, "certificates": entries}, indent=2)
        )
        return target

    def _remember(self, country: str, form: str, sequence: int, digest: str) -> None:
        state = self._state()
        state[f"{country}.{form}"] = {"sequence": sequence, "digest": digest}
        write_atomically(self.state_path, json.dumps(state, indent=2, sort_keys=True))

    def _state(self) -> dict[str, Any]:
        if not self.state_path.exists():
            return {}
        loaded = json.loads(self.state_path.read_text())
        return loaded if isinstance(loaded, dict) else {}


def _signed_contents(
    document: Mapping[str, Any], list_signer: x509.Certificate
) -> tuple[str, list[x509.Certificate]]:
    if "certificates" in document:
        alg = str(document[LIST_SIGNATURE]["alg"])
        entries = document["certificates"]
        if not isinstance(entries, list) or not all(
            isinstance(entry, Mapping) and _entry_signature_valid(entry, list_signer, alg)
            for entry in entries
        ):
            raise TrustStoreError(
                "an entry signature does not verify", code=ErrorCode.TRUST_LIST_SIGNATURE_INVALID
            )
        return TrustListFormat.EU_DSC_LIST.value, _eu_certificates(entries)
    if "keys" in document:
        return TrustListFormat.JWKS.value, _jwks_certificates(document["keys"])
    raise TrustStoreError("neither an EU DSC list nor a JWKS")


def _eu_certificates(entries: Any) -> list[x509.Certificate]:
    if not isinstance(entries, list):
        raise TrustStoreError("certificates must be a list")
    certificates = []
    for entry in entries:
        try:
            der = base64.b64decode(entry["rawData"], validate=True)
            certificate = x509.load_der_x509_certificate(der)
            kid = base64.b64decode(entry["kid"], validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise TrustStoreError("malformed trust list entry") from exc
        if entry.get("thumbprint") != hashlib.sha256(der).hexdigest() or kid != kid_for_certificate(
            certificate
        ):
            raise TrustStoreError("entry thumbprint or kid does not match its certificate")
        certificates.append(certificate)
    return certificates


def _jwks_certificates(keys: Any) -> list[x509.Certificate]:
    if not isinstance(keys, list):
        raise TrustStoreError("keys must be a list")
    certificates = []
    for key in keys:
        if not isinstance(key, Mapping):
            raise TrustStoreError("malformed JWK")
        if PRIVATE_JWK_MEMBERS.intersection(key):
            raise TrustStoreError(
                "a JWK carries private key material", code=ErrorCode.TRUST_LIST_PRIVATE_KEY
            )
        certificate = _jwk_certificate(key)
        if jwk(certificate) != dict(key):
            raise TrustStoreError("a JWK does not match its x5c certificate")
        certificates.append(certificate)
    return certificates


def _jwk_certificate(key: Mapping[str, Any]) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(base64.b64decode(key["x5c"][0], validate=True))
    except (KeyError, IndexError, TypeError, ValueError, binascii.Error) as exc:
        raise TrustStoreError("a JWK has no usable x5c certificate") from exc


def _country(document: Mapping[str, Any]) -> str:
    country = document.get("country")
    if not isinstance(country, str) or not _COUNTRY.fullmatch(country):
        raise TrustStoreError("the list names no country (two capital letters)")
    return country


def _sequence(document: Mapping[str, Any]) -> int:
    sequence = document.get("sequence")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise TrustStoreError("the list has no sequence number")
    if sequence > MAX_SEQUENCE:
        raise TrustStoreError("the list sequence number is out of range")
    return sequence


def _anchor_country(anchor: x509.Certificate) -> str:
    values = anchor.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
    return str(values[0].value) if values else ""


def _require_anchor_country(anchor: x509.Certificate, country: str) -> None:
    if _anchor_country(anchor) != country:
        raise TrustStoreError(
            f"a certificate of the {country} list is issued by another country's anchor",
            code=ErrorCode.TRUST_LIST_UNTRUSTED,
        )


def _certificates(path: Path) -> list[x509.Certificate]:
    data = _read(path)
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise TrustStoreError(f"{path.name} is not a certificate") from exc


def load_anchors(paths: Iterable[Path]) -> list[x509.Certificate]:
    anchors = [certificate for path in paths for certificate in _certificates(path)]
    if not anchors:
        raise TrustStoreError("no anchor certificates given")
    return anchors


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TrustStoreError(f"cannot read {path.name}") from exc


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TrustStoreError("the list is not JSON", code=ErrorCode.TRUST_LIST_UNSIGNED) from exc
