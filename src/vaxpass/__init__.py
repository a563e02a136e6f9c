"""vaxpass: national electronic vaccine passports (EU DCC issuance and offline verification)."""

from __future__ import annotations

from vaxpass.errors import (
    ConfigurationError,
    DecodeError,
    ErrorCode,
    SigningError,
    Stage,
    TrustStoreError,
    ValidationError,
    VaxpassError,
    VerificationError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigurationError",
    "DecodeError",
    "ErrorCode",
    "SigningError",
    "Stage",
    "TrustStoreError",
    "ValidationError",
    "VaxpassError",
    "VerificationError",
    "__version__",
]
