"""CSCA and document signer lifecycle: initialise, rotate, revoke, pick the active signer.

Rotation: a new DSC is published ``lead_days`` before it starts signing; the current DSC stops
signing when the new one starts and stays in the trust list until its certificate (and so every
DCC it signed) has expired. A DSC's ``notAfter`` covers its usage period plus the longest DCC
validity, so nothing it signs can outlive it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from cryptography import x509

from vaxpass.clock import parse_instant
from vaxpass.crypto.backend import KeyBackend, KeySession, new_key_label
from vaxpass.crypto.pki.audit import AuditEvent, AuditLog
from vaxpass.crypto.pki.issuance import issue_in_backend, signing_key_of
from vaxpass.crypto.pki.listsign import sign_list
from vaxpass.crypto.pki.profiles import (
    CertificateType,
    Validity,
    csca_builder,
    dsc_builder,
    trust_list_signer_builder,
)
from vaxpass.crypto.pki.state import KeyRecord, KeyState, Phase, load_state, record_for, save_state
from vaxpass.crypto.signer import CoseAlgorithm, Signer
from vaxpass.errors import ErrorCode, SigningError

NATIONAL = "national"
_PHASE_EVENTS = {Phase.ACTIVE: AuditEvent.ACTIVATED, Phase.RETIRED: AuditEvent.RETIRED}


@dataclass(frozen=True, slots=True)
class RotationPolicy:
    usage_days: int = 180  # how long one DSC signs
    lead_days: int = 2  # how long a new DSC is published before it signs
    certificate_days: int = 365  # the longest validity of a DCC it signs
    csca_days: int = 3650

    def dsc_validity(self, start: datetime, usage_end: datetime) -> Validity:
        return Validity(start, usage_end + timedelta(days=self.certificate_days + 1))


@dataclass(frozen=True, slots=True)
class ActiveSigner:
    """The DSC that signs now, with its backend signer (valid while the session is open)."""

    signer: Signer
    certificate: x509.Certificate
    record: KeyRecord


class KeyManager:
    """Keys and certificates of one issuing country, on one backend, with an audit log."""

    def __init__(self, directory: Path, backend: KeyBackend, policy: RotationPolicy) -> None:
        self.directory = directory
        self.backend = backend
        self.policy = policy
        self.state_path = directory / "state.json"
        self.audit = AuditLog(directory / "audit.log")

    def load(self) -> KeyState:
        state = load_state(self.state_path)
        if state.backend != self.backend.name:
            raise SigningError(
                f"the keys were created on the {state.backend} backend, not {self.backend.name}",
                code=ErrorCode.CONFIGURATION_INVALID,
            )
        return state

    def initialise(
        self,
        *,
        at: datetime,
        country: str,
        algorithm: CoseAlgorithm = CoseAlgorithm.ES256,
        types: Iterable[CertificateType] = (),
    ) -> KeyState:
        """Create the CSCA, the trust-list signer and the first DSC (signing from ``at``)."""
        if self.state_path.exists():
            raise SigningError("keys already exist", code=ErrorCode.KEY_STATE_INVALID)
        with self.backend.open() as session:
            csca = self._create_csca(session, at, country)
            trust = self._create_trust_list_signer(session, csca, at)
            state = KeyState(self.backend.name, country, csca, trust, ())
            dsc = self._create_dsc(
                session,
                state,
                at=at,
                start=at,
                algorithm=algorithm,
                authority=NATIONAL,
                types=types,
            )
        state = state.replacing(dsc)
        save_state(state, self.state_path)
        return self.reconcile(at)

    def rotate(
        self,
        *,
        at: datetime,
        algorithm: CoseAlgorithm | None = None,
        authority: str = NATIONAL,
        types: Iterable[CertificateType] = (),
    ) -> KeyRecord:
        """Publish a new DSC for ``authority``; the current one signs until the new one starts."""
        state = self.reconcile(at)
        current = _active(state, authority, at)
        start = at + timedelta(days=self.policy.lead_days) if current else at
        chosen = algorithm or CoseAlgorithm[current.algorithm if current else "ES256"]
        with self.backend.open() as session:
            new = self._create_dsc(
                session,
                state,
                at=at,
                start=start,
                algorithm=chosen,
                authority=authority,
                types=types,
            )
        updates = [new]
        if current is not None:
            updates.append(_ending(current, start))
            self.audit.append(
                AuditEvent.ROTATED,
                current.kid_text,
                at=at,
                details={"successor": new.kid_text, "handover": start.isoformat()},
            )
        save_state(state.replacing(*updates), self.state_path)
        self.reconcile(at)
        return new

    def revoke(self, kid: bytes, *, at: datetime, reason: str) -> KeyRecord:
        """Withdraw a DSC (key compromise): out of the trust list, its DCCs fail as REVOKED."""
        state = self.load()
        record = state.dsc(kid)
        if record.revoked_at is not None:
            raise SigningError("this signer is already revoked", code=ErrorCode.KEY_STATE_INVALID)
        revoked = replace(record, revoked_at=at.isoformat(), revocation_reason=reason)
        save_state(state.replacing(revoked), self.state_path)
        self.audit.append(AuditEvent.REVOKED, record.kid_text, at=at, details={"reason": reason})
        return revoked

    def reconcile(self, at: datetime) -> KeyState:
        """Write the activation and retirement events that time has brought about."""
        state = self.load()
        changed = []
        for record in state.dscs:
            event = _PHASE_EVENTS.get(record.phase(at))
            if event is not None and str(event) not in record.logged:
                self.audit.append(event, record.kid_text, at=at, details={"label": record.label})
                changed.append(record.with_logged(str(event)))
        if changed:
            state = state.replacing(*changed)
            save_state(state, self.state_path)
        return state

    @contextmanager
    def active_signer(
        self, *, at: datetime, covers_until: datetime, authority: str = NATIONAL
    ) -> Iterator[ActiveSigner]:
        """Open the backend and yield the DSC signing at ``at``.

        Refuses when its certificate ends before ``covers_until`` (the DCC's ``exp``).
        """
        state = self.reconcile(at)
        record = _active(state, authority, at)
        if record is None:
            raise SigningError(
                "no active document signer: run `vaxpass keys rotate`",
                code=ErrorCode.NO_ACTIVE_SIGNER,
            )
        certificate = record.certificate
        if covers_until > certificate.not_valid_after_utc:
            raise SigningError(
                "the certificate would outlive its document signer: rotate the signer",
                code=ErrorCode.SIGNER_VALIDITY_EXCEEDED,
            )
        with self.backend.open() as session:
            yield ActiveSigner(session.signer(record.label, certificate), certificate, record)

    def publish(
        self, name: str, *, at: datetime, build: Callable[[KeyState, Signer], dict[str, Any]]
    ) -> dict[str, Any]:
        """Build list ``name`` (``build`` may sign entries too), number it and sign it with the
        trust-list key. Sequence numbers only grow, so importers can refuse a rolled-back list."""
        state = self.reconcile(at)
        sequence = state.sequences.get(name, 0) + 1
        record = state.trust_list_signer
        with self.backend.open() as session:
            signer = session.signer(record.label, record.certificate)
            body = {**build(state, signer), "sequence": sequence, "issuedAt": at.isoformat()}
            body["auditHead"] = self.audit.head()
            signed = sign_list(body, signer, record.certificate)
        save_state(replace(state, sequences={**state.sequences, name: sequence}), self.state_path)
        details = {"list": name, "sequence": str(sequence)}
        self.audit.append(AuditEvent.LIST_PUBLISHED, record.label, at=at, details=details)
        return signed

    def _create_csca(self, session: KeySession, at: datetime, country: str) -> KeyRecord:
        label = new_key_label("csca")
        public_key = session.generate(label, CoseAlgorithm.ES256)
        builder = csca_builder(
            public_key,
            country=country,
            common_name=f"{country} CSCA",
            validity=Validity.starting(at, self.policy.csca_days),
        )
        sign = partial(session.sign_x509, label)
        certificate = issue_in_backend(builder, issuer_key=public_key, sign=sign)
        self.audit.append(AuditEvent.CREATED, label, at=at, details={"role": "csca"})
        return record_for(label, "csca", "ES256", certificate)

    def _create_trust_list_signer(
        self, session: KeySession, csca: KeyRecord, at: datetime
    ) -> KeyRecord:
        label = new_key_label("tls")
        public_key = session.generate(label, CoseAlgorithm.ES256)
        certificate = _issued_by_csca(
            session, csca, trust_list_signer_builder(csca.certificate, public_key, not_before=at)
        )
        self.audit.append(AuditEvent.CREATED, label, at=at, details={"role": "trust-list"})
        return record_for(label, "trust-list", "ES256", certificate)

    def _create_dsc(
        self,
        session: KeySession,
        state: KeyState,
        *,
        at: datetime,
        start: datetime,
        algorithm: CoseAlgorithm,
        authority: str,
        types: Iterable[CertificateType],
    ) -> KeyRecord:
        label = new_key_label("dsc")
        usage_end = start + timedelta(days=self.policy.usage_days)
        validity = self.policy.dsc_validity(at, usage_end)
        issuer = state.csca.certificate
        if validity.not_after > issuer.not_valid_after_utc:
            raise SigningError(
                "the CSCA expires before this signer would: renew the CSCA",
                code=ErrorCode.KEY_STATE_INVALID,
            )
        public_key = session.generate(label, algorithm)
        builder = dsc_builder(
            issuer,
            public_key,
            common_name=f"{state.country} DSC {authority} {start:%Y-%m-%d}",
            validity=validity,
            types=types,
        )
        certificate = _issued_by_csca(session, state.csca, builder)
        record = record_for(
            label,
            "dsc",
            algorithm.name,
            certificate,
            authority=authority,
            usage_start=start.isoformat(),
            usage_end=usage_end.isoformat(),
        )
        details = {
            "role": "dsc",
            "label": label,
            "authority": authority,
            "starts": start.isoformat(),
        }
        self.audit.append(AuditEvent.CREATED, record.kid_text, at=at, details=details)
        return record


def _active(state: KeyState, authority: str, at: datetime) -> KeyRecord | None:
    candidates = [
        record
        for record in state.dscs
        if record.authority == authority and record.phase(at) is Phase.ACTIVE
    ]
    return max(candidates, key=lambda record: record.usage_start or "", default=None)


def _ending(record: KeyRecord, end: datetime) -> KeyRecord:
    current_end = parse_instant(record.usage_end) if record.usage_end else end
    return replace(record, usage_end=min(current_end, end).isoformat())


def _issued_by_csca(
    session: KeySession, csca: KeyRecord, builder: x509.CertificateBuilder
) -> x509.Certificate:
    sign = partial(session.sign_x509, csca.label)
    return issue_in_backend(builder, issuer_key=signing_key_of(csca.certificate), sign=sign)
