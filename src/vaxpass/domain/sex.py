"""Sex as recorded in identity documents, with the spellings found in exports."""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


_SPELLINGS: dict[str, Sex] = {
    "m": Sex.MALE,
    "male": Sex.MALE,
    "nam": Sex.MALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "nữ": Sex.FEMALE,
    "nu": Sex.FEMALE,
}


def parse_sex(text: str) -> Sex:
    """``M``/``F``, ``male``/``female``, ``Nam``/``Nữ`` (any case); raise ``ValueError``."""
    try:
        return _SPELLINGS[text.strip().casefold()]
    except KeyError:
        raise ValueError("unknown sex") from None
