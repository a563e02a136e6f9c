"""Helpers for the key, trust-list and revocation tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vaxpass.crypto.keystore import SoftwareKeyStore
from vaxpass.crypto.pki.lifecycle import ActiveSigner, KeyManager, RotationPolicy
from vaxpass.formats.dcc.sample import sample_vaccination_payload
from vaxpass.formats.dcc.trust import InMemoryTrustStore
from vaxpass.services.sign import sign_certificate
from vaxpass.services.verify import parse_trust_data

T0 = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = RotationPolicy(usage_days=30, lead_days=2, certificate_days=365, csca_days=3650)
VALID_DAYS = 365


def days(count: float) -> timedelta:
    return timedelta(days=count)


def software_manager(directory: Path, country: str = "VN") -> KeyManager:
    manager = KeyManager(directory, SoftwareKeyStore(directory, b"test passphrase"), POLICY)
    manager.initialise(at=T0, country=country)
    return manager


def uci(number: int, country: str = "VN") -> str:
    return f"URN:UVCI:01:{country}:{number:032X}"


def sign_with(active: ActiveSigner, at: datetime, number: int, country: str = "VN") -> str:
    payload = sample_vaccination_payload(certificate_id=uci(number, country))
    payload["v"][0]["co"] = country
    encoded = sign_certificate(
        payload, active.signer, active.certificate, issuer=country, at=at, valid_days=VALID_DAYS
    )
    return encoded.qr_text


def issue(manager: KeyManager, at: datetime, number: int, country: str = "VN") -> str:
    with manager.active_signer(at=at, covers_until=at + days(VALID_DAYS)) as active:
        return sign_with(active, at, number, country)


def store_of(*lists: bytes) -> InMemoryTrustStore:
    store = InMemoryTrustStore()
    for data in lists:
        for signer in parse_trust_data(data):
            store.add(signer)
    return store


def loads(data: bytes) -> dict[str, Any]:
    document = json.loads(data)
    assert isinstance(document, dict)
    return document


def dumps(document: Any) -> bytes:
    return json.dumps(document).encode()
