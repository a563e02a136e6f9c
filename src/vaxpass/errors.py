"""The whole exception tree of vaxpass, with stable error codes.

::

    VaxpassError                 every error carries a stable ``ErrorCode``
    ├── DecodeError              a codec stage rejected its input (``stage`` says which)
    ├── VerificationError        a certificate failed verification (strict verifier only)
    ├── SigningError             a certificate could not be signed (key, certificate, policy)
    ├── TrustStoreError          a trust anchor or trust list could not be loaded
    ├── ValidationError          input data (payload, settings) broke a rule; lists field errors
    ├── ImportFileError          an import file cannot be read at all (format, encoding, size)
    ├── RegistryError            the population registry is unreachable or answered nonsense
    ├── StorageError             the database refused an operation or its schema is unusable
    └── ConfigurationError       settings are missing, inconsistent or unsafe

Codes are part of the public contract (CLI ``--json`` output, API bodies): never rename one.
Messages never echo personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable, documented error codes."""

    INPUT_TOO_LARGE = "INPUT_TOO_LARGE"
    PICTURE_DECODE_FAILED = "PICTURE_DECODE_FAILED"
    PREFIX_INVALID = "PREFIX_INVALID"
    BASE45_INVALID = "BASE45_INVALID"
    DECOMPRESSION_FAILED = "DECOMPRESSION_FAILED"
    DECOMPRESSED_TOO_LARGE = "DECOMPRESSED_TOO_LARGE"
    COSE_INVALID = "COSE_INVALID"
    CBOR_INVALID = "CBOR_INVALID"
    ALGORITHM_NOT_ALLOWED = "ALGORITHM_NOT_ALLOWED"
    KID_MISSING = "KID_MISSING"
    KID_UNKNOWN = "KID_UNKNOWN"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    SIGNER_CERTIFICATE_NOT_VALID = "SIGNER_CERTIFICATE_NOT_VALID"
    HCERT_MISSING = "HCERT_MISSING"
    SCHEMA_INVALID = "SCHEMA_INVALID"
    ENTRY_COUNT_INVALID = "ENTRY_COUNT_INVALID"
    KEY_USAGE_MISMATCH = "KEY_USAGE_MISMATCH"
    REVOKED = "REVOKED"
    REVOCATION_LIST_STALE = "REVOCATION_LIST_STALE"
    VALUE_SET_INVALID = "VALUE_SET_INVALID"
    SIGNING_FAILED = "SIGNING_FAILED"
    TRUST_STORE_INVALID = "TRUST_STORE_INVALID"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    CONFIGURATION_INVALID = "CONFIGURATION_INVALID"
    IMPORT_FILE_INVALID = "IMPORT_FILE_INVALID"
    REGISTRY_UNAVAILABLE = "REGISTRY_UNAVAILABLE"
    REGISTRY_RESPONSE_INVALID = "REGISTRY_RESPONSE_INVALID"
    STORAGE_FAILED = "STORAGE_FAILED"
    HSM_UNAVAILABLE = "HSM_UNAVAILABLE"
    SIGNER_VALIDITY_EXCEEDED = "SIGNER_VALIDITY_EXCEEDED"
    NO_ACTIVE_SIGNER = "NO_ACTIVE_SIGNER"
    KEY_STATE_INVALID = "KEY_STATE_INVALID"
    AUDIT_LOG_TAMPERED = "AUDIT_LOG_TAMPERED"
    TRUST_LIST_UNSIGNED = "TRUST_LIST_UNSIGNED"
    TRUST_LIST_SIGNATURE_INVALID = "TRUST_LIST_SIGNATURE_INVALID"
    TRUST_LIST_ROLLBACK = "TRUST_LIST_ROLLBACK"
    TRUST_LIST_UNTRUSTED = "TRUST_LIST_UNTRUSTED"
    TRUST_LIST_PRIVATE_KEY = "TRUST_LIST_PRIVATE_KEY"
    AUTHORITY_UNKNOWN = "AUTHORITY_UNKNOWN"
    AUTHORITY_UNTRUSTED = "AUTHORITY_UNTRUSTED"
    AUTHORITY_SCOPE_MISMATCH = "AUTHORITY_SCOPE_MISMATCH"


class Stage(StrEnum):
    """The HCERT pipeline stages, in the order a verifier runs them."""

    PICTURE = "picture_decode"
    PREFIX = "unprefix"
    BASE45 = "base45_decode"
    ZLIB = "decompress"
    COSE = "cose_decode"
    CWT = "cbor_decode"
    SCHEMA = "schema"
    SIGNATURE = "signature"
    KEY_USAGE = "key_usage"
    EXPIRATION = "expiration"


class VaxpassError(Exception):
    """Root of every error raised by vaxpass."""

    code: ErrorCode = ErrorCode.VALIDATION_FAILED

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class DecodeError(VaxpassError):
    """A codec stage rejected its input."""

    def __init__(self, stage: Stage, code: ErrorCode, message: str) -> None:
        super().__init__(message, code=code)
        self.stage = stage


class VerificationError(VaxpassError):
    """A certificate failed verification (raised by the strict verifier only)."""


class SigningError(VaxpassError):
    """A certificate could not be signed."""

    code = ErrorCode.SIGNING_FAILED


class TrustStoreError(VaxpassError):
    """A trust anchor or trust list could not be loaded or is not trustworthy."""

    code = ErrorCode.TRUST_STORE_INVALID


@dataclass(frozen=True, slots=True)
class FieldError:
    """One rejected field: a JSON-pointer-like location and the reason (never the value)."""

    field: str
    reason: str


class ValidationError(VaxpassError):
    """Input data broke one or more rules; ``errors`` says which fields and why."""

    code = ErrorCode.VALIDATION_FAILED

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors: list[FieldError] = list(errors or [])


class ConfigurationError(VaxpassError):
    """Settings are missing, inconsistent or unsafe."""

    code = ErrorCode.CONFIGURATION_INVALID


class ImportFileError(VaxpassError):
    """An import file cannot be read at all; ``row`` is the physical row where reading stopped."""

    code = ErrorCode.IMPORT_FILE_INVALID

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


class RegistryError(VaxpassError):
    """The population registry could not be reached or gave an unusable answer."""

    code = ErrorCode.REGISTRY_UNAVAILABLE


class StorageError(VaxpassError):
    """The database refused an operation or its schema cannot be brought up to date."""

    code = ErrorCode.STORAGE_FAILED
