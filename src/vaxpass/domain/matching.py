"""Identity matching on the four fields of the national population database.

A candidate is only ever found by its ID number: a name alone never matches. Names compare by
their matching key (NFC, case, spacing, tone-mark placement); dates of birth by their ISO form.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from vaxpass.domain.dates import parse_partial_date
from vaxpass.domain.names import name_key


class MatchOutcome(StrEnum):
    MATCHED = "matched"
    MISMATCH = "mismatch"
    NOT_FOUND = "not_found"


MATCH_FIELDS = ("full_name", "sex", "birth_date", "id_number")


@dataclass(frozen=True, slots=True)
class IdentityQuery:
    full_name: str
    sex: str
    birth_date: str
    id_number: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    outcome: MatchOutcome
    fields: tuple[str, ...] = ()  # the fields that differ, for a mismatch


@lru_cache(maxsize=1 << 14)
def _date_key(text: str) -> str:
    try:
        return parse_partial_date(text).isoformat()
    except ValueError:
        return f"invalid:{text.strip()}"


def _differences(query: IdentityQuery, citizen: IdentityQuery) -> tuple[str, ...]:
    checks = (
        ("full_name", name_key(query.full_name) == name_key(citizen.full_name)),
        ("sex", query.sex.strip().casefold() == citizen.sex.strip().casefold()),
        ("birth_date", _date_key(query.birth_date) == _date_key(citizen.birth_date)),
    )
    return tuple(field for field, same in checks if not same)


def match_identity(query: IdentityQuery, citizen: IdentityQuery | None) -> MatchResult:
    """Compare a query with the citizen registered under the same ID number (if any)."""
    if citizen is None or not query.id_number.strip():
        return MatchResult(MatchOutcome.NOT_FOUND)
    differing = _differences(query, citizen)
    if differing:
        return MatchResult(MatchOutcome.MISMATCH, differing)
    return MatchResult(MatchOutcome.MATCHED)
