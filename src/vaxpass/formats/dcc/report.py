"""What a verification reports: per-check outcomes, the first failure, header and payload."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from vaxpass.crypto.signer import CoseAlgorithm
from vaxpass.errors import ErrorCode

if TYPE_CHECKING:
    from vaxpass.formats.cose import CoseSign1
    from vaxpass.formats.cwt import CwtClaims
    from vaxpass.formats.dcc.trust import TrustedSigner

_JSON_INT_BITS = 64

CHECK_NAMES = (
    "picture_decode",
    "unprefix",
    "base45_decode",
    "decompress",
    "cose_decode",
    "cbor_decode",
    "schema",
    "signature",
    "key_usage",
    "expiration",
    "revocation",
)


class CheckRecorder(Protocol):
    """Where a rule records its outcome."""

    def passed(self, check: str) -> None: ...

    def failed(self, check: str, code: ErrorCode, message: str) -> None: ...


@dataclass(frozen=True, slots=True)
class VerificationFailure:
    code: ErrorCode
    message: str
    check: str

    def to_json(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message}


@dataclass(frozen=True, slots=True)
class DccHeader:
    kid: bytes | None = None
    alg: int | None = None
    iss: str | None = None
    iat: int | None = None
    exp: int | None = None

    @classmethod
    def of(cls, message: CoseSign1, claims: CwtClaims | None = None) -> DccHeader:
        alg = message.algorithm_id
        return cls(
            kid=message.kid,
            alg=alg if isinstance(alg, int) and not isinstance(alg, bool) else None,
            iss=claims.issuer if claims else None,
            iat=claims.issued_at if claims else None,
            exp=claims.expires_at if claims else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": base64.b64encode(self.kid).decode() if self.kid is not None else None,
            "alg": _algorithm_name(self.alg),
            "iss": self.iss,
            "iat": _json_int(self.iat) if self.iat is not None else None,
            "exp": _json_int(self.exp) if self.exp is not None else None,
        }


def _algorithm_name(alg: int | None) -> str | int | None:
    if alg is None:
        return None
    try:
        return CoseAlgorithm(alg).name
    except ValueError:
        return _json_int(alg)


@dataclass(frozen=True, slots=True)
class VerificationResult:
    valid: bool
    error: VerificationFailure | None
    failures: tuple[VerificationFailure, ...]
    checks: Mapping[str, bool | None]
    header: DccHeader = field(default_factory=DccHeader)
    payload: Mapping[str, Any] | None = None
    signer: TrustedSigner | None = None

    @property
    def codes(self) -> tuple[ErrorCode, ...]:
        return tuple(failure.code for failure in self.failures)

    def to_json(self) -> dict[str, Any]:
        """The CLI/API shape: valid, format, error, checks, header, payload."""
        return {
            "valid": self.valid,
            "format": "dcc",
            "error": self.error.to_json() if self.error else None,
            "checks": dict(self.checks),
            "header": self.header.to_json(),
            "payload": _jsonable(self.payload) if self.payload is not None else None,
        }


def _jsonable(value: Any) -> Any:
    """Hostile payloads may hold CBOR types JSON lacks; show them without failing."""
    if isinstance(value, Mapping):
        return {_text(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return _json_int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return _text(value)


def _json_int(value: int) -> int | str:
    """Integers wider than 64 bits (CBOR bignums) as hexadecimal text: Python refuses decimal
    text for huge integers, and no JSON reader would keep them exact anyway."""
    return value if value.bit_length() <= _JSON_INT_BITS else hex(value)


def _text(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(_json_int(value))
    try:
        return str(value)
    except ValueError:  # e.g. a tag or array key holding an integer too wide for decimal text
        return f"<{type(value).__name__}>"
