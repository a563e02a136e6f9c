"""COSE_Sign1 (RFC 9052) as the EU DCC uses it.

Structure decoding is separate from signature checking so that a verifier can report both.
The Sig_structure is built directly with cbor2 (no COSE library on the hot path).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeGuard

import cbor2

from vaxpass.crypto.signer import CoseAlgorithm, Signer
from vaxpass.errors import DecodeError, ErrorCode, Stage
from vaxpass.formats.cbor import loads_whole

COSE_SIGN1_TAG = 18
CWT_TAG = 61
HEADER_ALG = 1
HEADER_KID = 4
MAX_COSE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class CoseSign1:
    """A decoded COSE_Sign1 message; ``protected`` keeps the exact signed header bytes."""

    protected: bytes
    protected_header: Mapping[Any, Any]
    unprotected_header: Mapping[Any, Any]
    payload: bytes
    signature: bytes

    @property
    def algorithm_id(self) -> Any:
        """``alg`` from the protected header, else from the unprotected one."""
        if HEADER_ALG in self.protected_header:
            return self.protected_header[HEADER_ALG]
        return self.unprotected_header.get(HEADER_ALG)

    @property
    def kid(self) -> bytes | None:
        """``kid`` from the protected header (it wins), else from the unprotected one."""
        for header in (self.protected_header, self.unprotected_header):
            if HEADER_KID in header:
                value = header[HEADER_KID]
                return value if isinstance(value, bytes) else None
        return None

    def to_be_signed(self) -> bytes:
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The bytes a COSE_Sign1 signature covers (empty external AAD)."""
    return b"".join(
        (_SIG_STRUCTURE_START, _byte_string(protected), _EMPTY_BYTES, _byte_string(payload))
    )


def sign_cose(payload: bytes, signer: Signer, *, kid_in_protected: bool = True) -> bytes:
    """Sign ``payload`` as a tagged COSE_Sign1 with ``alg`` (and ``kid``) protected."""
    protected, unprotected = _headers(int(signer.algorithm), signer.kid, kid_in_protected)
    signature = signer.sign(sig_structure(protected, payload))
    return b"".join(
        (
            _TAGGED_SIGN1_START,
            _byte_string(protected),
            unprotected,
            _byte_string(payload),
            _byte_string(signature),
        )
    )


# The fixed CBOR around the variable parts, written out directly: cbor2 would build the same
# bytes (shortest-form heads, as RFC 8949 deterministic encoding requires) from Python lists.
_ARRAY_OF_FOUR = b"\x84"
_SIG_STRUCTURE_START = _ARRAY_OF_FOUR + cbor2.dumps("Signature1")
_EMPTY_BYTES = cbor2.dumps(b"")
_TAGGED_SIGN1_START = bytes((0xC0 | COSE_SIGN1_TAG,)) + _ARRAY_OF_FOUR
_MAJOR_BYTES = 0x40


def _byte_string(data: bytes) -> bytes:
    return _byte_string_head(len(data)) + data


def _byte_string_head(length: int) -> bytes:
    """The CBOR head of a byte string of ``length`` bytes (shortest form)."""
    if length < 24:
        return bytes((_MAJOR_BYTES | length,))
    for additional, size in ((24, 1), (25, 2), (26, 4)):
        if length < 1 << (8 * size):
            return bytes((_MAJOR_BYTES | additional,)) + length.to_bytes(size, "big")
    return bytes((_MAJOR_BYTES | 27,)) + length.to_bytes(8, "big")


@lru_cache(maxsize=256)
def _headers(algorithm: int, kid: bytes, kid_in_protected: bool) -> tuple[bytes, bytes]:
    """The encoded protected header and unprotected header map; one pair per signer key."""
    header: dict[int, Any] = {HEADER_ALG: algorithm}
    unprotected: dict[int, Any] = {}
    (header if kid_in_protected else unprotected)[HEADER_KID] = kid
    return cbor2.dumps(header), cbor2.dumps(unprotected)


def decode_cose(data: bytes) -> CoseSign1:
    """Decode a COSE_Sign1 (tag 18, optionally inside the CWT tag 61, or untagged)."""
    if len(data) > MAX_COSE_BYTES:
        raise _invalid("message too large")
    try:
        item = loads_whole(data, allow_duplicate_keys=False)
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise _invalid("not well-formed CBOR") from exc
    item = _untag(item)
    if (type(item) is not list and not isinstance(item, tuple)) or len(item) != 4:
        raise _invalid("not a COSE_Sign1 array of four elements")
    protected, unprotected, payload, signature = item
    if not isinstance(protected, bytes) or not _is_label_map(unprotected):
        raise _invalid("malformed headers")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise _invalid("payload and signature must be byte strings")
    return CoseSign1(protected, _decode_protected(protected), unprotected, payload, signature)


def _untag(item: Any) -> Any:
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise _invalid(f"unexpected CBOR tag {item.tag}")
        item = item.value
    return item


def _decode_protected(protected: bytes) -> Mapping[Any, Any]:
    if not protected:
        return {}
    try:
        header = loads_whole(protected, allow_duplicate_keys=False)
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise _invalid("protected header is not well-formed CBOR") from exc
    if not _is_label_map(header):
        raise _invalid("protected header is not a map of integer or text labels")
    return header


def _is_map(item: Any) -> TypeGuard[Mapping[Any, Any]]:
    # cbor2 decodes maps to ``dict``, and to ``frozendict`` inside a tag (as the unprotected
    # header of a tagged COSE_Sign1 is): exact type tests spare the slower ABC check.
    return type(item) is dict or type(item) is cbor2.frozendict or isinstance(item, Mapping)


def _is_label_map(item: Any) -> TypeGuard[Mapping[Any, Any]]:
    """A map whose keys are COSE labels (integers or text). Python would let ``true`` or
    ``1.0`` stand for label 1 in a lookup, so any other key type is refused."""
    return _is_map(item) and all(_is_label(key) for key in item)


def _is_label(key: Any) -> bool:
    return type(key) is int or type(key) is str


_ALLOWED_ALGORITHMS = {int(algorithm): algorithm for algorithm in CoseAlgorithm}


def algorithm_of(message: CoseSign1) -> CoseAlgorithm | None:
    """The message's algorithm if it is on the allow-list, else ``None``."""
    value = message.algorithm_id
    if type(value) is int:  # what cbor2 decodes; a dict lookup is cheaper than the enum call
        return _ALLOWED_ALGORITHMS.get(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    try:
        return CoseAlgorithm(value)
    except ValueError:
        return None


def _invalid(reason: str) -> DecodeError:
    return DecodeError(Stage.COSE, ErrorCode.COSE_INVALID, f"invalid COSE_Sign1: {reason}")
