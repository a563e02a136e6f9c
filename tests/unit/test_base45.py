from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass.errors import DecodeError, ErrorCode, Stage
from vaxpass.formats.base45 import ALPHABET, decode_base45, encode_base45

# RFC 9285 section 4.
RFC_EXAMPLES = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
    (b"", ""),
]


@pytest.mark.parametrize(("raw", "text"), RFC_EXAMPLES)
def test_rfc_examples(raw: bytes, text: str) -> None:
    assert encode_base45(raw) == text
    assert decode_base45(text) == raw


@given(st.binary(max_size=2048))
def test_round_trip(data: bytes) -> None:
    assert decode_base45(encode_base45(data)) == data


@given(st.binary(max_size=256))
def test_output_uses_only_the_alphabet(data: bytes) -> None:
    assert set(encode_base45(data)) <= set(ALPHABET)


@pytest.mark.parametrize(
    "text",
    [
        "GGW",  # 65535 < value: 16 + 16*45 + 32*2025 overflows two bytes
        ":::",  # 44 + 44*45 + 44*2025 = 91124
        "A",  # dangling character
        "ABCD",  # length 1 modulo 3
        "ab",  # lower case is outside the alphabet
        "AB\n",
        "::",  # 44 + 44*45 = 2024 > 255
        "ÄBC",
    ],
)
def test_strict_rejections(text: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_base45(text)
    assert caught.value.code is ErrorCode.BASE45_INVALID
    assert caught.value.stage is Stage.BASE45


def test_accepts_ascii_bytes() -> None:
    assert decode_base45(b"BB8") == b"AB"
    with pytest.raises(DecodeError):
        decode_base45(b"\xff\xfe\xfd")


@given(st.text(max_size=64))
def test_any_text_gives_bytes_or_a_typed_error(text: str) -> None:
    try:
        decoded = decode_base45(text)
    except DecodeError as error:
        code = error.code
    else:
        assert encode_base45(decoded) == text
        return
    assert code is ErrorCode.BASE45_INVALID
