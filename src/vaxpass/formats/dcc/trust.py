"""Trusted document signer certificates, looked up by key identifier."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from vaxpass.crypto.keys import kid_for_certificate
from vaxpass.crypto.pki.profiles import CertificateType, certificate_types_allowed
from vaxpass.crypto.signer import CoseAlgorithm, key_matches_algorithm

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class TrustedSigner:
    """A document signer certificate a verifier trusts, under the kid it is published with."""

    certificate: x509.Certificate
    kid: bytes
    country: str | None = None
    # Derived once from the certificate: a verifier reads them for every DCC it checks.
    public_key: PublicKeyTypes = field(init=False, repr=False, compare=False)
    allowed_types: frozenset[CertificateType] = field(init=False, repr=False, compare=False)
    not_before: datetime = field(init=False, repr=False, compare=False)
    not_after: datetime = field(init=False, repr=False, compare=False)
    # The same facts in the forms the verifier compares: the algorithms the key may verify,
    # the payload keys ("v", "t", "r") it may sign, and the validity in whole POSIX seconds
    # (a second-resolution time t satisfies t >= not_before iff t >= valid_from, and
    # t <= not_after iff t <= valid_until).
    algorithms: frozenset[CoseAlgorithm] = field(init=False, repr=False, compare=False)
    allowed_keys: frozenset[str] = field(init=False, repr=False, compare=False)
    valid_from: int = field(init=False, repr=False, compare=False)
    valid_until: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        public_key = self.certificate.public_key()
        allowed_types = certificate_types_allowed(self.certificate)
        not_before = self.certificate.not_valid_before_utc
        not_after = self.certificate.not_valid_after_utc
        derived = {
            "public_key": public_key,
            "allowed_types": allowed_types,
            "not_before": not_before,
            "not_after": not_after,
            "algorithms": frozenset(
                a for a in CoseAlgorithm if key_matches_algorithm(a, public_key)
            ),
            "allowed_keys": frozenset(str(kind.value) for kind in allowed_types),
            "valid_from": -((_EPOCH - not_before) // _SECOND),  # rounded up
            "valid_until": (not_after - _EPOCH) // _SECOND,  # rounded down
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_certificate(
        cls, certificate: x509.Certificate, *, country: str | None = None
    ) -> TrustedSigner:
        """Trust a certificate under its own kid (first 8 bytes of SHA-256 over its DER)."""
        return cls(certificate, kid_for_certificate(certificate), country)


class TrustStore(Protocol):
    def signers_for(self, kid: bytes) -> Sequence[TrustedSigner]:
        """Every trusted signer certificate published under ``kid`` (possibly several)."""
        ...


class InMemoryTrustStore:
    """A trust store held in memory; several certificates may share one kid."""

    def __init__(self, signers: Iterable[TrustedSigner] = ()) -> None:
        self._by_kid: dict[bytes, list[TrustedSigner]] = {}
        for signer in signers:
            self.add(signer)

    def add(self, signer: TrustedSigner) -> None:
        entries = self._by_kid.setdefault(signer.kid, [])
        if signer not in entries:
            entries.append(signer)

    def signers_for(self, kid: bytes) -> Sequence[TrustedSigner]:
        return tuple(self._by_kid.get(kid, ()))

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._by_kid.values())

    def __iter__(self) -> Iterator[TrustedSigner]:
        for entries in self._by_kid.values():
            yield from entries
