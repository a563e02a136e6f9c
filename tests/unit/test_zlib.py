from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass.errors import DecodeError, ErrorCode
from vaxpass.formats.zlib import MAX_DECOMPRESSED_BYTES, compress_zlib, decompress_zlib


@given(st.binary(max_size=4096))
def test_round_trip(data: bytes) -> None:
    assert decompress_zlib(compress_zlib(data)) == data


@given(st.binary(max_size=1024))
def test_reads_what_the_standard_library_writes(data: bytes) -> None:
    assert decompress_zlib(zlib.compress(data, 9)) == data


def test_bomb_is_an_error_not_a_memory_spike() -> None:
    bomb = zlib.compress(b"\0" * (50 * 1024 * 1024), 9)
    with pytest.raises(DecodeError) as caught:
        decompress_zlib(bomb)
    assert caught.value.code is ErrorCode.DECOMPRESSED_TOO_LARGE


def test_exactly_at_the_cap_is_accepted() -> None:
    data = b"x" * MAX_DECOMPRESSED_BYTES
    assert decompress_zlib(zlib.compress(data)) == data


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not compressed at all",
        zlib.compress(b"hello")[:-3],  # truncated
        zlib.compress(b"hello") + b"trailing",
        zlib.compress(b"hello", wbits=-15),  # raw deflate without the zlib header
    ],
)
def test_no_fallback_for_broken_or_uncompressed_input(data: bytes) -> None:
    with pytest.raises(DecodeError) as caught:
        decompress_zlib(data)
    assert caught.value.code in {ErrorCode.DECOMPRESSION_FAILED, ErrorCode.DECOMPRESSED_TOO_LARGE}
