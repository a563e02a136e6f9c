"""Base45 (RFC 9285), strict: any character outside the alphabet, a dangling character, or a
group whose value overflows is an error, never silently repaired.

Both directions work on whole buffers instead of looping in Python over groups. Characters and
digit values are mapped with ``bytes.translate``; the base conversion itself is done "SIMD within
a register": every group gets its own fixed-width lane inside one big integer, so a single
multiplication, shift or mask acts on all groups at once, and lanes are wide enough that no
carry or borrow ever crosses into a neighbour. Extended slices gather and scatter the lanes.
"""

from __future__ import annotations

from functools import lru_cache

from vaxpass.errors import DecodeError, ErrorCode, Stage

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE = 45
_INVALID = 0xFF

# Digit value -> character, and character -> digit value (0xFF outside the alphabet).
_TO_CHARS = ALPHABET.encode("ascii").ljust(256, b"\0")
_TO_DIGITS = bytes(ALPHABET.find(chr(byte)) & _INVALID for byte in range(256))

# Encoding: a byte pair v = 256*a + b (v < 2**16) sits in a 32-bit lane. v // 45 is computed
# as (v * _RECIPROCAL) >> _SHIFT, exact for every v < 2**16 (45 * _RECIPROCAL - 2**21 = 28 and
# 28 * 65535 < 2**21); the product stays below 2**32, inside its lane. The lane's top byte
# becomes a marker that ``translate`` deletes, leaving three digits per pair.
_ENCODE_LANE = 4
_SHIFT = 21
_RECIPROCAL = -(-(1 << _SHIFT) // _BASE)
_MARKER = 0xFF

# Decoding: a group of three digits sits in a 24-bit lane (first digit most significant); its
# value is at most 44 + 44*45 + 44*2025 = 91124 < 2**24, so no carry leaves the lane and the
# lane's top byte is zero exactly when the value fits in two bytes.
_DECODE_LANE = 3
_BAD_GROUP = "character outside the alphabet or group value out of range"


@lru_cache(maxsize=64)
def _lane_mask(pattern: bytes, count: int) -> int:
    """``pattern`` repeated ``count`` times, as a little-endian integer."""
    return int.from_bytes(pattern * count, "little")


def encode_base45(data: bytes) -> str:
    """Encode bytes as Base45 text."""
    pairs = len(data) // 2
    digits = _encode_pairs(data[: 2 * pairs], pairs)
    if len(data) % 2:
        digits += bytes(divmod(data[-1], _BASE)[::-1])
    return digits.translate(_TO_CHARS, bytes((_MARKER,))).decode("ascii")


def _encode_pairs(data: bytes, pairs: int) -> bytes:
    """Per big-endian byte pair of ``data``: three digit values (least significant first),
    each group followed by a marker byte."""
    lanes = bytearray(_ENCODE_LANE * pairs)
    lanes[0::_ENCODE_LANE] = data[1::2]
    lanes[1::_ENCODE_LANE] = data[0::2]
    values = int.from_bytes(lanes, "little")
    mask = _lane_mask(b"\xff\x07\0\0", pairs)  # 11 bits: v // 45 < 1457; above is the next lane
    quotients = ((values * _RECIPROCAL) >> _SHIFT) & mask  # v // 45 per lane
    high = ((quotients * _RECIPROCAL) >> _SHIFT) & mask  # v // 2025 per lane
    low = values - _BASE * quotients
    middle = quotients - _BASE * high
    markers = _lane_mask(bytes((0, 0, 0, _MARKER)), pairs)
    return (low | middle << 8 | high << 16 | markers).to_bytes(_ENCODE_LANE * pairs, "little")


def decode_base45(text: str | bytes) -> bytes:
    """Decode Base45 text; raises ``DecodeError`` (stage ``base45_decode``) on any violation."""
    if isinstance(text, bytes):
        if not text.isascii():
            raise _invalid("non-ASCII character")
    else:
        text = text.encode("ascii", "replace")  # "?" is outside the alphabet: rejected below
    remainder = len(text) % 3
    if remainder == 1:
        raise _invalid("dangling character (length is 1 modulo 3)")
    digits = text.translate(_TO_DIGITS)
    if _INVALID in digits:
        raise _invalid(_BAD_GROUP)
    full = len(digits) - remainder
    body = _decode_groups(digits[:full], full // 3)
    if remainder:
        value = digits[full] + _BASE * digits[full + 1]
        if value > 0xFF:
            raise _invalid(_BAD_GROUP)
        body.append(value)
    return bytes(body)


def _decode_groups(digits: bytes, groups: int) -> bytearray:
    """Two big-endian bytes per group of three digit values (least significant first)."""
    lanes = int.from_bytes(digits, "big")
    mask = _lane_mask(b"\xff\0\0", groups)
    values = ((lanes >> 16) & mask) + _BASE * ((lanes >> 8) & mask) + _BASE**2 * (lanes & mask)
    if values & (mask << 16):  # a lane's top byte is set: the group's value is >= 2**16
        raise _invalid(_BAD_GROUP)
    body = bytearray(values.to_bytes(_DECODE_LANE * groups, "big"))
    del body[0::_DECODE_LANE]
    return body


def _invalid(reason: str) -> DecodeError:
    return DecodeError(Stage.BASE45, ErrorCode.BASE45_INVALID, f"invalid Base45: {reason}")
