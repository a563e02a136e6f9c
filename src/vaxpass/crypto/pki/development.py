"""A development PKI for the embedded default and the demo: a CSCA and one DSC, as files.

Keys are written as PKCS#8 PEM with owner-only permissions. Production keys never come from
here (they live in an HSM); this only exists so that ``make demo`` works on a fresh machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vaxpass.crypto.pki.profiles import CertificateType, Validity, issue_csca, issue_dsc
from vaxpass.crypto.software import (
    SoftwareSigner,
    generate_signing_key,
    load_certificate,
    load_private_key,
    save_private_key,
)

CSCA_YEARS = 10
DSC_YEARS = 3


@dataclass(frozen=True, slots=True)
class DevelopmentPki:
    csca_certificate: x509.Certificate
    dsc_certificate: x509.Certificate
    signer: SoftwareSigner
    csca_path: Path
    dsc_path: Path
    dsc_key_path: Path


def ensure_development_pki(keys_dir: Path, *, at: datetime, country: str = "VN") -> DevelopmentPki:
    """Load the development CSCA and DSC from ``keys_dir``, creating them on first use."""
    paths = {
        name: keys_dir / f"dev-{name}"
        for name in ("csca-key.pem", "csca.pem", "dsc-key.pem", "dsc.pem")
    }
    if not all(path.exists() for path in paths.values()):
        _create(paths, at=at, country=country)
    dsc = load_certificate(paths["dsc.pem"])
    signer = SoftwareSigner(load_private_key(paths["dsc-key.pem"]), dsc)
    return DevelopmentPki(
        load_certificate(paths["csca.pem"]),
        dsc,
        signer,
        paths["csca.pem"],
        paths["dsc.pem"],
        paths["dsc-key.pem"],
    )


def _create(paths: dict[str, Path], *, at: datetime, country: str) -> None:
    start = at - timedelta(minutes=5)
    csca_key = generate_signing_key()
    csca = issue_csca(
        csca_key,
        country=country,
        common_name=f"vaxpass development CSCA {country}",
        validity=Validity.starting(start, 365 * CSCA_YEARS),
    )
    dsc_key = generate_signing_key()
    dsc = issue_dsc(
        csca_key,
        csca,
        dsc_key.public_key(),
        common_name=f"vaxpass development DSC {country}",
        validity=Validity.starting(start, 365 * DSC_YEARS),
        types=(CertificateType.VACCINATION, CertificateType.TEST, CertificateType.RECOVERY),
    )
    save_private_key(csca_key, paths["csca-key.pem"], None)
    save_private_key(dsc_key, paths["dsc-key.pem"], None)
    for name, certificate in (("csca.pem", csca), ("dsc.pem", dsc)):
        paths[name].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
