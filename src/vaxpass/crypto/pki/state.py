"""The key state file: which keys exist on the backend, their certificates and usage periods.

A JSON file under the keys directory (the records database is not involved), written atomically.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vaxpass.clock import parse_instant
from vaxpass.crypto.keys import kid_for_certificate
from vaxpass.crypto.pki.statefile import read_versioned, save_versioned
from vaxpass.errors import ErrorCode, SigningError

STATE_VERSION = 1


class Phase(StrEnum):
    """Where a DSC is in its life at a given instant."""

    PUBLISHED = "published"  # in the trust list, not signing yet
    ACTIVE = "active"  # signing
    RETIRED = "retired"  # no longer signing, in the trust list until its certificates expire
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class KeyRecord:
    label: str
    role: str  # csca | dsc | trust-list
    algorithm: str
    certificate_pem: str
    authority: str = "national"
    usage_start: str | None = None
    usage_end: str | None = None
    revoked_at: str | None = None
    revocation_reason: str | None = None
    logged: tuple[str, ...] = field(default=())  # phase events already written to the audit log

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode())

    @property
    def kid(self) -> bytes:
        return kid_for_certificate(self.certificate)

    @property
    def kid_text(self) -> str:
        return base64.b64encode(self.kid).decode()

    def phase(self, at: datetime) -> Phase:
        if self.revoked_at is not None:
            return Phase.REVOKED
        if at >= self.certificate.not_valid_after_utc:
            return Phase.EXPIRED
        if self.usage_start is None or self.usage_end is None:
            return Phase.PUBLISHED
        if at < parse_instant(self.usage_start):
            return Phase.PUBLISHED
        if at < parse_instant(self.usage_end):
            return Phase.ACTIVE
        return Phase.RETIRED

    def with_logged(self, event: str) -> KeyRecord:
        return replace(self, logged=(*self.logged, event))


def record_for(
    label: str, role: str, algorithm: str, certificate: x509.Certificate, **extra: Any
) -> KeyRecord:
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return KeyRecord(label=label, role=role, algorithm=algorithm, certificate_pem=pem, **extra)


@dataclass(frozen=True, slots=True)
class KeyState:
    backend: str
    country: str
    csca: KeyRecord
    trust_list_signer: KeyRecord
    dscs: tuple[KeyRecord, ...]
    sequences: dict[str, int] = field(default_factory=dict)

    def dsc(self, kid: bytes) -> KeyRecord:
        for record in self.dscs:
            if record.kid == kid:
                return record
        raise SigningError("no document signer with this kid", code=ErrorCode.KEY_STATE_INVALID)

    def replacing(self, *records: KeyRecord) -> KeyState:
        by_label = {record.label: record for record in records}
        dscs = tuple(by_label.pop(record.label, record) for record in self.dscs)
        return replace(self, dscs=dscs + tuple(by_label.values()))


def save_state(state: KeyState, path: Path) -> None:
    save_versioned(path, asdict(state), STATE_VERSION)


def load_state(path: Path) -> KeyState:
    if not path.exists():
        raise SigningError("no keys yet: run `vaxpass keys init`", code=ErrorCode.NO_ACTIVE_SIGNER)
    with read_versioned(path, STATE_VERSION, name="key state file") as body:
        return KeyState(
            backend=body["backend"],
            country=body["country"],
            csca=_record(body["csca"]),
            trust_list_signer=_record(body["trust_list_signer"]),
            dscs=tuple(_record(item) for item in body["dscs"]),
            sequences={str(k): int(v) for k, v in body["sequences"].items()},
        )


def _record(data: dict[str, Any]) -> KeyRecord:
    return KeyRecord(**{**data, "logged": tuple(data.get("logged", ()))})
