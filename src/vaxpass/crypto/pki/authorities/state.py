"""The authority state file (``authorities.json`` under the keys directory), written atomically:
the development CA's key label and certificate, and every registered authority."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vaxpass.crypto.pki.statefile import read_versioned, save_versioned
from vaxpass.domain.facility import AuthorityKind, SigningAuthority
from vaxpass.errors import ErrorCode, SigningError, VaxpassError

ISSUED = "issued"
IMPORTED = "imported"
STATE_FILE = "authorities.json"
STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class AuthorityRecord:
    id: str
    role: str
    scope: str
    name: str
    origin: str  # issued | imported
    recorded_at: str
    certificate_pem: str
    anchor_pem: str  # the development authority CA, or the pinned external anchor
    chain_pem: tuple[str, ...] = ()  # intermediates between the certificate and the anchor
    label: str | None = None  # the key on the backend (issued certificates only)
    revoked_at: str | None = None
    revocation_reason: str | None = None

    @property
    def authority(self) -> SigningAuthority:
        return SigningAuthority(AuthorityKind(self.role), self.scope)

    @property
    def certificate(self) -> x509.Certificate:
        return load_pem_certificate(self.certificate_pem)

    @property
    def anchor(self) -> x509.Certificate:
        return load_pem_certificate(self.anchor_pem)

    @property
    def intermediates(self) -> list[x509.Certificate]:
        return [load_pem_certificate(pem) for pem in self.chain_pem]

    def status(self, at: datetime) -> str:
        """``revoked``, ``not_yet_valid``, ``expired`` or ``valid`` at ``at``."""
        certificate = self.certificate
        if self.revoked_at is not None:
            return "revoked"
        if at < certificate.not_valid_before_utc:
            return "not_yet_valid"
        return "valid" if at < certificate.not_valid_after_utc else "expired"

    def require_usable(self, at: datetime) -> None:
        """Refuse to sign for a revoked authority or outside its certificate's validity."""
        status = self.status(at)
        if status == "revoked":
            raise SigningError("the authority is revoked", code=ErrorCode.REVOKED)
        if status != "valid":
            raise SigningError(
                "the authority's certificate is not valid at that time",
                code=ErrorCode.SIGNER_CERTIFICATE_NOT_VALID,
            )


@dataclass(frozen=True, slots=True)
class AuthorityCa:
    label: str
    certificate_pem: str

    @property
    def certificate(self) -> x509.Certificate:
        return load_pem_certificate(self.certificate_pem)


@dataclass(frozen=True, slots=True)
class AuthorityState:
    backend: str | None = None  # where the CA and the issued keys live (None: no key yet)
    ca: AuthorityCa | None = None
    authorities: tuple[AuthorityRecord, ...] = ()

    def find(self, identifier: str) -> AuthorityRecord:
        for record in self.authorities:
            if record.id == identifier.lower():
                return record
        raise VaxpassError("no authority with this id", code=ErrorCode.AUTHORITY_UNKNOWN)

    def replacing(self, record: AuthorityRecord) -> AuthorityState:
        kept = tuple(record if item.id == record.id else item for item in self.authorities)
        added = () if any(item.id == record.id for item in kept) else (record,)
        return replace(self, authorities=kept + added)


def save_authorities(state: AuthorityState, path: Path) -> None:
    save_versioned(path, asdict(state), STATE_VERSION)


def load_authorities(path: Path) -> AuthorityState:
    if not path.exists():
        return AuthorityState()
    with read_versioned(path, STATE_VERSION, name="authority state file") as body:
        ca = body["ca"]
        return AuthorityState(
            backend=body["backend"],
            ca=AuthorityCa(**ca) if ca else None,
            authorities=tuple(_record(item) for item in body["authorities"]),
        )


def _record(data: dict[str, Any]) -> AuthorityRecord:
    return AuthorityRecord(**{**data, "chain_pem": tuple(data.get("chain_pem", ()))})


def load_pem_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def pem_text(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
