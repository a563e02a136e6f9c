from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass.formats.dcc.uvci import (
    LUHN_ALPHABET,
    generate_uvci,
    has_valid_check_character,
    uvci_check_character,
    validate_uvci,
)

VN_UVCI = re.compile(r"URN:UVCI:01:VN:[0-9A-F]{32}#[A-Z0-9/:]")

# Identifiers issued by member states whose check characters follow the eHN Luhn mod N scheme.
ISSUED_WITH_LUHN = [
    "URN:UVCI:01:NL:DADFCC47C7334E45A906DB12FD859FB7#1",
    "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
    "URN:UVCI:01:DK:B19D10B4E18551559EBDEE46248DA883#S",
    "URN:UVCI:01:SM:122#M",
    "URN:UVCI:01:HU:242100001023540659V1T20210614180542#S",
]

bodies = st.text(alphabet=LUHN_ALPHABET, min_size=1, max_size=70)


@pytest.mark.parametrize("uvci", ISSUED_WITH_LUHN)
def test_check_character_matches_issued_identifiers(uvci: str) -> None:
    body, _, check = uvci.partition("#")
    assert uvci_check_character(body) == check
    assert has_valid_check_character(uvci)
    assert validate_uvci(uvci, check_countries={uvci[13:15]}) == []


def test_generate_uvci_has_vietnamese_shape_and_valid_check() -> None:
    uvci = generate_uvci()
    assert VN_UVCI.fullmatch(uvci)
    assert has_valid_check_character(uvci)
    assert validate_uvci(uvci) == []


def test_generate_uvci_uses_injected_randomness() -> None:
    uvci = generate_uvci(random_source=lambda n: bytes(range(n)))
    assert uvci.startswith("URN:UVCI:01:VN:000102030405060708090A0B0C0D0E0F#")


def test_generate_uvci_with_given_opaque_part() -> None:
    uvci = generate_uvci("DE", "IZ12345A/5CWLU12RNOB9RXSEOP6FG8")
    assert uvci.startswith("URN:UVCI:01:DE:IZ12345A/5CWLU12RNOB9RXSEOP6FG8#")
    assert has_valid_check_character(uvci)


@pytest.mark.parametrize(
    ("country", "opaque"),
    [("vn", None), ("VNM", None), ("VN", "abc"), ("VN", "A#B"), ("VN", "/A"), ("VN", "A" * 70)],
)
def test_generate_uvci_rejects_bad_parts(country: str, opaque: str | None) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        generate_uvci(country, opaque)


@pytest.mark.parametrize("body", ["", "urn:uvci", "A#B", "Ä"])
def test_check_character_rejects_characters_outside_alphabet(body: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        uvci_check_character(body)


@pytest.mark.parametrize(
    "uvci",
    [
        "URN:UVCI:01:NL:DADFCC47C7334E45A906DB12FD859FB7",  # no check character
        "01:NL:1312D00",  # no prefix
        "URN:UVCI:01DE/IZ12345A/5CWLU12RNOB9RXSEOP6FG8#W",  # no separators, other scheme
        "01/LU/162LOPKOKV5AO#49",  # two-character check scheme
        "urn:uvci:01:BG:CY2V9FAY6YGV36AL#9",  # lower-case prefix
        "URN:UVCI:01:IE:1eb24cba367a40e0ae559013ad87523c#D",  # lower-case identifier
        "URN:UVCI:01:RO:Q6M0U00Y5S#I",  # check character we do not verify for RO
    ],
)
def test_structure_only_for_foreign_identifiers(uvci: str) -> None:
    assert validate_uvci(uvci) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Joint Authority of the Helsinki and Uusimaa Hospital District",
        "URN#UVCI#01#NL#DADFCC47C7334E45A906DB12FD859FB7",
        "URN:UVCI:V1:CY:PYE1LE1O2X54P5845G8RRMM9JE",
        "URN:UVCI:01:FI:AELZ0DC71KA2SJWUETRTAFEL2##",
        "URN:UVCI:01:NL:ABC#",
        "URN:UVCI:01:NL:" + "A" * 70,
    ],
)
def test_malformed_identifiers_are_reported_without_echo(text: str) -> None:
    errors = validate_uvci(text)
    assert len(errors) == 1
    assert errors[0].field == "ci"
    assert not text or text not in errors[0].reason


def test_wrong_vietnamese_check_character_is_reported() -> None:
    uvci = generate_uvci(random_source=lambda n: b"\x00" * n)
    wrong = next(c for c in LUHN_ALPHABET if c != uvci[-1])
    [error] = validate_uvci(uvci[:-1] + wrong, field="/v/0/ci")
    assert error.field == "/v/0/ci"
    assert "Luhn" in error.reason


def test_non_string_is_reported() -> None:
    assert validate_uvci(42)  # type: ignore[arg-type]


@given(bodies)
def test_check_character_round_trip(body: str) -> None:
    assert has_valid_check_character(f"{body}#{uvci_check_character(body)}")


@given(bodies, st.data())
def test_every_single_character_substitution_is_detected(body: str, data: st.DataObject) -> None:
    uvci = f"{body}#{uvci_check_character(body)}"
    position = data.draw(st.integers(0, len(uvci) - 1).filter(lambda i: uvci[i] != "#"))
    replacement = data.draw(st.sampled_from(LUHN_ALPHABET).filter(lambda c: c != uvci[position]))
    assert not has_valid_check_character(uvci[:position] + replacement + uvci[position + 1 :])


@given(st.binary(min_size=16, max_size=16))
def test_generated_identifiers_always_validate(raw: bytes) -> None:
    uvci = generate_uvci(random_source=lambda _n: raw)
    assert VN_UVCI.fullmatch(uvci)
    assert validate_uvci(uvci) == []


def test_an_identifier_without_any_letter_or_digit_is_refused() -> None:
    assert validate_uvci("URN:UVCI:01:VN::")
    assert validate_uvci("URN:UVCI:01:VN:/")
