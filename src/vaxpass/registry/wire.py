"""JSON wire format of the matching service (shared by server and client).

Query: ``{"full_name", "sex", "birth_date", "id_number"}`` (all strings).
Result: ``{"result": "matched" | "mismatch" | "not_found", "fields": [...]}``.
Batch: ``{"queries": [query, ...]}`` → ``{"results": [result, ...]}`` in the same order.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from vaxpass.domain.matching import MATCH_FIELDS, IdentityQuery, MatchOutcome, MatchResult

MAX_BATCH = 10_000
MAX_FIELD_LENGTH = 256
_FIELDS = frozenset(MATCH_FIELDS)


def encode(document: Any) -> bytes:
    """Compact UTF-8 JSON, as both sides send it."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def query_to_json(query: IdentityQuery) -> dict[str, str]:
    return {field: getattr(query, field) for field in MATCH_FIELDS}


def query_from_json(data: Any) -> IdentityQuery:
    """Raise ``ValueError`` (naming the field, never its value) on a malformed query."""
    if not isinstance(data, dict):
        raise ValueError("query must be an object")
    values = [data.get(field, "") for field in MATCH_FIELDS]
    for field, value in zip(MATCH_FIELDS, values, strict=True):
        if not isinstance(value, str) or len(value) > MAX_FIELD_LENGTH:
            raise ValueError(f"{field} must be a string of at most {MAX_FIELD_LENGTH} characters")
    return IdentityQuery(*values)


def queries_from_json(data: Any) -> list[IdentityQuery]:
    queries = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(queries, list) or len(queries) > MAX_BATCH:
        raise ValueError(f"queries must be a list of at most {MAX_BATCH} objects")
    return [query_from_json(q) for q in queries]


_MATCHED = {"result": MatchOutcome.MATCHED.value, "fields": []}
_NOT_FOUND = {"result": MatchOutcome.NOT_FOUND.value, "fields": []}


def result_to_json(result: MatchResult) -> dict[str, Any]:
    if not result.fields:  # the common answers are shared (they are only serialised)
        if result.outcome is MatchOutcome.MATCHED:
            return _MATCHED
        if result.outcome is MatchOutcome.NOT_FOUND:
            return _NOT_FOUND
    return {"result": result.outcome.value, "fields": list(result.fields)}


@lru_cache(maxsize=256)
def _result(outcome: str, fields: tuple[str, ...]) -> MatchResult:
    if not set(fields) <= _FIELDS:
        raise ValueError("fields must list match fields")
    return MatchResult(MatchOutcome(outcome), fields)


def result_from_json(data: Any) -> MatchResult:
    if not isinstance(data, dict):
        raise ValueError("result must be an object")
    fields = data.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ValueError("fields must list match fields")
    return _result(str(data.get("result")), tuple(fields))
