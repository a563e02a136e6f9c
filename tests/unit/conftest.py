"""Signing fixtures shared by the unit tests (keys are generated once per session)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vaxpass.crypto.pki.profiles import CertificateType
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.crypto.software import SoftwareSigner, ephemeral_signer, generate_signing_key

EPOCH = datetime(2022, 1, 1, tzinfo=UTC)


def _signer(algorithm: CoseAlgorithm, types: tuple[CertificateType, ...] = ()) -> SoftwareSigner:
    key = generate_signing_key(algorithm)
    return ephemeral_signer(key, not_before=EPOCH, days=1000, types=types)


@pytest.fixture(scope="session")
def es256_signer() -> SoftwareSigner:
    return _signer(CoseAlgorithm.ES256)


@pytest.fixture(scope="session")
def ps256_signer() -> SoftwareSigner:
    return _signer(CoseAlgorithm.PS256)


@pytest.fixture(scope="session")
def vaccination_only_signer() -> SoftwareSigner:
    return _signer(CoseAlgorithm.ES256, (CertificateType.VACCINATION,))
