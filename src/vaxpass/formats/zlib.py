"""zlib (RFC 1950) with a hard cap on the decompressed size.

A stream that inflates past the cap is a bomb and an error; a stream that is not zlib is an
error too: there is deliberately no "treat as uncompressed" fallback.
"""

from __future__ import annotations

import zlib as _stdlib_zlib

from isal import isal_zlib

from vaxpass.errors import DecodeError, ErrorCode, Stage

MAX_DECOMPRESSED_BYTES = 64 * 1024


def compress_zlib(data: bytes, *, level: int = 1) -> bytes:
    """Compress with ISA-L (zlib container; readable by any inflater). ``level`` is 0–3."""
    return bytes(isal_zlib.compress(data, level))


def decompress_zlib(data: bytes, *, max_size: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Inflate a complete zlib stream of at most ``max_size`` bytes of output."""
    inflater = _stdlib_zlib.decompressobj()
    try:
        output = inflater.decompress(data, max_size + 1)
    except _stdlib_zlib.error as exc:
        raise DecodeError(
            Stage.ZLIB, ErrorCode.DECOMPRESSION_FAILED, "not a valid zlib stream"
        ) from exc
    if len(output) > max_size or inflater.unconsumed_tail:
        raise DecodeError(
            Stage.ZLIB,
            ErrorCode.DECOMPRESSED_TOO_LARGE,
            f"decompressed data exceeds {max_size} bytes",
        )
    if not inflater.eof:
        raise DecodeError(Stage.ZLIB, ErrorCode.DECOMPRESSION_FAILED, "truncated zlib stream")
    if inflater.unused_data:
        raise DecodeError(
            Stage.ZLIB, ErrorCode.DECOMPRESSION_FAILED, "trailing bytes after the zlib stream"
        )
    return output
