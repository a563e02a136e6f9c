"""JSON wire format of the matching service (shared by server and client).

Query: ``{"full_name", "sex", "birth_date", "id_number"}`` (all strings).
Result: ``{"result": "matched" | "mismatch" | "not_found", "fields": [...]}``.
Batch: ``{"queries": [query, ...]}`` → ``{"results": [result, ...]}`` in the same order.
"""

from __future__ import annotations

from typing import Any

from vaxpass.domain.matching import MATCH_FIELDS, IdentityQuery, MatchOutcome, MatchResult

MAX_BATCH = 10_000
MAX_FIELD_LENGTH = 256


def query_to_json(query: IdentityQuery) -> dict[str, str]:
    return {field: getattr(query, field) for field in MATCH_FIELDS}


def query_from_json(data: Any) -> IdentityQuery:
    """Raise ``ValueError`` (naming the field, never its value) on a malformed query."""
    if not isinstance(data, dict):
        raise ValueError("query must be an object")
    values = {}
    for field in MATCH_FIELDS:
        value = data.get(field, "")
        if not isinstance(value, str) or len(value) > MAX_FIELD_LENGTH:
            raise ValueError(f"{field} must be a string of at most {MAX_FIELD_LENGTH} characters")
        values[field] = value
    return IdentityQuery(**values)


def queries_from_json(data: Any) -> list[IdentityQuery]:
    queries = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(queries, list) or len(queries) > MAX_BATCH:
        raise ValueError(f"queries must be a list of at most {MAX_BATCH} objects")
    return [query_from_json(q) for q in queries]


def result_to_json(result: MatchResult) -> dict[str, Any]:
    return {"result": result.outcome.value, "fields": list(result.fields)}


def result_from_json(data: Any) -> MatchResult:
    if not isinstance(data, dict):
        raise ValueError("result must be an object")
    outcome = MatchOutcome(str(data.get("result")))
    fields = data.get("fields", [])
    if not isinstance(fields, list) or not set(fields) <= set(MATCH_FIELDS):
        raise ValueError("fields must list match fields")
    return MatchResult(outcome, tuple(fields))
