"""CBOR Web Token claims (RFC 8392) with the HCERT claim of the EU DCC."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeGuard

import cbor2

from vaxpass.errors import DecodeError, ErrorCode, Stage
from vaxpass.formats.cbor import loads_whole

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_HCERT = -260
HCERT_DCC = 1
_MAX_INTEGER_BYTES = 8


@dataclass(frozen=True, slots=True)
class CwtClaims:
    """The claims a DCC carries; ``dcc`` is the payload under ``hcert[1]`` when present."""

    issuer: str | None
    issued_at: int | None
    expires_at: int | None
    dcc: Mapping[str, Any] | None
    raw: Mapping[Any, Any] = field(default_factory=dict, compare=False)


def encode_cwt(*, issuer: str, issued_at: int, expires_at: int, dcc: Mapping[str, Any]) -> bytes:
    """CBOR-encode the CWT claims of a DCC."""
    claims = {
        CLAIM_ISS: issuer,
        CLAIM_IAT: issued_at,
        CLAIM_EXP: expires_at,
        CLAIM_HCERT: {HCERT_DCC: dict(dcc)},
    }
    return cbor2.dumps(claims)


def _date_time_text(value: Any, _immutable: bool) -> Any:
    """Tag 0 (RFC 3339 text) stays the text the payload schema expects."""
    return value


def _epoch_text(value: Any, _immutable: bool) -> Any:
    """Tag 1 (epoch seconds) becomes RFC 3339 text, the form the payload schema expects."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        try:
            return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            return value
    return value


def _bignum(value: Any, _immutable: bool) -> Any:
    """Tag 2, refused beyond 64 bits: no claim or payload field needs more, and wider integers
    break everything that prints them (error messages, JSON reports)."""
    if not isinstance(value, bytes) or len(value.lstrip(b"\0")) > _MAX_INTEGER_BYTES:
        raise cbor2.CBORDecodeError("bignum wider than 64 bits")
    return int.from_bytes(value, "big")


def _negative_bignum(value: Any, immutable: bool) -> Any:
    return -1 - _bignum(value, immutable)


def _no_shared_values(_value: Any, _immutable: bool) -> Any:
    """Value sharing (tags 28/29) and string references (tags 256/25) are refused: a few bytes
    of them make cyclic or exponentially large documents, and a JSON payload never needs them."""
    raise cbor2.CBORDecodeError("shared values and string references are not accepted")


def _no_complex(_value: Any, _immutable: bool) -> Any:
    """Tag 43000 (complex number) is refused: JSON has none, and an unordered number breaks
    every ``minimum``/``maximum`` comparison of the payload schema."""
    raise cbor2.CBORDecodeError("complex numbers are not accepted")


# DCC fields such as a test's sample time may be CBOR-tagged date/times; the payload is a JSON
# document, so they are kept as text instead of becoming ``datetime`` objects.
_SEMANTIC_DECODERS = {
    0: _date_time_text,
    1: _epoch_text,
    2: _bignum,
    3: _negative_bignum,
    **dict.fromkeys((25, 28, 29, 256), _no_shared_values),
    43000: _no_complex,
}


def decode_cbor_document(data: bytes) -> Any:
    """Decode CBOR as a JSON-like document (tagged date/times kept as text, no duplicate keys)."""
    try:
        return loads_whole(data, semantic_decoders=_SEMANTIC_DECODERS, allow_duplicate_keys=False)
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise _invalid("payload is not well-formed CBOR") from exc


def decode_cwt(data: bytes) -> CwtClaims:
    """Decode CWT claims; malformed structure or claim types raise ``DecodeError``."""
    claims = decode_cbor_document(data)
    if not _is_map(claims) or not all(type(key) is int or type(key) is str for key in claims):
        raise _invalid("claims are not a CBOR map of integer or text keys")
    return CwtClaims(
        issuer=_text_claim(claims, CLAIM_ISS),
        issued_at=_time_claim(claims, CLAIM_IAT, math.ceil),
        expires_at=_time_claim(claims, CLAIM_EXP, math.floor),
        dcc=_dcc_claim(claims),
        raw=claims,
    )


def _text_claim(claims: Mapping[Any, Any], key: int) -> str | None:
    value = claims.get(key)
    if value is not None and not isinstance(value, str):
        raise _invalid(f"claim {key} must be a text string")
    return value


def _time_claim(
    claims: Mapping[Any, Any], key: int, to_whole_seconds: Callable[[float], int]
) -> int | None:
    """A NumericDate claim in whole seconds; a fraction is rounded towards the stricter side
    (``iat`` up, ``exp`` down) so that a comparison in seconds never widens the validity."""
    value = claims.get(key)
    if type(value) is int or value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(f"claim {key} must be a number of seconds")
    if isinstance(value, float) and not math.isfinite(value):
        raise _invalid(f"claim {key} must be a finite number")
    return to_whole_seconds(value)


def _dcc_claim(claims: Mapping[Any, Any]) -> Mapping[str, Any] | None:
    hcert = claims.get(CLAIM_HCERT)
    if hcert is None:
        return None
    if not _is_map(hcert):
        raise _invalid("hcert claim must be a map")
    dcc = hcert.get(HCERT_DCC)
    if dcc is None:
        return None
    if not _is_map(dcc):
        raise _invalid("hcert[1] must be a map")
    return dcc


def _is_map(item: Any) -> TypeGuard[Mapping[Any, Any]]:
    # cbor2 decodes maps to ``dict``; the exact type test spares the slower ABC check.
    return type(item) is dict or isinstance(item, Mapping)


def _invalid(reason: str) -> DecodeError:
    return DecodeError(Stage.CWT, ErrorCode.CBOR_INVALID, f"invalid CWT: {reason}")
