"""Vietnamese personal names: normalisation, matching keys and ICAO 9303 transliteration.

Names are stored in NFC with single spaces, family name first ("Nguyễn Bá Hùng"). The matching
key folds case and spacing and puts each syllable's tone mark in one canonical place, so the
old and new tone-placement styles compare equal (Hoà = Hòa, Thuỷ = Thủy), while names that differ
in any letter or tone still differ.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# The five Vietnamese tone marks as combining characters.
_TONES = frozenset({"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"})
_ICAO_SPECIAL = {"Đ": "D", "Đ".lower(): "D", "Ø": "OE", "Æ": "AE", "ß": "SS", "Ł": "L"}
_ICAO_FILLER = "<"


@dataclass(frozen=True, slots=True)
class PersonName:
    """A full name split into family name (first word) and given names (the rest)."""

    family: str
    given: str

    @property
    def full(self) -> str:
        return f"{self.family} {self.given}".strip()


def normalise_name(text: str) -> str:
    """NFC, trimmed, internal whitespace collapsed to single spaces (case kept)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def split_name(text: str) -> PersonName:
    """Family name first: "Nguyễn Bá Hùng" → family "Nguyễn", given "Bá Hùng"."""
    family, _, given = normalise_name(text).partition(" ")
    return PersonName(family, given)


def _syllable_key(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    tones = [c for c in decomposed if c in _TONES]
    bare = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", bare) + "".join(sorted(tones))


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """Matching key: case-folded, spacing-folded, tone marks in canonical position."""
    words = normalise_name(text).casefold().replace("-", " ").split()
    return " ".join(_syllable_key(w) for w in words)


@lru_cache(maxsize=4096)
def _icao_char(char: str) -> str:
    special = _ICAO_SPECIAL.get(char)
    if special is not None:
        return special
    base = "".join(
        c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
    ).upper()
    if base.isascii() and base.isalpha():
        return base
    return _ICAO_FILLER if char == "-" or char.isspace() else ""


def transliterate_name(text: str) -> str:
    """ICAO 9303 machine-readable form: upper case, no diacritics, Đ → D, spaces → ``<``."""
    out = "".join(map(_icao_char, normalise_name(text)))
    while "<<" in out:
        out = out.replace("<<", "<")
    return out.strip(_ICAO_FILLER)
