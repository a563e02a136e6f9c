"""Base45 (RFC 9285), strict: any character outside the alphabet, a dangling character, or a
group whose value overflows is an error, never silently repaired.

Both directions are table driven: every 16-bit value has its 3-character group precomputed, so
encoding and decoding are a single ``map`` over C-level splits.
"""

from __future__ import annotations

import re
from functools import cache

from vaxpass.errors import DecodeError, ErrorCode, Stage

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_PAIR_COUNT = 256 * 256
_SPLIT_TRIPLES = re.compile(r"...", re.DOTALL)


def _group(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 45)
        chars.append(ALPHABET[digit])
    return "".join(chars)


@cache
def _encode_tables() -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Indexed by the little-endian reading of a byte pair (a + 256*b), so that
    # memoryview(...).cast("H") feeds it directly on the usual hosts; the value encoded is the
    # big-endian one (a*256 + b) that the RFC specifies.
    by_le_pair = [""] * _PAIR_COUNT
    for first in range(256):
        for second in range(256):
            by_le_pair[first + 256 * second] = _group(first * 256 + second, 3)
    singles = tuple(_group(byte, 2) for byte in range(256))
    return tuple(by_le_pair), singles


@cache
def _decode_tables() -> tuple[dict[str, bytes], dict[str, bytes]]:
    triples = {_group(value, 3): value.to_bytes(2, "big") for value in range(_PAIR_COUNT)}
    pairs = {_group(value, 2): bytes((value,)) for value in range(256)}
    return triples, pairs


def _native_little_endian() -> bool:
    return memoryview(b"\x01\x00").cast("H")[0] == 1


def encode_base45(data: bytes) -> str:
    """Encode bytes as Base45 text."""
    by_pair, singles = _encode_tables()
    even = len(data) - (len(data) % 2)
    if _native_little_endian():
        body = "".join(map(by_pair.__getitem__, memoryview(data[:even]).cast("H")))
    else:
        body = "".join(by_pair[data[i] + 256 * data[i + 1]] for i in range(0, even, 2))
    if even != len(data):
        body += singles[data[-1]]
    return body


def decode_base45(text: str | bytes) -> bytes:
    """Decode Base45 text; raises ``DecodeError`` (stage ``base45_decode``) on any violation."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as exc:
            raise _invalid("non-ASCII character") from exc
    remainder = len(text) % 3
    if remainder == 1:
        raise _invalid("dangling character (length is 1 modulo 3)")
    triples, pairs = _decode_tables()
    full = len(text) - remainder
    try:
        body = b"".join(map(triples.__getitem__, _SPLIT_TRIPLES.findall(text, 0, full)))
        tail = pairs[text[full:]] if remainder else b""
    except KeyError as exc:
        raise _invalid("character outside the alphabet or group value out of range") from exc
    return body + tail


def _invalid(reason: str) -> DecodeError:
    return DecodeError(Stage.BASE45, ErrorCode.BASE45_INVALID, f"invalid Base45: {reason}")
