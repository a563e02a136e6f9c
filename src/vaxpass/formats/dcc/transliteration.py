"""ICAO Doc 9303 Part 3 machine-readable names for the DCC ``fnt`` / ``gnt`` fields.

Steps: NFC, upper case, the ICAO multi-letter substitutions (Ä→AE, ß→SS, Þ→TH …) and the
letters whose stroke or bar Unicode does not decompose (Đ→D, Ł→L, Ø→OE …), then every other
Latin letter loses its diacritics (Vietnamese stacked marks included: Ệ→E, Ở→O, Ữ→U). Spaces and
hyphens become the filler ``<`` (runs collapse to one, none at either end); apostrophes and any
other character outside ``A–Z`` are dropped. Non-Latin scripts need a script-specific
romanisation before this step: they are removed here.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 80  # the schema's maxLength for fnt / gnt
FILLER = "<"

# ICAO 9303 Part 3 recommended transliterations of Latin letters that are not a plain letter
# plus combining marks (upper case: the input is upper-cased first).
_SUBSTITUTIONS = {
    "Ä": "AE",
    "Å": "AA",
    "Æ": "AE",
    "Ð": "D",
    "Đ": "D",  # Vietnamese Đ and South Slavic Đ: NFD keeps the stroke
    "Ħ": "H",
    "Ĳ": "IJ",
    "Ł": "L",
    "Ŀ": "L",
    "Ŋ": "N",
    "Ö": "OE",
    "Ø": "OE",
    "Œ": "OE",
    "ẞ": "SS",
    "Þ": "TH",
    "Ŧ": "T",
    "Ü": "UE",
    "ĸ": "K",
}
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]+")
_NOT_MRZ = re.compile(r"[^A-Z<]")
_FILLER_RUNS = re.compile(r"<{2,}")


def _fold_letter(char: str) -> str:
    substitute = _SUBSTITUTIONS.get(char)
    if substitute is not None:
        return substitute
    if char.isascii():
        return char
    # NFKD also splits ligatures such as Ǆ; combining marks (stacked tone marks too) go away.
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(part for part in decomposed if not unicodedata.combining(part))


def transliterate_icao(name: str) -> str:
    """The ICAO 9303 machine-readable form of one name field (``^[A-Z<]*$``, at most 80)."""
    text = unicodedata.normalize("NFC", name).upper()
    text = _SEPARATORS.sub(FILLER, text)
    text = "".join(_fold_letter(char) for char in text)
    text = _NOT_MRZ.sub("", text)
    text = _FILLER_RUNS.sub(FILLER, text).strip(FILLER)
    return text[:MAX_LENGTH].rstrip(FILLER)
