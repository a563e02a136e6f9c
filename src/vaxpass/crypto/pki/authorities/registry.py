"""The registry of confirming authorities (``authorities.json`` plus the key audit log): issues
certificates from the development authority CA or imports external ones, revokes them, lends
issued authorities' signers and verifies registered authorities' confirmations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from cryptography import x509

from vaxpass.crypto.backend import KeyBackend, KeySession, new_key_label
from vaxpass.crypto.pki.audit import AuditEvent, AuditLog
from vaxpass.crypto.pki.authorities.chain import imported_path
from vaxpass.crypto.pki.authorities.confirmation import verify_registered_confirmation
from vaxpass.crypto.pki.authorities.development_ca import (
    AuthorityPolicy,
    create_authority_ca,
    issue_authority_certificate,
)
from vaxpass.crypto.pki.authorities.identity import authority_id, checked_name, holder_name
from vaxpass.crypto.pki.authorities.state import (
    IMPORTED,
    ISSUED,
    STATE_FILE,
    AuthorityRecord,
    AuthorityState,
    load_authorities,
    load_pem_certificate,
    pem_text,
    save_authorities,
)
from vaxpass.crypto.signer import CoseAlgorithm, Signer
from vaxpass.domain.facility import SigningAuthority
from vaxpass.errors import ErrorCode, SigningError, TrustStoreError, VaxpassError, VerificationError


class AuthorityRegistry:
    """The confirming authorities' certificates, the development CA and their keys."""

    def __init__(
        self, directory: Path, backend: KeyBackend, policy: AuthorityPolicy | None = None
    ) -> None:
        self.directory = directory
        self.backend = backend
        self.policy = policy or AuthorityPolicy()
        self.state_path = directory / STATE_FILE
        self.audit = AuditLog(directory / "audit.log")

    def load(self) -> AuthorityState:
        return load_authorities(self.state_path)

    def get(self, identifier: str) -> AuthorityRecord:
        return self.load().find(identifier)

    def anchors(self) -> list[x509.Certificate]:
        """Every anchor an authority chains to (the development CA and pinned roots)."""
        distinct = dict.fromkeys(record.anchor_pem for record in self.load().authorities)
        return [load_pem_certificate(pem) for pem in distinct]

    def issue(
        self,
        authority: SigningAuthority,
        *,
        name: str,
        at: datetime,
        common_name: str | None = None,
        algorithm: CoseAlgorithm = CoseAlgorithm.ES256,
    ) -> AuthorityRecord:
        """Generate the authority's key on the backend and issue its certificate."""
        names = checked_name(name), checked_name(common_name or name)
        state = self._keyed_state()
        with self.backend.open() as session:
            state = self._ensure_ca(state, session, at)
            assert state.ca is not None
            label = new_key_label("auth")
            certificate = issue_authority_certificate(
                session,
                state.ca,
                session.generate(label, algorithm),
                authority,
                policy=self.policy,
                names=names,
                at=at,
            )
        record = AuthorityRecord(
            id=authority_id(certificate),
            role=str(authority.kind),
            scope=authority.scope,
            name=names[0],
            origin=ISSUED,
            recorded_at=at.isoformat(),
            certificate_pem=pem_text(certificate),
            anchor_pem=state.ca.certificate_pem,
            label=label,
        )
        return self._register(state, record, AuditEvent.ISSUED, at)

    def import_chain(
        self,
        pem: bytes,
        anchor: x509.Certificate,
        authority: SigningAuthority,
        *,
        at: datetime,
        name: str | None = None,
    ) -> AuthorityRecord:
        """Register an externally issued certificate (leaf first, then its intermediates)."""
        path = imported_path(pem, anchor, at=at)
        leaf = path[0]
        state = self.load()
        if any(record.id == authority_id(leaf) for record in state.authorities):
            raise TrustStoreError(
                "this certificate is already registered", code=ErrorCode.KEY_STATE_INVALID
            )
        record = AuthorityRecord(
            id=authority_id(leaf),
            role=str(authority.kind),
            scope=authority.scope,
            name=checked_name(name or holder_name(leaf)),
            origin=IMPORTED,
            recorded_at=at.isoformat(),
            certificate_pem=pem_text(leaf),
            anchor_pem=pem_text(anchor),
            chain_pem=tuple(pem_text(cert) for cert in path[1:-1]),
        )
        return self._register(state, record, AuditEvent.IMPORTED, at)

    def revoke(self, identifier: str, *, at: datetime, reason: str) -> AuthorityRecord:
        """Withdraw an authority's certificate: it neither signs nor verifies any more."""
        state = self.load()
        record = state.find(identifier)
        if record.revoked_at is not None:
            raise SigningError(
                "this authority is already revoked", code=ErrorCode.KEY_STATE_INVALID
            )
        revoked = replace(record, revoked_at=at.isoformat(), revocation_reason=reason)
        return self._register(state, revoked, AuditEvent.REVOKED, at, reason=reason)

    @contextmanager
    def signer(self, identifier: str, *, at: datetime) -> Iterator[Signer]:
        """Open the backend and yield the authority's signer (issued authorities only)."""
        state = self._keyed_state()
        record = state.find(identifier)
        record.require_usable(at)
        if record.label is None:
            raise SigningError(
                "an imported authority signs with its own key, not here",
                code=ErrorCode.KEY_STATE_INVALID,
            )
        with self.backend.open() as session:
            yield session.signer(record.label, record.certificate)

    def verify_confirmation(
        self,
        data: bytes,
        signature: bytes,
        identifier: str,
        *,
        at: datetime,
        authority: SigningAuthority,
    ) -> AuthorityRecord:
        """Check a confirmation by the registered authority ``identifier`` acting as
        ``authority``; raises ``VerificationError``."""
        try:
            record = self.get(identifier)
        except VaxpassError as exc:
            raise VerificationError(exc.message, code=exc.code) from exc
        verify_registered_confirmation(data, signature, record, at=at, authority=authority)
        return record

    def _keyed_state(self) -> AuthorityState:
        state = self.load()
        if state.backend not in {None, self.backend.name}:
            raise SigningError(
                f"the authority keys were created on the {state.backend} backend, "
                f"not {self.backend.name}",
                code=ErrorCode.CONFIGURATION_INVALID,
            )
        return state

    def _ensure_ca(
        self, state: AuthorityState, session: KeySession, at: datetime
    ) -> AuthorityState:
        if state.ca is not None:
            return state
        ca = create_authority_ca(session, self.policy, at=at)
        state = replace(state, backend=self.backend.name, ca=ca)
        save_authorities(state, self.state_path)
        self.audit.append(AuditEvent.CREATED, ca.label, at=at, details={"role": "authority-ca"})
        return state

    def _register(
        self,
        state: AuthorityState,
        record: AuthorityRecord,
        event: AuditEvent,
        at: datetime,
        **extra: str,
    ) -> AuthorityRecord:
        save_authorities(state.replacing(record), self.state_path)
        details = {"role": record.role, "scope": record.scope, "origin": record.origin, **extra}
        self.audit.append(event, record.id, at=at, details=details)
        return record
