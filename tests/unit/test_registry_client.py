"""The registry client: batching, retries, timeouts and refusal of malformed answers.

A fake HTTP transport stands in for the network (no sockets)."""

from __future__ import annotations

import json

import httpx
import pytest

from vaxpass.domain.matching import IdentityQuery, MatchOutcome
from vaxpass.errors import ErrorCode, RegistryError
from vaxpass.registry import wire
from vaxpass.registry.client import HttpPopulationRegistry

QUERY = IdentityQuery("Nguyễn Văn A", "male", "1990", "001090012345")


class FakeRegistryTransport(httpx.BaseTransport):
    """Answers 'matched' to every query after ``failures`` transient failures."""

    def __init__(self, failures: int = 0, status: int = 503) -> None:
        self.failures, self.status = failures, status
        self.batches: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.failures:
            self.failures -= 1
            if self.status == 0:
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(self.status)
        queries = wire.queries_from_json(json.loads(request.content))
        self.batches.append(len(queries))
        return httpx.Response(200, json={"results": [{"result": "matched"} for _ in queries]})


def client(transport: httpx.BaseTransport, **options: int) -> HttpPopulationRegistry:
    sleeps: list[float] = []
    return HttpPopulationRegistry(
        "http://registry.invalid", transport=transport, sleep=sleeps.append, **options
    )


def test_batches_are_split_and_order_kept() -> None:
    transport = FakeRegistryTransport()
    results = client(transport, batch_size=3).match_batch([QUERY] * 7)
    assert transport.batches == [3, 3, 1]
    assert [r.outcome for r in results] == [MatchOutcome.MATCHED] * 7


@pytest.mark.parametrize("status", [0, 503, 429])
def test_transient_failures_are_retried(status: int) -> None:
    transport = FakeRegistryTransport(failures=2, status=status)
    assert len(client(transport, retries=2).match_batch([QUERY])) == 1


def test_gives_up_after_retries() -> None:
    with pytest.raises(RegistryError) as caught:
        client(FakeRegistryTransport(failures=5, status=0), retries=2).match_batch([QUERY])
    assert caught.value.code is ErrorCode.REGISTRY_UNAVAILABLE


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(400, json={"error": "BAD_REQUEST"}), httpx.Response(200, content=b"{"),
     httpx.Response(200, json={"results": []}), httpx.Response(200, json={"results": [{}]}),
     httpx.Response(200, json={"results": [{"result": "mismatch", "fields": ["name!"]}]})],
)  # fmt: skip
def test_malformed_answers_are_refused(answer: httpx.Response) -> None:
    transport = httpx.MockTransport(lambda request: answer)
    with pytest.raises(RegistryError) as caught:
        client(transport).match_batch([QUERY])
    assert caught.value.code is ErrorCode.REGISTRY_RESPONSE_INVALID


def test_wire_refuses_bad_queries_without_echoing_them() -> None:
    with pytest.raises(ValueError, match="full_name") as caught:
        wire.query_from_json({"full_name": "x" * 300})
    assert "xxx" not in str(caught.value)
    with pytest.raises(ValueError, match="at most"):
        wire.queries_from_json({"queries": [{}] * (wire.MAX_BATCH + 1)})
    assert wire.query_from_json(wire.query_to_json(QUERY)) == QUERY
