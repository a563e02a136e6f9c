"""Signing fixtures shared by the unit tests (keys are generated once per session)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vaxpass.crypto.pki.profiles import CertificateType, Validity, issue_csca, issue_dsc
from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.crypto.software import SoftwareSigner, generate_signing_key

EPOCH = datetime(2022, 1, 1, tzinfo=UTC)


def _signer(algorithm: CoseAlgorithm, types: tuple[CertificateType, ...] = ()) -> SoftwareSigner:
    csca_key = generate_signing_key()
    csca = issue_csca(
        csca_key, country="VN", common_name="Test CSCA", validity=Validity.starting(EPOCH, 3650)
    )
    key = generate_signing_key(algorithm)
    dsc = issue_dsc(
        csca_key,
        csca,
        key.public_key(),
        common_name="Test DSC",
        validity=Validity.starting(EPOCH, 1000),
        types=types,
    )
    return SoftwareSigner(key, dsc)


@pytest.fixture(scope="session")
def es256_signer() -> SoftwareSigner:
    return _signer(CoseAlgorithm.ES256)


@pytest.fixture(scope="session")
def ps256_signer() -> SoftwareSigner:
    return _signer(CoseAlgorithm.PS256)


@pytest.fixture(scope="session")
def vaccination_only_signer() -> SoftwareSigner:
    return _signer(CoseAlgorithm.ES256, (CertificateType.VACCINATION,))
