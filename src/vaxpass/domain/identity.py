"""Identity documents: the 12-digit personal identification number (CCCD), the old 9-digit
identity card number (CMND) and passports (one letter and seven digits).

CCCD layout ``PPP G YY NNNNNN``: PPP is "0" + the GSO code of the province where the birth was
registered, G encodes century and sex (even = male), YY the last two digits of the birth year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from vaxpass.domain.provinces import is_province_code
from vaxpass.domain.sex import Sex


class IdKind(StrEnum):
    CCCD = "cccd"
    CMND = "cmnd"
    PASSPORT = "passport"


class IdProblem(StrEnum):
    """Why an identity document number was refused (stable; never contains the number)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    UNKNOWN_PROVINCE = "unknown province code"
    SEX_MISMATCH = "century-and-sex digit does not match the sex"
    CENTURY_MISMATCH = "century-and-sex digit does not match the birth year"
    YEAR_MISMATCH = "birth-year digits do not match the birth year"


@dataclass(frozen=True, slots=True)
class IdentityDocument:
    kind: IdKind
    number: str


_SHAPES: tuple[tuple[re.Pattern[str], IdKind], ...] = (
    (re.compile(r"[0-9]{12}"), IdKind.CCCD),
    (re.compile(r"[0-9]{9}"), IdKind.CMND),
    (re.compile(r"[A-Z][0-9]{7}"), IdKind.PASSPORT),
)
_CCCD = _SHAPES[0][0]
_FIRST_CENTURY = 19  # G = 0/1 means the 1900s, 2/3 the 2000s, ...


def classify_id(text: str) -> IdentityDocument:
    """Recognise the kind of a document number by its shape; raise ``ValueError(IdProblem)``."""
    cleaned = text.strip().upper()
    if not cleaned:
        raise ValueError(IdProblem.MISSING)
    for pattern, kind in _SHAPES:
        if pattern.fullmatch(cleaned):
            return IdentityDocument(kind, cleaned)
    raise ValueError(IdProblem.MALFORMED)


def cccd_problems(number: str, sex: Sex, birth_year: int) -> list[IdProblem]:
    """Every inconsistency between a 12-digit CCCD and the holder's sex and birth year."""
    if not _CCCD.fullmatch(number):
        return [IdProblem.MALFORMED]
    problems: list[IdProblem] = []
    if number[0] != "0" or not is_province_code(number[1:3]):
        problems.append(IdProblem.UNKNOWN_PROVINCE)
    digit = int(number[3])
    if (digit % 2 == 1) != (sex is Sex.FEMALE):
        problems.append(IdProblem.SEX_MISMATCH)
    if _FIRST_CENTURY + digit // 2 != birth_year // 100:
        problems.append(IdProblem.CENTURY_MISMATCH)
    if number[4:6] != f"{birth_year % 100:02d}":
        problems.append(IdProblem.YEAR_MISMATCH)
    return problems


def cccd_prefix(province_code: str, sex: Sex, birth_year: int) -> str:
    """The first six digits of a CCCD for a birth registered in ``province_code``."""
    century_digit = 2 * (birth_year // 100 - _FIRST_CENTURY) + (1 if sex is Sex.FEMALE else 0)
    if not 0 <= century_digit <= 9 or not is_province_code(province_code):
        raise ValueError(IdProblem.MALFORMED)
    return f"0{province_code}{century_digit}{birth_year % 100:02d}"


def document_problems(doc: IdentityDocument, sex: Sex, birth_year: int) -> list[IdProblem]:
    """Problems with any kind of document; only the CCCD carries checkable structure."""
    if doc.kind is IdKind.CCCD:
        return cccd_problems(doc.number, sex, birth_year)
    return []
