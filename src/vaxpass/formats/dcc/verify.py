"""The offline EU DCC verifier.

``verify_qr`` never raises for bad input: it returns a ``VerificationResult`` with a stable
error code (the first failure, in the order a compliant verifier checks) and the outcome of every
check that could run. Checks keep running after a failure so that a report is complete; the
verdict is valid only when every check passed.

Order: size gate → picture → prefix → Base45 → zlib → COSE structure → algorithm allow-list bound
to the key type → kid → trust lookup (every certificate with that kid, never others) → signature
→ CWT time claims (clock and signer certificate validity) → hcert present → schema → key usage →
revocation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from vaxpass.clock import as_utc
from vaxpass.crypto.keys import verify_matching_key
from vaxpass.errors import DecodeError, ErrorCode, Stage
from vaxpass.formats.base45 import decode_base45
from vaxpass.formats.cose import CoseSign1, algorithm_of, decode_cose
from vaxpass.formats.cwt import CwtClaims, decode_cwt
from vaxpass.formats.dcc.prefix import remove_prefix
from vaxpass.formats.dcc.report import (
    CHECK_NAMES,
    DccHeader,
    VerificationFailure,
    VerificationResult,
)
from vaxpass.formats.dcc.rules import check_expiration, check_key_usage, check_schema
from vaxpass.formats.dcc.trust import TrustedSigner, TrustStore
from vaxpass.formats.qr import looks_like_image, read_qr_image
from vaxpass.formats.zlib import decompress_zlib

__all__ = ["RevocationChecker", "VerificationResult", "verify_cose_message", "verify_qr"]

MAX_TEXT_CHARS = 8 * 1024
MAX_IMAGE_BYTES = 16 * 1024 * 1024


class RevocationChecker(Protocol):
    def is_revoked(
        self, signer: TrustedSigner, message: CoseSign1, dcc: Mapping[str, Any]
    ) -> bool: ...


_NO_HEADER = DccHeader()  # immutable: one instance serves every run without a header
_TRANSPORT_STAGES = (Stage.PREFIX, Stage.BASE45, Stage.ZLIB)


class _Run:
    """Accumulates check outcomes and failures while one input is verified."""

    __slots__ = ("checks", "failures", "header", "payload", "signer")

    def __init__(self) -> None:
        self.checks: dict[str, bool | None] = dict.fromkeys(CHECK_NAMES)
        self.failures: list[VerificationFailure] = []
        self.header = _NO_HEADER
        self.payload: Mapping[str, Any] | None = None
        self.signer: TrustedSigner | None = None

    def passed(self, check: str) -> None:
        if self.checks.get(check) is None:
            self.checks[check] = True

    def failed(self, check: str, code: ErrorCode, message: str) -> None:
        self.checks[check] = False
        self.failures.append(VerificationFailure(code, message, check))

    def failed_with(self, error: DecodeError) -> None:
        self.failed(str(error.stage), error.code, error.message)

    def result(self) -> VerificationResult:
        """The outcome; the run hands over its ``checks`` dict and must not be used after."""
        failures = self.failures
        return VerificationResult(
            valid=not failures and False not in self.checks.values(),
            error=failures[0] if failures else None,
            failures=tuple(failures),
            checks=self.checks,
            header=self.header,
            payload=self.payload,
            signer=self.signer,
        )


def verify_qr(
    data: bytes | str,
    trust_store: TrustStore,
    *,
    at: datetime,
    revocations: RevocationChecker | None = None,
) -> VerificationResult:
    """Verify a DCC given as ``HC1:`` text or as a picture of its QR code."""
    run = _Run()
    text = _read_input(data, run)
    if text is None:
        return run.result()
    try:  # decode_transport's stages, without keeping the intermediate layers
        cose = decompress_zlib(decode_base45(remove_prefix(text)))
    except DecodeError as error:
        _mark_transport_failure(run, error)
        return run.result()
    for check in _TRANSPORT_STAGES:
        run.passed(check)
    _verify_cose_bytes(cose, trust_store, as_utc(at), revocations, run)
    return run.result()


def verify_cose_message(
    cose: bytes,
    trust_store: TrustStore,
    *,
    at: datetime,
    revocations: RevocationChecker | None = None,
) -> VerificationResult:
    """Verify from the COSE stage on (transport checks are reported as not applicable)."""
    run = _Run()
    _verify_cose_bytes(cose, trust_store, as_utc(at), revocations, run)
    return run.result()


def _read_input(data: bytes | str, run: _Run) -> str | None:
    if isinstance(data, bytes) and looks_like_image(data):
        if len(data) > MAX_IMAGE_BYTES:
            run.failed(Stage.PICTURE, ErrorCode.INPUT_TOO_LARGE, "picture too large")
            return None
        try:
            text = read_qr_image(data)
        except DecodeError as error:
            run.failed_with(error)
            return None
        run.passed(Stage.PICTURE)
        data = text
    if isinstance(data, bytes):
        try:
            data = data.decode("ascii")
        except UnicodeDecodeError:
            run.failed(Stage.PREFIX, ErrorCode.PREFIX_INVALID, "input is not ASCII text")
            return None
    data = data.strip()
    if len(data) > MAX_TEXT_CHARS:
        run.failed(Stage.PREFIX, ErrorCode.INPUT_TOO_LARGE, "input longer than any QR code")
        return None
    return data


def _mark_transport_failure(run: _Run, error: DecodeError) -> None:
    order = _TRANSPORT_STAGES
    for stage in order[: order.index(error.stage)]:
        run.passed(stage)
    run.failed_with(error)


def _verify_cose_bytes(
    cose: bytes,
    trust_store: TrustStore,
    at: datetime,
    revocations: RevocationChecker | None,
    run: _Run,
) -> None:
    try:
        message = decode_cose(cose)
    except DecodeError as error:
        run.failed_with(error)
        return
    run.passed(Stage.COSE)
    candidates = _check_signature(message, trust_store, run)
    claims = _decode_claims(message, run)
    run.header = DccHeader.of(message, claims)
    if claims is None:
        return
    check_expiration(claims, run.signer or _first(candidates), at, run)
    dcc = claims.dcc
    if dcc is None:
        run.failed(Stage.CWT, ErrorCode.HCERT_MISSING, "the CWT carries no hcert claim")
        return
    run.payload = dcc
    check_schema(dcc, run)
    check_key_usage(dcc, run.signer or _first(candidates), run)
    _check_revocation(revocations, message, dcc, run)


def _check_signature(
    message: CoseSign1, trust_store: TrustStore, run: _Run
) -> Sequence[TrustedSigner]:
    # The candidates are looked up even when the algorithm is refused, so that the checks that
    # only need the signer certificate (key usage, its validity) can still be reported.
    kid = message.kid
    candidates = trust_store.signers_for(kid) if kid is not None else ()
    algorithm = algorithm_of(message)
    if algorithm is None:
        run.failed(Stage.SIGNATURE, ErrorCode.ALGORITHM_NOT_ALLOWED, "algorithm not allowed")
        return candidates
    if kid is None:
        run.failed(Stage.SIGNATURE, ErrorCode.KID_MISSING, "no key identifier in the headers")
        return ()
    if not candidates:
        run.failed(Stage.SIGNATURE, ErrorCode.KID_UNKNOWN, "no trusted signer with this kid")
        return ()
    fitting = [c for c in candidates if algorithm in c.algorithms]
    if not fitting:
        run.failed(
            Stage.SIGNATURE,
            ErrorCode.ALGORITHM_NOT_ALLOWED,
            "the algorithm does not match the signer's key type",
        )
        return candidates
    signed = message.to_be_signed()
    for candidate in fitting:
        if verify_matching_key(algorithm, candidate.public_key, signed, message.signature):
            run.signer = candidate
            run.passed(Stage.SIGNATURE)
            return candidates
    run.failed(Stage.SIGNATURE, ErrorCode.SIGNATURE_INVALID, "signature does not verify")
    return candidates


def _decode_claims(message: CoseSign1, run: _Run) -> CwtClaims | None:
    try:
        claims = decode_cwt(message.payload)
    except DecodeError as error:
        run.failed_with(error)
        return None
    run.passed(Stage.CWT)
    return claims


def _check_revocation(
    revocations: RevocationChecker | None,
    message: CoseSign1,
    dcc: Mapping[str, Any],
    run: _Run,
) -> None:
    if revocations is None or run.signer is None:
        return
    if revocations.is_revoked(run.signer, message, dcc):
        run.failed("revocation", ErrorCode.REVOKED, "the certificate has been revoked")
    else:
        run.passed("revocation")


def _first(candidates: Sequence[TrustedSigner]) -> TrustedSigner | None:
    return candidates[0] if candidates else None
