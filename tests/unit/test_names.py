"""Name rules: NFC normalisation, tone-placement-insensitive matching keys, ICAO form."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxpass.domain.names import name_key, normalise_name, split_name, transliterate_name

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
names = st.lists(
    st.text(alphabet=VIETNAMESE + VIETNAMESE.upper(), min_size=1, max_size=8),
    min_size=1,
    max_size=4,
).map(" ".join)


@pytest.mark.parametrize(
    ("old", "new"),
    [("Hoà", "Hòa"), ("Thuỷ", "Thủy"), ("Nguyễn Thị Thuý", "nguyễn  thị thúy"), ("Khoẻ", "Khỏe")],
)
def test_tone_placement_variants_match(old: str, new: str) -> None:
    assert name_key(old) == name_key(new)


@pytest.mark.parametrize(
    ("a", "b"), [("Hòa", "Hóa"), ("Hòa", "Hoa"), ("Đức", "Dức"), ("Lan", "Lân"), ("Thu", "Thư")]
)
def test_different_letters_or_tones_differ(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@given(names)
def test_key_ignores_normal_form_case_and_spacing(name: str) -> None:
    variants = [unicodedata.normalize("NFD", name), name.upper(), f"  {name.replace(' ', '   ')} "]
    assert {name_key(v) for v in variants} == {name_key(name)}


@given(names)
def test_normalise_is_idempotent_and_nfc(name: str) -> None:
    once = normalise_name(unicodedata.normalize("NFD", name))
    assert normalise_name(once) == once
    assert unicodedata.is_normalized("NFC", once)


@given(names)
def test_transliteration_is_machine_readable(name: str) -> None:
    out = transliterate_name(name)
    assert all(c.isascii() and (c.isupper() or c == "<") for c in out)
    assert "<<" not in out


def test_transliteration_examples() -> None:
    assert transliterate_name("Nguyễn") == "NGUYEN"
    assert transliterate_name("Bảo Duy") == "BAO<DUY"
    assert transliterate_name("Đặng Thị Đào") == "DANG<THI<DAO"
    assert transliterate_name("Trần-Lê  Hoà") == "TRAN<LE<HOA"


def test_family_name_first() -> None:
    name = split_name(" Nguyễn  Bá Hùng ")
    assert (name.family, name.given, name.full) == ("Nguyễn", "Bá Hùng", "Nguyễn Bá Hùng")
