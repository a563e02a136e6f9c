"""``HttpPopulationRegistry``: the client adapter, with timeouts, retries and batching.

Any service that speaks the wire format in ``registry.wire`` can stand behind it: the reference
service here, or a national endpoint configured with ``VAXPASS_REGISTRY_URL``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from vaxpass.domain.matching import IdentityQuery, MatchResult
from vaxpass.errors import ErrorCode, RegistryError
from vaxpass.registry import wire

_RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
_JSON = {"Content-Type": "application/json"}


class HttpPopulationRegistry:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        batch_size: int = 1000,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not 1 <= batch_size <= wire.MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{wire.MAX_BATCH}")
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
        )
        self._retries = retries
        self._batch_size = batch_size
        self._sleep = sleep

    def match_batch(self, queries: Sequence[IdentityQuery]) -> list[MatchResult]:
        results: list[MatchResult] = []
        for start in range(0, len(queries), self._batch_size):
            results.extend(self._match_chunk(queries[start : start + self._batch_size]))
        return results

    def _match_chunk(self, chunk: Sequence[IdentityQuery]) -> list[MatchResult]:
        body = {"queries": [wire.query_to_json(q) for q in chunk]}
        data = self._post("/v1/match/batch", body)
        try:
            results = [wire.result_from_json(r) for r in data["results"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise _invalid("malformed batch response") from exc
        if len(results) != len(chunk):
            raise _invalid("batch response has the wrong number of results")
        return results

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        payload = wire.encode(body)
        for attempt in range(self._retries + 1):
            try:
                response = self._client.post(path, content=payload, headers=_JSON)
            except httpx.TransportError as exc:
                if attempt == self._retries:
                    raise RegistryError(f"registry unreachable ({type(exc).__name__})") from exc
            else:
                if response.status_code not in _RETRYABLE_STATUS or attempt == self._retries:
                    return _json_of(response)
            self._sleep(min(0.1 * 2**attempt, 2.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self._client.close()


def _invalid(message: str) -> RegistryError:
    return RegistryError(message, code=ErrorCode.REGISTRY_RESPONSE_INVALID)


def _json_of(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise _invalid(f"registry answered HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise _invalid("registry answered with invalid JSON") from exc
